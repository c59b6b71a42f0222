// Killing an article through HTTP: gone from every public read, a tombstone with the notice,
// article.killed with the notice and the surrogate keys, no way back; and its webhook deliveries
// go out before older pending ones.
import { test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, createKey, json, type Page, testClock } from '../helper.js'
import { assertProblem, client, env, type Headers, type Tombstone } from './articles.helpers.js'
import { buildHooks, deliveryEnv, startReceiver, type WebhookBody } from './webhooks.helpers.js'

const killed = 'azerbaijan-192-troops-killed-511-wounded-in-offensive'
const kill = { reason: 'Legal: a court order names the witness.', notice: 'Withdrawn for legal reasons. Remove it.' }

test('kill: withdrawn everywhere, for good', async (t) => {
  const clock = testClock(new Date('2031-07-01T00:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  await seed(db.prisma)
  const api = client(app, auth)
  const killArticle = (id: string, payload: object = kill, headers: Headers = {}) =>
    app.inject({ method: 'POST', url: `/v1/articles/${id}/kill`, headers: { ...auth, ...headers }, payload })
  const article = json<Article>(await api.get(killed))
  const box = async () => (await app.inject({ url: '/v1/collections/top-stories/teasers' })).body
  t.match(await box(), article.id, 'in the box before')
  const countsBefore = await api.tagCounts()

  await t.test('refused: never published, bad input, access, stale version', async (t) => {
    const draft = await api.draft({ headline: 'Draft', body: 'Text.' })
    assertProblem(t, await killArticle(draft.id), 422, 'ND_NOT_YET_PUBLISHED')
    t.equal((await api.get(draft.id, auth)).statusCode, 200, 'still there')
    for (const payload of [{}, { reason: 'x' }, { ...kill, notice: ' ' }, { ...kill, reason: 'x'.repeat(2001) }]) {
      assertProblem(t, await killArticle(article.id, payload), 400, 'ND_VALIDATION_FAILED')
    }
    const reader = (await createKey(db, ['content:read'])).headers
    const res = await app.inject({
      method: 'POST',
      url: `/v1/articles/${article.id}/kill`,
      headers: reader,
      payload: kill,
    })
    assertProblem(t, res, 403, 'ND_FORBIDDEN')
    assertProblem(t, await killArticle(article.id, kill, { 'if-match': '"v99"' }), 412, 'ND_PRECONDITION_FAILED')
    t.equal((await api.get(article.id)).statusCode, 200, 'still public')
  })

  const related = json<{ data: { id: string }[] }>(
    await app.inject({ url: '/v1/articles/azerbaijan-to-raise-defense-budget-in-2023/related?limit=20' }),
  )
  t.equal((await killArticle(article.id, kill, { 'if-match': `"v${article.version}"` })).statusCode, 204)
  const at = clock().toISOString()

  await t.test('every public read treats it as deleted', async (t) => {
    for (const headers of [{}, auth]) {
      t.equal((await api.get(article.id, headers)).statusCode, 404, 'by id')
      t.equal((await api.get(killed, headers)).statusCode, 404, 'by slug')
      const { page } = await api.list('limit=100&fields=slug', headers)
      t.notOk(
        page.data.some((a) => a.id === article.id),
        'lists',
      )
      const search = await api.list('q=offensive&fields=slug', headers)
      t.notOk(
        search.page.data.some((a) => a.id === article.id),
        'search',
      )
      const bySource = await app.inject({ url: '/v1/sources/panarmenian-net/articles?fields=slug&limit=100', headers })
      t.notOk(
        json<Page<SparseArticle>>(bySource).data.some((a) => a.id === article.id),
        'source list',
      )
    }
    t.equal((await api.tagCounts()).azerbaijan, (countsBefore.azerbaijan ?? 0) - 1, 'tag counts')
    t.notMatch(await box(), article.id, 'boxes')
    t.ok(related.data.length >= 0)
    const relatedAfter = await app.inject({
      url: '/v1/articles/azerbaijan-to-raise-defense-budget-in-2023/related?limit=20',
    })
    t.notMatch(relatedAfter.body, article.id, 'related lists')
    const notes = await app.inject({ url: `/v1/corrections?article=${article.id}`, headers: auth })
    t.same(json<Page<unknown>>(notes).data, [], 'corrections')
  })

  await t.test('a tombstone with the notice; the reason for writers only', async (t) => {
    const open = json<Page<Tombstone>>(await app.inject({ url: '/v1/articles/deletions' })).data
    t.same(open, [{ id: article.id, slug: killed, deletedAt: at, killed: true, notice: kill.notice, reason: null }])
    const writer = json<Page<Tombstone>>(await app.inject({ url: '/v1/articles/deletions', headers: auth })).data
    t.equal(writer[0]?.reason, kill.reason)
    const previewer = (await createKey(db, ['content:preview'])).headers
    const preview = json<Page<Tombstone>>(await app.inject({ url: '/v1/articles/deletions', headers: previewer }))
    t.equal(preview.data[0]?.reason, null)
  })

  await t.test('article.killed: public, with the notice and the surrogate keys; collection.updated', async (t) => {
    const feed = json<{ data: ChangeEvent[] }>(await app.inject({ url: '/v1/changes?limit=100' })).data
    const event = feed.find((e) => e.type === 'article.killed')
    t.match(event, {
      resource: { type: 'article', id: article.id, slug: killed },
      changedFields: ['deletedAt', 'killedAt'],
      data: { notice: kill.notice },
    })
    for (const key of [`article:${article.id}`, 'articles', 'tag:azerbaijan', 'tags', 'article-deletions']) {
      t.ok(event?.surrogateKeys.includes(key), key)
    }
    t.notMatch(JSON.stringify(event), kill.reason, 'never the reason')
    t.ok(
      feed.some((e) => e.type === 'collection.updated' && e.resource.slug === 'top-stories'),
      'the box changed',
    )
    const audit = json<{ data: { action: string; detail: string | null }[] }>(
      await app.inject({
        url: `/v1/audit?resourceType=article&resourceId=${article.id}`,
        headers: (await createKey(db, ['keys:manage'])).headers,
      }),
    )
    t.equal(audit.data[0]?.action, 'kill', 'audited')
    t.equal(audit.data[0]?.detail, kill.reason, 'with its reason')
  })

  await t.test('no way back', async (t) => {
    assertProblem(t, await api.patch(article.id, { headline: 'Back' }), 409, 'ND_ARTICLE_KILLED')
    assertProblem(t, await api.action(article.id, 'unpublish'), 409, 'ND_ARTICLE_KILLED')
    assertProblem(t, await api.remove(article.id), 409, 'ND_ARTICLE_KILLED')
    assertProblem(t, await killArticle(article.id), 409, 'ND_ARTICLE_KILLED')
    const restore = await app.inject({
      method: 'POST',
      url: `/v1/articles/${article.id}/revisions/1/restore`,
      headers: auth,
    })
    assertProblem(t, restore, 409, 'ND_ARTICLE_KILLED')
    for (const path of ['revisions', 'revisions/1']) {
      const read = await app.inject({ url: `/v1/articles/${article.id}/${path}`, headers: auth })
      assertProblem(t, read, 404, 'ND_NOT_FOUND')
    }
  })

  await t.test('a deleted article is gone, not killed', async (t) => {
    const other = await api.draft({ headline: 'Gone', body: 'Text.' })
    await api.action(other.id, 'publish')
    await api.remove(other.id)
    assertProblem(t, await killArticle(other.id), 404, 'ND_NOT_FOUND')
  })
})

test('kill: its deliveries go out before older pending ones', async (t) => {
  const { app, db, api, task } = await buildHooks(t, { env: { ...deliveryEnv, WEBHOOK_CONCURRENCY: '1' } })
  const writer = (await createKey(db, ['content:write'])).headers
  const articles = client(app, writer)
  const a = await articles.draft({ headline: 'Withdrawn soon', body: 'Text.' })
  await articles.action(a.id, 'publish')
  const receiver = await startReceiver(t)
  const hook = json<WebhookBody>(await api.create({ url: receiver.url, events: ['article.*'] }))
  // Pending before the kill: three updates of the article.
  for (const summary of ['one', 'two', 'three']) await articles.patch(a.id, { summary })
  const res = await app.inject({
    method: 'POST',
    url: `/v1/articles/${a.id}/kill`,
    headers: writer,
    payload: kill,
  })
  t.equal(res.statusCode, 204)
  // One delivery a run (WEBHOOK_CONCURRENCY=1): the first sent is the kill.
  await task.run()
  t.equal(receiver.received.length, 1)
  const first = JSON.parse(receiver.received[0]?.body ?? '{}') as ChangeEvent
  t.match(first, { type: 'article.killed', resource: { id: a.id }, data: { notice: kill.notice } })
  t.ok(first.surrogateKeys.includes(`article:${a.id}`), 'keys to purge')
  while (await task.run()) {}
  await task.run()
  t.same(
    receiver.received.map((r) => (JSON.parse(r.body) as ChangeEvent).type),
    ['article.killed', 'article.updated', 'article.updated', 'article.updated'],
    'then the others, oldest first',
  )
  t.ok(hook.id)
})
