// Embargoes: a published article stays out of every public read until its embargoedUntil instant,
// seen before only by content:embargoed keys (never through a shared cache) and preview scopes;
// at the instant it becomes public with no job, and the change feed says so once.
import t from 'tap'
import { nextScheduledChange } from '../../src/db/schedule.js'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import { keepFeed } from '../../src/modules/changes/changes.writer.js'
import { assertProblem, build, createKey, json, type Page, pointers, testClock } from '../helper.js'
import { client, type Headers } from './articles.helpers.js'
import { createMedia } from './media-uses.helpers.js'
import { type DeliveryBody, resolveHost } from './webhooks.helpers.js'

// The response cache stays on: an embargoed key must never be answered from it.
const env = { RATE_LIMIT_ANONYMOUS_MAX: '1000000', RATE_LIMIT_MAX: '1000000', WEBHOOK_WORKER: 'false' }
const hour = 3_600_000
const slug = 'comet-found-near-jupiter'

type App = Awaited<ReturnType<typeof build>>['app']

async function feed(app: App, headers: Headers = {}, query = ''): Promise<ChangeEvent[]> {
  const res = await app.inject({ url: `/v1/changes?limit=100${query}`, headers })
  if (res.statusCode !== 200) throw new Error(`feed ${res.statusCode}: ${res.body}`)
  return json<{ data: ChangeEvent[] }>(res).data
}

/** Every public read path, each: does it show the embargoed article to these credentials? */
async function paths(app: App, ids: Record<string, string>, headers: Headers = {}) {
  const get = (url: string) => app.inject({ url, headers })
  const listed = async (url: string) => {
    const res = await get(url)
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    return json<Page<SparseArticle>>(res).data.some((a) => a.id === ids.article)
  }
  const tagCount = json<{ data: { slug: string; articleCount: number }[] }>(await get('/v1/tags?limit=100')).data.find(
    (c) => c.slug === 'comets',
  )?.articleCount
  const tag = await get('/v1/tags/comets')
  const related = json<{ data: { id: string }[] }>(await get('/v1/articles/comets-in-history/related')).data
  const embedded = json<{ related: { id: string }[] }>(await get('/v1/articles/comets-in-history?include=related'))
  const box = json<{ data: { articleId: string | null }[] }>(await get('/v1/collections/front/teasers')).data
  const counted = json<Page<SparseArticle>>(await get('/v1/articles?tag=comets&count=true&fields=slug')).page
  return {
    byId: (await get(`/v1/articles/${ids.article}`)).statusCode,
    bySlug: (await get(`/v1/articles/${slug}`)).statusCode,
    ownRelated: (await get(`/v1/articles/${slug}/related`)).statusCode,
    list: await listed('/v1/articles?limit=100&fields=slug'),
    search: await listed('/v1/articles?q=comet&fields=slug'),
    tag: await listed('/v1/articles?tag=comets&fields=slug'),
    source: await listed(`/v1/articles?source=${ids.source}&fields=slug`),
    credit: await listed(`/v1/articles?credit=${ids.source}&fields=slug`),
    person: await listed(`/v1/articles?person=${ids.person}&fields=slug`),
    section: await listed(`/v1/articles?section=${ids.section}&fields=slug`),
    sourceArticles: await listed(`/v1/sources/${ids.source}/articles?fields=slug`),
    personArticles: await listed(`/v1/people/${ids.person}/articles?fields=slug`),
    total: (counted as { total?: number }).total,
    tagCount,
    tagRead: tag.statusCode === 200 ? json<{ articleCount: number }>(tag).articleCount : tag.statusCode,
    related: related.some((a) => a.id === ids.article),
    embedded: embedded.related.some((a) => a.id === ids.article),
    box: box.some((teaser) => teaser.articleId === ids.article),
  }
}

const hidden = {
  byId: 404,
  bySlug: 404,
  ownRelated: 404,
  list: false,
  search: false,
  tag: false,
  source: false,
  credit: false,
  person: false,
  section: false,
  sourceArticles: false,
  personArticles: false,
  total: 1,
  tagCount: 1,
  tagRead: 1,
  related: false,
  embedded: false,
  box: false,
}
const shown = {
  byId: 200,
  bySlug: 200,
  ownRelated: 200,
  list: true,
  search: true,
  tag: true,
  source: true,
  credit: true,
  person: true,
  section: true,
  sourceArticles: true,
  personArticles: true,
  total: 2,
  tagCount: 2,
  tagRead: 2,
  related: true,
  embedded: true,
  box: true,
}

