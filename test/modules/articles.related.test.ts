// Related articles: GET /v1/articles/{idOrSlug}/related and include=related on a single read —
// the ranking (shared tags, shared sections, time apart, words), what is never listed, who may
// ask about what, bounds, and caching headers. Each subtest has tags of its own, so the subtests'
// articles do not relate to one another's.
import { test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import type { RelatedArticle } from '../../src/modules/articles/articles.view.schemas.js'
import { build, createKey, json, testClock } from '../helper.js'
import { assertProblem, client, env, type Headers, pointers } from './articles.helpers.js'
import { published } from './articles.lists.helpers.js'

const start = new Date('2031-01-01T00:00:00.000Z')
const day = 86_400_000
/** A publish time `days` before the subject articles' (2030-12-01). */
const daysBefore = (days: number) => new Date(Date.parse('2030-12-01T00:00:00.000Z') - days * day).toISOString()
const subjectTime = daysBefore(0)

test('related articles', async (t) => {
  const clock = testClock(start)
  // Sections are filed through the database here: no response cache may keep an answer across that.
  const { app, db, auth } = await build(t, { clock, env: { ...env, RESPONSE_CACHE_MB: '0' } })
  const api = client(app, auth)
  const previewer = (await createKey(db, ['content:preview'])).headers
  const reader = (await createKey(db, ['content:read'])).headers
  const related = async (idOrSlug: string, query = '', headers: Headers = {}) => {
    const res = await app.inject({ url: `/v1/articles/${idOrSlug}/related${query ? `?${query}` : ''}`, headers })
    return { res, data: res.statusCode === 200 ? json<{ data: SparseArticle[] }>(res).data : [] }
  }
  const headlines = async (idOrSlug: string, query = '', headers: Headers = {}) => {
    const { res, data } = await related(idOrSlug, query, headers)
    if (res.statusCode !== 200) throw new Error(`related ${idOrSlug}: ${res.statusCode} ${res.body}`)
    return data.map((a) => a.headline)
  }
  const section = async (path: string) => {
    const slug = path.split('/').pop() as string
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : null
    const parentRow = parent ? await db.prisma.section.findUniqueOrThrow({ where: { path: parent } }) : null
    return db.prisma.section.create({
      data: { slug, name: slug, path, depth: path.split('/').length, parentId: parentRow?.id ?? null },
    })
  }
  const file = async (article: { id: string }, sectionIds: string[]) => {
    await db.prisma.articleSection.createMany({
      data: sectionIds.map((sectionId, position) => ({
        articleId: article.id,
        sectionId,
        position,
        primary: position === 0,
      })),
    })
  }
  const at = (headline: string, tags: string[], publishAt = subjectTime, extra: object = {}) =>
    published(api, { headline, tags, ...extra }, publishAt)

  await t.test('more shared tags rank higher; a shared section counts half a tag', async (t) => {
    const world = await section('world')
    const europe = await section('world/europe')
    const subject = await at('Rank subject', ['rank-a', 'rank-b', 'rank-c'])
    await file(subject, [world.id, europe.id])
    await at('Shares three tags', ['rank-a', 'rank-b', 'rank-c', 'rank-other'])
    await at('Shares two tags', ['rank-b', 'rank-a'])
    const oneAndSection = await at('Shares a tag and a section', ['rank-c'])
    await file(oneAndSection, [europe.id])
    await at('Shares one tag', ['rank-a'])
    const oneSection = await at('Shares one section', [])
    await file(oneSection, [world.id])
    const farSection = await at('Shares one section, 10 days before', [], daysBefore(10))
    await file(farSection, [world.id])
    const otherSection = await section('sport')
    await file(await at('Another section', ['rank-other']), [otherSection.id])
    await at('Shares nothing', ['rank-other'])

    const expected = [
      'Shares three tags',
      'Shares two tags',
      'Shares a tag and a section',
      'Shares one tag',
      'Shares one section',
      'Shares one section, 10 days before',
    ]
    t.same(await headlines(subject.slug, 'limit=20'), expected)
    t.same(await headlines(subject.id, 'limit=20'), expected, 'by id as by slug')
    t.same(await headlines(subject.id.toUpperCase(), 'limit=20'), expected, 'ids in any case')
    t.same(await headlines(subject.slug), expected.slice(0, 5), 'five by default')
    t.same(await headlines(subject.slug, 'limit=2'), expected.slice(0, 2))

    // A former slug names the article too.
    const renamed = await api.patch(subject.id, { slug: 'rank-subject-renamed' })
    t.equal(renamed.statusCode, 200)
    t.same(await headlines(subject.slug, 'limit=1'), expected.slice(0, 1), 'by a former slug')
    t.same(await headlines('rank-subject-renamed', 'limit=1'), expected.slice(0, 1))
  })

  await t.test('closer in time ranks higher: the score halves 30 days apart', async (t) => {
    const subject = await at('Time subject', ['time-x', 'time-y'])
    await at('One tag, 100 days before', ['time-x'], daysBefore(100))
    await at('Both tags, 200 days before', ['time-x', 'time-y'], daysBefore(200))
    await at('One tag, 3 days before', ['time-x'], daysBefore(3))
    await at('One tag, a day after', ['time-y'], daysBefore(-1))
    await at('Both tags, 31 days before', ['time-y', 'time-x'], daysBefore(31))
    t.same(await headlines(subject.slug, 'limit=20'), [
      // 2 / (1 + 31/30) = 0.98 beats 1 / (1 + 1/30) = 0.97 by a hair; 200 days apart, two tags count less than one 3 days apart.
      'Both tags, 31 days before',
      'One tag, a day after',
      'One tag, 3 days before',
      'Both tags, 200 days before',
      'One tag, 100 days before',
    ])
    // A draft has no publish time: it is placed now (2031-01-01), 30 days after the one a day after
    // the subject (0.5), 31 after the subject (0.49).
    const draft = await api.draft({ headline: 'Time draft', tags: ['time-y'] })
    t.same(await headlines(draft.id, 'limit=2', previewer), ['One tag, a day after', 'Time subject'])
  })

  await t.test('among equals, the closest in words, then the newest', async (t) => {
    const subject = await at('Glacier melt threatens alpine villages', ['text-t'], subjectTime, {
      summary: 'Villages below the glacier prepare for floods.',
    })
    // Created in this order: without the words, the newest (the last created) would come first.
    await at('Alpine glacier melt speeds up', ['text-t'])
    await at('Floods expected downstream', ['text-t'])
    await at('Council meets on the budget', ['text-t'])
    await at('Council meets on the harbour', ['text-t'])
    t.same(await headlines(subject.slug), [
      'Alpine glacier melt speeds up',
      'Floods expected downstream',
      'Council meets on the harbour',
      'Council meets on the budget',
    ])
    // All four score the same: past the last one listed, the words still decide who is listed.
    t.same(await headlines(subject.slug, 'limit=1'), ['Alpine glacier melt speeds up'])
    t.same(await headlines(subject.slug, 'limit=2'), ['Alpine glacier melt speeds up', 'Floods expected downstream'])
  })

  await t.test('candidates: its neighbours in time through each tag, scored on every tag they share', async (t) => {
    const subject = await at('Window subject', ['win-common', 'win-rare'])
    for (let i = 0; i < 11; i++) await at(`Window ${i}`, ['win-common'])
    await at('Window both tags', ['win-common', 'win-rare'])
    // Through the common tag, the 10 created next (as many as listed, at least 10): the last two
    // created are not among them, but one of them is found through the rarer tag and scores both.
    // All else equal, the newest come first: Window 10 would lead the others if it were a candidate.
    t.same(await headlines(subject.slug), ['Window both tags', 'Window 9', 'Window 8', 'Window 7', 'Window 6'])
    t.same((await headlines(subject.slug, 'limit=12')).slice(0, 3), ['Window both tags', 'Window 10', 'Window 9'])
  })

  await t.test('never the article itself, nor one that is not public, whoever asks', async (t) => {
    const subject = await at('Hidden subject', ['hide-h'])
    const draft = await api.draft({ headline: 'Hidden draft', body: 'Body.', tags: ['hide-h'] })
    const scheduled = await api.draft({ headline: 'Hidden scheduled', body: 'Body.', tags: ['hide-h'] })
    t.equal((await api.action(scheduled.id, 'publish', { publishAt: '2031-02-01T00:00:00.000Z' })).statusCode, 200)
    const archived = await at('Hidden archived', ['hide-h'])
    t.equal((await api.action(archived.id, 'archive')).statusCode, 200)
    const deleted = await at('Hidden deleted', ['hide-h'])
    t.equal((await api.remove(deleted.id)).statusCode, 204)
    await at('Visible', ['hide-h'])

    for (const headers of [{}, reader, previewer, auth]) {
      t.same(await headlines(subject.id, 'limit=20', headers), ['Visible'], JSON.stringify(Object.keys(headers)))
    }
    // Related to the draft (seen by a previewer): the public ones only, never itself (as far apart
    // in time, "Hidden" is the word in common).
    t.same(await headlines(draft.id, 'limit=20', previewer), ['Hidden subject', 'Visible'])
    t.same(await headlines(archived.id, 'limit=20', previewer), ['Hidden subject', 'Visible'])

    clock.set(new Date('2031-02-01T00:00:01.000Z'))
    t.same(await headlines(subject.id, 'limit=20'), ['Visible', 'Hidden scheduled'], 'a scheduled one once due')
    t.same(await headlines(scheduled.slug, 'limit=20'), ['Hidden subject', 'Visible'], 'and its own related')
    clock.set(start)
  })

  await t.test('the article must be visible to the caller: 404 as for the article itself', async (t) => {
    const draft = await api.draft({ headline: 'Unseen draft', body: 'Body.', tags: ['seen-s'] })
    const scheduled = await api.draft({ headline: 'Unseen scheduled', body: 'Body.', tags: ['seen-s'] })
    await api.action(scheduled.id, 'publish', { publishAt: '2031-03-01T00:00:00.000Z' })
    const archived = await at('Unseen archived', ['seen-s'])
    await api.action(archived.id, 'archive')
    const deleted = await at('Unseen deleted', ['seen-s'])
    await api.remove(deleted.id)
    await at('Seen', ['seen-s'])
    for (const hidden of [draft, scheduled, archived]) {
      for (const headers of [{}, reader]) {
        assertProblem(t, (await related(hidden.id, '', headers)).res, 404, 'ND_NOT_FOUND')
        assertProblem(t, (await related(hidden.slug, '', headers)).res, 404, 'ND_NOT_FOUND')
      }
      t.same(await headlines(hidden.id, '', previewer), ['Seen'], `${hidden.headline} for a previewer`)
    }
    for (const headers of [{}, previewer]) {
      assertProblem(t, (await related(deleted.id, '', headers)).res, 404, 'ND_NOT_FOUND')
      assertProblem(t, (await related('no-such-article', '', headers)).res, 404, 'ND_NOT_FOUND')
    }
    // Public, with nothing related.
    const alone = await at('Alone', ['seen-alone'])
    const { res, data } = await related(alone.slug)
    t.equal(res.statusCode, 200)
    t.same(data, [])
  })

  await t.test('bounds and parameters', async (t) => {
    const subject = await at('Bounds subject', ['bound-b'])
    for (let i = 0; i < 22; i++) await at(`Bound ${i}`, ['bound-b'], daysBefore(i + 1))
    t.equal((await headlines(subject.slug, 'limit=20')).length, 20)
    t.equal((await headlines(subject.slug, 'limit=1')).length, 1)
    for (const [query, pointer] of [
      ['limit=0', '/limit'],
      ['limit=21', '/limit'],
      ['limit=abc', '/limit'],
      ['fields=nope', '/fields'],
      ['include=related', '/include'],
      ['cursor=abc', '/cursor'],
    ] as const) {
      t.same(pointers(t, (await related(subject.slug, query)).res), [pointer], query)
    }

    const { data } = await related(subject.slug, 'limit=2&fields=slug,headline&include=tags,source')
    t.same(Object.keys(data[0] ?? {}).sort(), ['headline', 'id', 'slug', 'source', 'tagDetails'])
    t.same(data[0]?.tagDetails, [{ slug: 'bound-b', name: 'Bound b', type: 'subject', uri: null }])
    const full = (await related(subject.slug, 'limit=1')).data[0] as Article
    t.equal(full.body, 'Body.', 'every field without `fields`, as in lists')
    t.equal(full.status, 'published')
  })

  await t.test('include=related on a single read: the five best, compact', async (t) => {
    const subject = await at('Embed subject', ['embed-e', 'embed-f'])
    const best = await at('Embed best', ['embed-e', 'embed-f'], subjectTime, {
      summary: 'The best one.',
      leadImage: { url: 'https://images.example.com/best.jpg', caption: 'A caption', credit: 'Photo: Someone' },
      language: 'hy',
    })
    for (let i = 0; i < 6; i++) await at(`Embed ${i}`, ['embed-e'], daysBefore(i + 1))
    const list = await headlines(subject.slug)

    const res = await app.inject(`/v1/articles/${subject.slug}?include=related`)
    t.equal(res.statusCode, 200)
    const article = json<Article & { related: RelatedArticle[] }>(res)
    t.same(
      article.related.map((r) => r.headline),
      list,
      'the same five as the related list',
    )
    t.same(article.related[0], {
      id: best.id,
      slug: best.slug,
      headline: 'Embed best',
      summary: 'The best one.',
      language: 'hy',
      publishedAt: subjectTime,
      url: null,
      leadImage: { url: 'https://images.example.com/best.jpg', caption: 'A caption', credit: 'Photo: Someone' },
    })
    t.equal(article.related[1]?.leadImage, null)
    t.equal(article.headline, 'Embed subject', 'the article as without include')
    t.notOk('related' in json(await app.inject(`/v1/articles/${subject.slug}`)), 'only when asked for')

    const keys = String(res.headers['surrogate-key']).split(' ')
    for (const key of [`article:${subject.id}`, 'articles']) t.ok(keys.includes(key), key)
    // Tags shown by slug: a new slug is a change to the articles, which purges `articles`.
    t.notOk(keys.includes('tag:embed-e'), 'no key of a tag shown by its slug')
    t.notOk(keys.includes(`article:${best.id}`), 'a related article is purged with `articles`')
    t.notMatch(String(res.headers.etag), /^"v\d+"$/, 'not the version ETag of the full representation')
    t.equal(res.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')

    const both = json<Article & { related: RelatedArticle[] }>(
      await app.inject(`/v1/articles/${subject.id}?include=tags,related&fields=headline`),
    )
    t.same(Object.keys(both).sort(), ['headline', 'id', 'related', 'tagDetails'])

    // A previewer's draft: its related articles are public ones (as far apart, no word in common:
    // the newest first, the last created).
    const draft = await api.draft({ headline: 'Waiting for an editor', tags: ['embed-f'] })
    const preview = json<Article & { related: RelatedArticle[] }>(
      await app.inject({ url: `/v1/articles/${draft.id}?include=related`, headers: previewer }),
    )
    t.same(
      preview.related.map((r) => r.headline),
      ['Embed best', 'Embed subject'],
    )
    assertProblem(t, await app.inject(`/v1/articles/${draft.id}?include=related`), 404, 'ND_NOT_FOUND')
  })

  await t.test('caching headers', async (t) => {
    const subject = await at('Cache subject', ['cache-c'])
    const older = await at('Cache older', ['cache-c'], daysBefore(2))
    const newer = await at('Cache newer', ['cache-c'], daysBefore(1))
    // The subject changed last: its time is the answer's Last-Modified.
    clock.advance(1000)
    const edited = json<Article>(await api.patch(subject.id, { summary: 'Edited.' }))

    for (const headers of [{}, reader]) {
      const { res } = await related(subject.slug, '', headers)
      t.equal(res.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
      t.match(String(res.headers.vary), /\bAuthorization\b/i)
      const keys = String(res.headers['surrogate-key']).split(' ')
      for (const key of [`article:${subject.id}`, 'articles']) t.ok(keys.includes(key), key)
      t.notOk(keys.includes('tag:cache-c'), 'no key of a tag shown by its slug')
      for (const other of [older, newer]) t.notOk(keys.includes(`article:${other.id}`), 'purged with `articles`')
      t.equal(res.headers['last-modified'], new Date(edited.updatedAt).toUTCString())
      t.ok(res.headers.etag)
    }
    // A related article changed last.
    clock.advance(1000)
    const touched = json<Article>(await api.patch(older.id, { summary: 'Touched.' }))
    const { res } = await related(subject.slug)
    t.equal(res.headers['last-modified'], new Date(touched.updatedAt).toUTCString())

    const etag = String(res.headers.etag)
    const notModified = await app.inject({
      url: `/v1/articles/${subject.slug}/related`,
      headers: { 'if-none-match': etag },
    })
    t.equal(notModified.statusCode, 304)
    t.equal(notModified.body, '')

    for (const headers of [previewer, auth]) {
      const { res } = await related(subject.slug, '', headers)
      t.equal(res.statusCode, 200)
      t.equal(res.headers['cache-control'], 'private, no-store')
    }
    clock.set(start)
  })
})
