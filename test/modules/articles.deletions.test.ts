// The articles API through HTTP: deletion, its tombstones, and who sees which.
import { test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, createKey, json, type Page, testClock } from '../helper.js'
import {
  assertProblem,
  client,
  env,
  type Headers,
  missingId,
  pointers,
  seedSlug,
  type Tombstone,
} from './articles.helpers.js'

test('delete: tombstones', async (t) => {
  const clock = testClock(new Date('2031-07-01T00:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  await seed(db.prisma)
  const api = client(app, auth)
  const reader = (await createKey(db, ['content:read'])).headers
  const deletions = async (query = '', headers: Headers = {}) => {
    const res = await app.inject({ url: `/v1/articles/deletions${query}`, headers })
    return { res, page: json<Page<Tombstone>>(res) }
  }

  const article = json<Article>(await api.get(seedSlug))
  const countsBefore = await api.tagCounts()
  t.equal(countsBefore.iraq, 1)
  t.same((await deletions()).page.data, [])

  assertProblem(t, await app.inject({ method: 'DELETE', url: `/v1/articles/${article.id}` }), 401, 'ND_UNAUTHORIZED')
  assertProblem(
    t,
    await app.inject({ method: 'DELETE', url: `/v1/articles/${article.id}`, headers: reader }),
    403,
    'ND_FORBIDDEN',
  )
  const res = await api.remove(article.id)
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  const deletedAt = clock().toISOString()

  for (const [what, r] of [
    ['anonymous by id', await api.get(article.id)],
    ['anonymous by slug', await api.get(seedSlug)],
    ['preview by id', await api.get(article.id, auth)],
    ['preview by slug', await api.get(seedSlug, auth)],
    ['revisions', await app.inject({ url: `/v1/articles/${article.id}/revisions`, headers: auth })],
    ['revision', await app.inject({ url: `/v1/articles/${article.id}/revisions/1`, headers: auth })],
    ['patch', await api.patch(article.id, { headline: 'x' })],
    ['unpublish', await api.action(article.id, 'unpublish')],
    [
      'restore',
      await app.inject({ method: 'POST', url: `/v1/articles/${article.id}/revisions/1/restore`, headers: auth }),
    ],
    ['delete again', await api.remove(article.id)],
  ] as const) {
    t.equal(r.statusCode, 404, what)
  }
  for (const headers of [{}, auth]) {
    const { page } = await api.list('limit=100&fields=slug', headers)
    t.notOk(
      page.data.some((a) => a.id === article.id),
      'gone from lists',
    )
    const search = await api.list('q=intelligence&fields=slug', headers)
    t.same(search.page.data, [], 'gone from search')
    const counted = await api.list('count=true&limit=1', headers)
    t.equal((counted.page.page as { total?: number }).total, 4)
  }
  t.equal((await api.list('tag=iraq')).page.data.length, 0)
  const bySource = await app.inject('/v1/sources/panarmenian-net/articles?fields=slug&limit=100')
  t.notOk(json<Page<SparseArticle>>(bySource).data.some((a) => a.id === article.id))
  for (const headers of [{}, auth]) {
    const counts = await api.tagCounts(headers)
    for (const tag of ['iraq', 'syria', 'russia', 'iran', 'islamic-state']) {
      // Tags of deleted articles only: listed with no articles to editors, not listed to the public.
      t.equal(counts[tag], headers === auth ? 0 : undefined, `tag ${tag}`)
    }
    t.equal(counts.azerbaijan, 2, 'other counts are untouched')
  }

  const listed = await deletions()
  t.equal(listed.res.statusCode, 200)
  t.same(listed.page.data, [{ id: article.id, slug: seedSlug, deletedAt, killed: false, notice: null, reason: null }])
  t.match(String(listed.res.headers['cache-control']), /^public/)
  t.same((await deletions(`?since=${encodeURIComponent(deletedAt)}`)).page.data.length, 1, 'since is inclusive')
  const later = new Date(clock().getTime() + 1).toISOString()
  t.same((await deletions(`?since=${encodeURIComponent(later)}`)).page.data, [])

  // More deletions, paged oldest first.
  const ids: string[] = []
  for (let i = 0; i < 3; i++) {
    clock.advance(1000)
    const a = await api.draft({ headline: `Doomed ${i}`, body: 'Text.' })
    t.equal((await api.action(a.id, 'publish')).statusCode, 200)
    t.equal((await api.remove(a.id, { 'if-match': '"v2"' })).statusCode, 204)
    ids.push(a.id)
  }
  const first = await deletions('?limit=2')
  t.same(
    first.page.data.map((d) => d.id),
    [article.id, ids[0]],
  )
  t.match(String(first.res.headers.link), /rel="next"/)
  const second = await deletions(`?limit=2&cursor=${first.page.page.nextCursor}`)
  t.same(
    second.page.data.map((d) => d.id),
    [ids[1], ids[2]],
  )
  t.equal(second.page.page.nextCursor, null)
  const sinceSecond = await deletions(`?since=${encodeURIComponent(new Date(clock().getTime() - 1000).toISOString())}`)
  t.same(
    sinceSecond.page.data.map((d) => d.id),
    [ids[1], ids[2]],
  )
  t.same(pointers(t, (await deletions('?since=yesterday')).res), ['/since'])
  t.same(pointers(t, (await deletions('?sice=2020-01-01T00:00:00Z')).res), ['/sice'])
  assertProblem(t, (await deletions('?cursor=AAAA')).res, 400, 'ND_INVALID_CURSOR')

  // A stale If-Match keeps the article.
  const kept = await api.draft({ headline: 'Kept' })
  await api.patch(kept.id, { summary: 'v2' })
  t.equal(
    assertProblem(t, await api.remove(kept.id, { 'if-match': '"v1"' }), 412, 'ND_PRECONDITION_FAILED').currentVersion,
    2,
  )
  t.equal((await api.get(kept.id, auth)).statusCode, 200)
  assertProblem(t, await api.remove(missingId), 404, 'ND_NOT_FOUND')
})

test('delete: only once-public articles leave a public tombstone (#B1)', async (t) => {
  const clock = testClock(new Date('2031-07-01T00:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const previewer = (await createKey(db, ['content:preview'])).headers
  const reader = (await createKey(db, ['content:read'])).headers
  const tombstones = async (headers: Headers = {}) => {
    const res = await app.inject({ url: '/v1/articles/deletions?limit=100', headers })
    t.equal(res.statusCode, 200)
    return json<Page<Tombstone>>(res).data.map((d) => d.slug)
  }
  const remove = async (a: Article) => {
    const res = await api.remove(a.id)
    t.equal(res.statusCode, 204, res.body)
  }
  const story = (headline: string) => api.draft({ headline, body: 'Text.' })

  const draft = await story('Secret merger talks')
  await remove(draft)

  const early = await story('Scheduled then dropped')
  await api.action(early.id, 'publish', { publishAt: new Date(clock().getTime() + 60_000).toISOString() })
  await remove(early)

  const due = await story('Scheduled and due')
  await api.action(due.id, 'publish', { publishAt: new Date(clock().getTime() + 60_000).toISOString() })
  clock.advance(120_000)
  await remove(due)

  const withdrawn = await story('Published then unpublished')
  await api.action(withdrawn.id, 'publish')
  clock.advance(1000)
  await api.action(withdrawn.id, 'unpublish')
  await remove(withdrawn)

  const archived = await story('Published then archived')
  await api.action(archived.id, 'publish')
  await api.action(archived.id, 'archive')
  await remove(archived)

  const oncePublic = ['scheduled-and-due', 'published-then-unpublished', 'published-then-archived']
  for (const headers of [{}, reader]) t.same(await tombstones(headers), oncePublic, 'public: once-public articles')
  const every = ['secret-merger-talks', 'scheduled-then-dropped', ...oncePublic]
  for (const headers of [previewer, auth]) t.same(await tombstones(headers), every, 'preview: every deletion')
})