t.test('an embargoed article on every public read path, on both sides of the instant', async (t) => {
  const clock = testClock(new Date('2031-05-01T08:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env, resolveHost })
  const reader = (await createKey(db, ['content:read'])).headers
  const hooks = (await createKey(db, ['webhooks:manage', 'content:read'])).headers
  const hook = await app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: hooks,
    payload: { url: 'https://hooks.example.com/embargo', events: ['article.*'] },
  })
  t.equal(hook.statusCode, 201)
  const deliveries = async () => {
    const res = await app.inject({ url: `/v1/webhooks/${json(hook).id}/deliveries?limit=100`, headers: hooks })
    return json<{ data: DeliveryBody[] }>(res).data.map((d) => d.eventType)
  }
  const partner = (await createKey(db, ['content:embargoed'])).headers
  const previewer = (await createKey(db, ['content:preview'])).headers
  const api = client(app, auth)
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: auth, payload })
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    return json<{ id: string; slug?: string; path?: string; key?: string }>(res)
  }
  const source = await post('/v1/sources', { name: 'Embargo Wire', kind: 'agency' })
  const person = await post('/v1/people', { name: 'Ema Bargo' })
  const section = await post('/v1/sections', { name: 'Science' })
  const media = await createMedia(db)
  const liftsAt = new Date(clock().getTime() + hour)

  const other = await api.draft({
    headline: 'Comets in history',
    slug: 'comets-in-history',
    body: 'Older comets.',
    tags: ['comets'],
    sections: [{ sectionId: section.id }],
  })
  t.equal((await api.action(other.id, 'publish')).statusCode, 200)
  const created = await api.create({
    headline: 'Comet found near Jupiter',
    slug,
    body: 'A comet was found.',
    sourceId: source.id,
    credits: [{ sourceId: source.id }],
    contributors: [{ personId: person.id }],
    sections: [{ sectionId: section.id }],
    tags: ['comets'],
    leadImage: { media: media.id },
    embargoedUntil: liftsAt.toISOString(),
  })
  t.equal(created.statusCode, 201)
  const article = json<Article>(created)
  t.equal(article.embargoedUntil, liftsAt.toISOString(), 'the write answers with the embargo')
  const published = await api.action(article.id, 'publish')
  t.equal(json<Article>(published).status, 'published')
  await post('/v1/collections', { key: 'front', title: 'Front' })
  await post('/v1/collections/front/teasers', { text: 'Comet', articleId: article.id })
  const ids = { article: article.id, source: source.id, person: person.id, section: section.id }

  const mediaPublic = async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: `/v1/media/${media.id}`,
      headers: auth,
      payload: { caption: `at ${clock().toISOString()}` },
    })
    t.equal(res.statusCode, 200)
    return (await feed(app, {}, '&resource=media')).length
  }

  await t.test('before the instant: anonymous and content:read see nothing', async (t) => {
    clock.set(new Date(liftsAt.getTime() - 1))
    t.same(await paths(app, ids), hidden, 'anonymous')
    t.same(await paths(app, ids, reader), hidden, 'content:read')
    const events = await feed(app, reader)
    t.notOk(
      events.some((e) => e.resource.id === article.id),
      'no public event about it',
    )
    t.notMatch(JSON.stringify(events), /comet-found/)
    t.same(await deliveries(), ['article.published'], 'a public webhook hears only of the other article')
    t.equal(await mediaPublic(), 0, 'its lead image is not public: the media event is preview-only')
    const box = await app.inject('/v1/collections/front/teasers')
    t.equal(box.headers['cache-control'], 'public, max-age=0, stale-while-revalidate=0', 'the box expires at the lift')
    const deletions = await app.inject('/v1/articles/deletions')
    t.notMatch(deletions.body, /comet-found/)
  })

  await t.test('before the instant: content:embargoed sees it, privately; preview too', async (t) => {
    const before = app.responseCache.stats().hits
    for (let i = 0; i < 2; i++) {
      const res = await app.inject({ url: `/v1/articles/${slug}`, headers: partner })
      t.equal(res.statusCode, 200)
      t.equal(res.headers['cache-control'], 'private, no-store')
      t.notOk(res.headers.age, 'never from the response cache')
      t.equal(json<Article>(res).embargoedUntil, liftsAt.toISOString())
    }
    const list = await app.inject({ url: '/v1/articles?tag=comets&fields=slug', headers: partner })
    t.equal(list.headers['cache-control'], 'private, no-store')
    t.same(
      json<Page<SparseArticle>>(list)
        .data.map((a) => a.slug)
        .sort(),
      ['comet-found-near-jupiter', 'comets-in-history'],
      'lists include published articles under embargo',
    )
    const tags = await app.inject({ url: '/v1/tags', headers: partner })
    t.equal(tags.headers['cache-control'], 'private, no-store', 'every content read is private')
    const box = await app.inject({ url: '/v1/collections/front/teasers', headers: partner })
    t.equal(box.headers['cache-control'], 'private, no-store', 'the box too, even when it changes within 60 s')
    t.equal(app.responseCache.stats().hits, before, 'no hit for the embargoed key')
    t.equal((await app.inject({ url: `/v1/articles/${slug}/related`, headers: partner })).statusCode, 200)
    t.same(
      await paths(app, ids, previewer),
      { ...shown, related: false, embedded: false },
      'preview reads it (its box lists every teaser); related lists show public articles only',
    )
    const anonymous = await app.inject(`/v1/articles/${slug}`)
    t.equal(anonymous.statusCode, 404)
  })

  await t.test('at the instant: public everywhere, one article.embargo_lifted', async (t) => {
    t.same(
      await nextScheduledChange(db.prisma, new Date(liftsAt.getTime() - 1)),
      liftsAt,
      'cached public reads end at the lift',
    )
    clock.set(liftsAt)
    // Read before the feed's upkeep writes the lift's event (whose notification empties the cache).
    t.same(await paths(app, ids), shown, 'anonymous')
    t.same(await paths(app, ids, reader), shown, 'content:read')
    await keepFeed(db.prisma, clock())
    await keepFeed(db.prisma, clock())
    const res = await app.inject(`/v1/articles/${slug}`)
    t.equal(res.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
    clock.advance(hour)
    await keepFeed(db.prisma, clock())
    const events = (await feed(app)).filter((e) => e.resource.id === article.id)
    t.same(
      events.map((e) => e.type),
      ['article.embargo_lifted'],
      'exactly one public event: the lift',
    )
    t.equal(events[0]?.occurredAt, liftsAt.toISOString())
    t.ok(events[0]?.surrogateKeys.includes(`article:${article.id}`))
    t.ok(events[0]?.surrogateKeys.includes('tag:comets'))
    const boxes = (await feed(app, {}, '&resource=collection')).filter((e) => e.type === 'collection.updated')
    t.ok(
      boxes.some((e) => e.occurredAt === liftsAt.toISOString()),
      'the box changed at the instant',
    )
    t.equal(await mediaPublic(), 1, 'its lead image is public now')
    t.same((await deliveries()).sort(), ['article.embargo_lifted', 'article.published'], 'and a public webhook, once')
  })
})

