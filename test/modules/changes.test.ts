// The change feed: one event per change, in commit order, visible to whom it may be, with the
// events of scheduled articles written when they go live, once.
import t from 'tap'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import { assertProblem, build, createKey, json, testClock } from '../helper.js'
import { client, env } from './articles.helpers.js'

interface Feed {
  data: ChangeEvent[]
  page: { limit: number; nextCursor: string }
}

type App = Awaited<ReturnType<typeof build>>['app']

/** Reads the feed from a cursor (all of it, following nextCursor). */
async function follow(app: App, from = '', query = '', headers: Record<string, string> = {}) {
  const events: ChangeEvent[] = []
  let cursor = from
  for (;;) {
    const res = await app.inject({ url: `/v1/changes?limit=100${cursor ? `&cursor=${cursor}` : ''}${query}`, headers })
    if (res.statusCode !== 200) throw new Error(`feed ${res.statusCode}: ${res.body}`)
    const feed = json<Feed>(res)
    events.push(...feed.data)
    cursor = feed.page.nextCursor
    if (feed.data.length < feed.page.limit) return { events, cursor }
  }
}

const summary = (events: ChangeEvent[]) => events.map((e) => `${e.type} ${e.resource.slug}`)

t.test('an article through its life: public events for readers, draft events for preview only', async (t) => {
  const clock = testClock(new Date('2031-03-01T08:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const preview = (await createKey(db, ['content:preview'])).headers
  const reader = (await createKey(db, ['content:read'])).headers
  const api = client(app, auth)

  const start = await follow(app)
  t.same(start.events, [], 'an empty feed')
  const draft = await api.draft({ headline: 'Secret draft headline', slug: 'secret-draft-slug', body: 'Body.' })
  clock.advance(1000)
  await api.patch(draft.id, { summary: 'Still a draft' })
  clock.advance(1000)

  const anonymous = await follow(app, start.cursor)
  t.same(anonymous.events, [], 'anonymous readers see nothing of a draft')
  const raw = await app.inject({ url: `/v1/changes?cursor=${start.cursor}`, headers: reader })
  t.notMatch(raw.body, /secret-draft-slug|Secret draft/, 'neither slug nor headline in any public answer')
  const seen = await follow(app, start.cursor, '', preview)
  t.same(summary(seen.events), ['article.created secret-draft-slug', 'article.draft_updated secret-draft-slug'])
  t.same(seen.events[0]?.surrogateKeys, [], 'a draft event purges nothing')
  t.same(seen.events[1]?.changedFields, ['summary'])

  t.equal((await api.action(draft.id, 'publish')).statusCode, 200)
  clock.advance(1000)
  t.equal((await api.patch(draft.id, { headline: 'Public headline', tags: ['iraq'] })).statusCode, 200)
  clock.advance(1000)
  t.equal((await api.action(draft.id, 'unpublish')).statusCode, 200)
  await api.patch(draft.id, { slug: 'renamed-while-draft' })
  await api.action(draft.id, 'publish')
  await api.action(draft.id, 'archive')
  const current = json<{ version: number }>(await api.get(draft.id, auth))
  t.equal((await api.remove(draft.id, { 'if-match': `"v${current.version}"` })).statusCode, 204)

  const publicEvents = (await follow(app, anonymous.cursor)).events
  t.same(summary(publicEvents), [
    'article.published secret-draft-slug',
    'article.updated secret-draft-slug',
    'article.unpublished secret-draft-slug',
    'article.published renamed-while-draft',
    'article.archived renamed-while-draft',
  ])
  const [published, updated] = publicEvents
  t.equal(published?.resource.version, 3)
  t.same(published?.changedFields, ['status', 'publishedAt'])
  t.same(updated?.changedFields, ['headline', 'tags'])
  t.match(updated?.surrogateKeys, [`article:${draft.id}`, 'articles', 'tag:iraq', 'tags'])
  t.equal(updated?.occurredAt, '2031-03-01T08:00:03.000Z', 'occurredAt is the time of the change')
  const ids = publicEvents.map((e) => BigInt(e.id))
  t.ok(
    ids.every((id, i) => i === 0 || id > (ids[i - 1] as bigint)),
    'ids increase',
  )

  const all = (await follow(app, seen.cursor, '', preview)).events
  t.same(
    summary(all).slice(-4),
    [
      'article.draft_updated renamed-while-draft',
      'article.published renamed-while-draft',
      'article.archived renamed-while-draft',
      'article.deleted renamed-while-draft',
    ],
    'preview sees the rename and the deletion of an article no longer public',
  )
  t.equal(all.length, 7)
})

t.test('sources and collections', async (t) => {
  const clock = testClock(new Date('2031-03-01T08:00:00.000Z'))
  const { app, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: auth, payload })
  const source = json<{ id: string }>(await post('/v1/sources', { name: 'Wire One', kind: 'agency', slug: 'wire-one' }))
  await app.inject({ method: 'PATCH', url: `/v1/sources/${source.id}`, headers: auth, payload: { name: 'Wire 1' } })
  await post('/v1/collections', { key: 'top-stories', title: 'Top stories' })
  const article = await api.draft({ headline: 'In the box', body: 'Body.', credits: [{ source: 'wire-one' }] })
  await api.action(article.id, 'publish')
  const teaser = json<{ id: string }>(
    await post('/v1/collections/top-stories/teasers', { text: 'In the box', articleId: article.id }),
  )
  t.ok(teaser.id)
  await api.action(article.id, 'unpublish')

  const { events } = await follow(app)
  t.same(summary(events), [
    'source.created wire-one',
    'source.updated wire-one',
    'collection.created top-stories',
    'article.published in-the-box',
    'collection.updated top-stories',
    'article.unpublished in-the-box',
    'collection.updated top-stories',
  ])
  t.same(events[1]?.changedFields, ['name'])
  t.same(events[4]?.changedFields, ['teasers'])
  t.match(events[4]?.surrogateKeys, ['collection:top-stories', 'collections'])

  const bySource = await follow(app, '', '&source=wire-one')
  t.same(summary(bySource.events), [
    'source.created wire-one',
    'source.updated wire-one',
    'article.published in-the-box',
    'article.unpublished in-the-box',
  ])
  const byCollection = await follow(app, '', '&collection=top-stories&types=collection.updated')
  t.equal(byCollection.events.length, 2)
  const byResource = await follow(app, '', '&resource=source')
  t.equal(byResource.events.length, 2)
  const byTypes = await follow(app, '', '&types=article.published&types=article.unpublished')
  t.equal(byTypes.events.length, 2)
  const unknownTag = await follow(app, '', '&tag=nothing-tagged')
  t.same(unknownTag.events, [])

  await app.inject({ method: 'DELETE', url: '/v1/collections/top-stories?withTeasers=true', headers: auth })
  const tail = await follow(app, bySource.cursor)
  t.same(summary(tail.events), ['collection.deleted top-stories'])
})

t.test('a scheduled article appears when it goes live, once, on any instance, after a restart', async (t) => {
  const clock = testClock(new Date('2031-03-01T08:00:00.000Z'))
  const quiet = { ...env, WEBHOOK_WORKER: 'false' }
  const first = await build(t, { clock, env: quiet })
  const api = client(first.app, first.auth)
  const draft = await api.draft({ headline: 'Later', slug: 'later', body: 'Body.' })
  await first.app.inject({
    method: 'POST',
    url: '/v1/collections',
    headers: first.auth,
    payload: { key: 'box', title: 'Box' },
  })
  await first.app.inject({
    method: 'POST',
    url: '/v1/collections/box/teasers',
    headers: first.auth,
    payload: { text: 'Later', articleId: draft.id },
  })
  const start = await follow(first.app)
  const goLive = new Date(clock().getTime() + 60_000)
  await api.action(draft.id, 'publish', { publishAt: goLive.toISOString() })
  t.same((await follow(first.app, start.cursor)).events, [], 'nothing public before its time')
  clock.advance(59_999)
  t.same((await follow(first.app, start.cursor)).events, [], 'nothing a millisecond before')
  await first.app.close()

  // Its time comes while no instance runs; two start on the database.
  clock.advance(3_600_000)
  const second = await build(t, { clock, env: quiet, database: first.database })
  const third = await build(t, { clock, env: quiet, database: first.database })
  const [a, b] = await Promise.all([follow(second.app, start.cursor), follow(third.app, start.cursor)])
  t.same(summary(a.events), ['article.published later', 'collection.updated box'])
  t.same(a.events, b.events, 'both instances read the same single events')
  t.equal(a.events[0]?.occurredAt, goLive.toISOString(), 'dated when it went live')
  t.same((await follow(second.app, a.cursor)).events, [], 'written once')
})

t.test('a teaser window opening and closing changes the box', async (t) => {
  const clock = testClock(new Date('2031-03-01T08:00:00.000Z'))
  const { app, auth } = await build(t, { clock, env: { ...env, WEBHOOK_WORKER: 'false' } })
  await app.inject({ method: 'POST', url: '/v1/collections', headers: auth, payload: { key: 'box', title: 'Box' } })
  const opens = new Date(clock().getTime() + 10_000).toISOString()
  const closes = new Date(clock().getTime() + 20_000).toISOString()
  await app.inject({
    method: 'POST',
    url: '/v1/collections/box/teasers',
    headers: auth,
    payload: { text: 'Partner', url: 'https://partner.example/story', startsAt: opens, endsAt: closes },
  })
  const start = await follow(app)
  clock.advance(10_000)
  const opened = await follow(app, start.cursor)
  t.same(summary(opened.events), ['collection.updated box'])
  t.equal(opened.events[0]?.occurredAt, opens)
  clock.advance(10_000)
  const closed = await follow(app, opened.cursor)
  t.equal(closed.events[0]?.occurredAt, closes)
  t.equal(closed.events.length, 1)
})

t.test('the background worker writes due events without a reader', async (t) => {
  const clock = testClock(new Date('2031-03-01T08:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env: { ...env, WORKER_POLL_MS: '20' } })
  const api = client(app, auth)
  const draft = await api.draft({ headline: 'Worker', body: 'Body.' })
  await api.action(draft.id, 'publish', { publishAt: new Date(clock().getTime() + 1000).toISOString() })
  clock.advance(1000)
  for (let i = 0; i < 250; i++) {
    const n = await db.prisma.changeEvent.count({ where: { type: 'article.published' } })
    if (n > 0) break
    await new Promise((r) => setTimeout(r, 20))
  }
  t.equal(await db.prisma.changeEvent.count({ where: { type: 'article.published' } }), 1)
})

t.test('cursors: invalid ones are 400, those older than the retention 410', async (t) => {
  const clock = testClock(new Date('2031-03-01T08:00:00.000Z'))
  const { app, db, auth } = await build(t, {
    clock,
    env: { ...env, WORKER_POLL_MS: '20', CHANGES_RETENTION_DAYS: '1' },
  })
  const api = client(app, auth)
  assertProblem(t, await app.inject({ url: '/v1/changes?cursor=nope' }), 400, 'ND_INVALID_CURSOR')
  const foreign = Buffer.from(JSON.stringify({ s: 'changes', v: ['12345678901234567890'] })).toString('base64url')
  assertProblem(t, await app.inject({ url: `/v1/changes?cursor=${foreign}` }), 400, 'ND_INVALID_CURSOR')
  assertProblem(t, await app.inject({ url: '/v1/changes?types=article.nope' }), 400, 'ND_VALIDATION_FAILED')

  const start = await follow(app)
  const a = await api.draft({ headline: 'Old news', body: 'Body.' })
  await api.action(a.id, 'publish')
  const after = await follow(app, start.cursor)
  t.equal(after.events.length, 1)
  clock.advance(2 * 86_400_000)
  const b = await api.draft({ headline: 'New news', body: 'Body.' })
  await api.action(b.id, 'publish')
  for (let i = 0; i < 250 && (await db.prisma.changeEvent.count({ where: { resourceId: a.id } })) > 0; i++) {
    await new Promise((r) => setTimeout(r, 20))
  }
  t.equal(await db.prisma.changeEvent.count({ where: { resourceId: a.id } }), 0, 'old events removed')
  const gone = await app.inject({ url: `/v1/changes?cursor=${start.cursor}` })
  assertProblem(t, gone, 410, 'ND_CURSOR_EXPIRED')
  const recent = await follow(app, after.cursor)
  t.same(summary(recent.events), ['article.published new-news'], 'a cursor within the retention still reads on')
  const first = await app.inject({ url: '/v1/changes?limit=1' })
  t.match(String(first.headers.link), /^<\/v1\/changes\?limit=1&cursor=[A-Za-z0-9_-]+>; rel="next"$/)
})