t.test('moving, clearing and validating an embargo', async (t) => {
  const clock = testClock(new Date('2031-06-01T08:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const previewer = (await createKey(db, ['content:preview'])).headers
  const at = (ms: number) => new Date(clock().getTime() + ms).toISOString()
  const lifted = async (id: string) =>
    (await feed(app)).filter((e) => e.resource.id === id).map((e) => `${e.type} ${e.occurredAt}`)

  await t.test('moved later: nothing at the first instant, one event at the new one', async (t) => {
    const first = at(hour)
    const later = at(2 * hour)
    const a = await api.draft({ headline: 'Moved', body: 'Body.', embargoedUntil: first })
    t.equal((await api.action(a.id, 'publish')).statusCode, 200)
    const moved = await api.patch(a.id, { embargoedUntil: later })
    t.equal(json<Article>(moved).embargoedUntil, later)
    clock.set(new Date(first))
    t.equal((await api.get(a.id)).statusCode, 404, 'still embargoed at the first instant')
    t.same(await lifted(a.id), [], 'no stale lift')
    clock.set(new Date(later))
    t.equal((await api.get(a.id)).statusCode, 200)
    t.same(await lifted(a.id), [`article.embargo_lifted ${later}`])
    const revisions = await app.inject({ url: `/v1/articles/${a.id}/revisions`, headers: auth })
    const last = json<{ data: { changedFields: string[] }[] }>(revisions).data.find((r) =>
      r.changedFields.includes('embargoedUntil'),
    )
    t.ok(last, 'the revision names embargoedUntil')
    const snapshot = await app.inject({ url: `/v1/articles/${a.id}/revisions/3`, headers: auth })
    t.equal(json<{ snapshot: { embargoedUntil: string } }>(snapshot).snapshot.embargoedUntil, later)
  })

  await t.test('cleared: public at once, with the lift written by the write, and none later', async (t) => {
    const until = at(hour)
    const a = await api.draft({ headline: 'Cleared', body: 'Body.', embargoedUntil: until })
    t.equal((await api.action(a.id, 'publish')).statusCode, 200)
    t.equal((await api.get(a.id)).statusCode, 404)
    const cleared = await api.patch(a.id, { embargoedUntil: null })
    t.equal(json<Article>(cleared).embargoedUntil, null)
    t.equal((await api.get(a.id)).statusCode, 200, 'public at once')
    const when = clock().toISOString()
    clock.set(new Date(until))
    t.same(await lifted(a.id), [`article.embargo_lifted ${when}`], 'one event, when it was cleared')
    const audit = await app.inject({
      url: `/v1/audit?resourceId=${a.id}`,
      headers: (await createKey(db, ['keys:manage'])).headers,
    })
    t.match(audit.body, /"action":"update"/, 'the change is audited')
  })

  await t.test('an embargo already past is no embargo', async (t) => {
    const a = await api.draft({ headline: 'Past', body: 'Body.', embargoedUntil: at(-hour) })
    t.equal((await api.action(a.id, 'publish')).statusCode, 200)
    t.equal((await api.get(a.id)).statusCode, 200)
    t.same(
      (await lifted(a.id)).map((l) => l.split(' ')[0]),
      ['article.published'],
    )
  })

  await t.test(
    'scheduled after the embargo ends: the embargo is moot, publishing writes article.published',
    async (t) => {
      const a = await api.draft({ headline: 'Moot', body: 'Body.', embargoedUntil: at(hour) })
      const publishAt = at(2 * hour)
      t.equal((await api.action(a.id, 'publish', { publishAt })).statusCode, 200)
      clock.set(new Date(publishAt))
      t.equal((await api.get(a.id)).statusCode, 200)
      t.same(await lifted(a.id), [`article.published ${publishAt}`])
    },
  )

  await t.test('scheduled before the embargo ends: public at the embargo end', async (t) => {
    const publishAt = at(hour)
    const until = at(2 * hour)
    const a = await api.draft({ headline: 'Scheduled under embargo', body: 'Body.', embargoedUntil: until })
    t.equal((await api.action(a.id, 'publish', { publishAt })).statusCode, 200)
    clock.set(new Date(publishAt))
    t.equal((await api.get(a.id)).statusCode, 404, 'due, but under embargo')
    t.equal((await api.get(a.id, previewer)).statusCode, 200)
    t.same(await lifted(a.id), [])
    clock.set(new Date(until))
    t.equal((await api.get(a.id)).statusCode, 200)
    t.same(await lifted(a.id), [`article.embargo_lifted ${until}`])
  })

  await t.test('deleted under embargo: no public tombstone', async (t) => {
    const a = await api.draft({
      headline: 'Deleted under embargo',
      slug: 'deleted-under-embargo',
      body: 'Body.',
      embargoedUntil: at(hour),
    })
    t.equal((await api.action(a.id, 'publish')).statusCode, 200)
    t.equal((await api.remove(a.id)).statusCode, 204)
    t.notMatch((await app.inject('/v1/articles/deletions?limit=100')).body, /deleted-under-embargo/)
    t.match(
      (await app.inject({ url: '/v1/articles/deletions?limit=100', headers: previewer })).body,
      /deleted-under-embargo/,
    )
  })

  await t.test('validation', async (t) => {
    const a = await api.draft({ headline: 'Valid', body: 'Body.' })
    t.same(pointers(t, await api.patch(a.id, { embargoedUntil: 'tomorrow' })), ['/embargoedUntil'])
    t.same(pointers(t, await api.create({ headline: 'x', embargoedUntil: 42 })), ['/embargoedUntil'])
    assertProblem(t, await api.patch(a.id, { embargoedUntil: '0999-01-01T00:00:00Z' }), 400, 'ND_VALIDATION_FAILED')
  })
})

t.test('content:embargoed keys: the scope and what it implies', async (t) => {
  const { app, db } = await build(t, { env })
  const manager = (await createKey(db, ['keys:manage', 'content:embargoed'])).headers
  const res = await app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: manager,
    payload: { name: 'Partner under embargo', scopes: ['content:embargoed'] },
  })
  t.equal(res.statusCode, 201, res.body)
  const partner = (await createKey(db, ['content:embargoed'])).headers
  t.equal((await app.inject({ url: '/v1/articles', headers: partner })).statusCode, 200, 'implies content:read')
  assertProblem(t, await app.inject({ url: '/v1/articles?status=draft', headers: partner }), 403, 'ND_FORBIDDEN')
})
