// Corrections through HTTP: the note a PATCH carries after the first publication, the article's
// `corrections`, the article.corrected event (feed and webhooks) and GET /v1/corrections.
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import type { Correction } from '../../src/modules/corrections/corrections.schemas.js'
import { build, createKey, json, type Page, testClock } from '../helper.js'
import { assertProblem, client, env, type Headers, type Revision } from './articles.helpers.js'
import { buildHooks, deliveryEnv, startReceiver } from './webhooks.helpers.js'

const note = { kind: 'correction', text: 'An earlier version misstated the date.' } as const

test('corrections on an article', async (t) => {
  const clock = testClock(new Date('2031-07-01T00:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const events = async (headers: Headers = auth) =>
    json<{ data: ChangeEvent[] }>(await app.inject({ url: '/v1/changes?limit=100', headers })).data

  const draft = await api.draft({ headline: 'Ceasefire agreed', body: 'Talks ended on Monday.' })
  t.same(draft.corrections, [], 'a new article has none')

  await t.test('before the first publication: 422, nothing written', async (t) => {
    const res = await api.patch(draft.id, { summary: 'Changed', correction: note })
    assertProblem(t, res, 422, 'ND_NOT_YET_PUBLISHED')
    const now = json<Article>(await api.get(draft.id, auth))
    t.equal(now.version, 1)
    t.equal(now.summary, null)
    t.same(now.corrections, [])
  })

  await t.test('a scheduled article not yet due is not published either', async (t) => {
    const later = await api.draft({ headline: 'Later', body: 'Soon.' })
    await api.action(later.id, 'publish', { publishAt: '2031-08-01T00:00:00.000Z' })
    assertProblem(t, await api.patch(later.id, { correction: note }), 422, 'ND_NOT_YET_PUBLISHED')
  })

  await t.test('bounded input', async (t) => {
    for (const correction of [
      { kind: 'erratum', text: 'x' },
      { kind: 'correction', text: '' },
      { kind: 'correction', text: '   ' },
      { kind: 'correction', text: 'x'.repeat(2001) },
      { kind: 'correction' },
      { kind: 'correction', text: 'x', extra: 1 },
    ]) {
      assertProblem(t, await api.patch(draft.id, { correction }), 400, 'ND_VALIDATION_FAILED')
    }
  })

  t.equal((await api.action(draft.id, 'publish')).statusCode, 200)
  clock.advance(60_000)
  const correctedAt = clock().toISOString()

  await t.test('after it: appended with the version and time, article.corrected', async (t) => {
    const res = await api.patch(draft.id, { body: 'Talks ended on Tuesday.', correction: note })
    t.equal(res.statusCode, 200)
    const article = json<Article>(res)
    t.equal(article.version, 3)
    t.same(article.corrections, [{ ...note, at: correctedAt, version: 3 }])
    t.same(json<Article>(await api.get(draft.id)).corrections, article.corrections, 'public read')
    const listed = json<Page<Article>>(await app.inject({ url: '/v1/articles?fields=corrections' }))
    t.same(listed.data[0]?.corrections, article.corrections, 'lists show them')
    const event = (await events(auth)).at(-1)
    t.match(event, {
      type: 'article.corrected',
      resource: { id: draft.id, version: 3 },
      data: note,
    })
    t.ok(event?.changedFields.includes('corrections'))
    t.ok(event?.changedFields.includes('body'))
    t.ok(event?.surrogateKeys.includes(`article:${draft.id}`))
    t.match((await events({})).at(-1), { type: 'article.corrected', data: note }, 'public event')
    const revision = json<Revision>(await app.inject({ url: `/v1/articles/${draft.id}/revisions/3`, headers: auth }))
    t.same(revision.snapshot?.corrections, article.corrections, 'the revision shows them')
    const audit = json<{ data: { action: string }[] }>(
      await app.inject({
        url: `/v1/audit?resourceType=article&resourceId=${draft.id}`,
        headers: (await createKey(db, ['keys:manage'])).headers,
      }),
    )
    t.equal(audit.data[0]?.action, 'correct', 'audited')
  })

  await t.test('a note alone makes a new version; a minor edit stays silent', async (t) => {
    clock.advance(60_000)
    const alone = json<Article>(
      await api.patch(draft.id, { correction: { kind: 'clarification', text: 'Tuesday is local time.' } }),
    )
    t.equal(alone.version, 4)
    t.same(
      alone.corrections.map((c) => [c.kind, c.version]),
      [
        ['correction', 3],
        ['clarification', 4],
      ],
      'oldest first',
    )
    t.match((await events()).at(-1), { type: 'article.corrected', changedFields: ['corrections'] })
    const minor = json<Article>(await api.patch(draft.id, { summary: 'Typo fixed' }))
    t.equal(minor.corrections.length, 2)
    const last = (await events()).at(-1)
    t.equal(last?.type, 'article.updated')
    t.equal(last?.data, null, 'no data on other events')
  })

  await t.test('on an archived article: recorded, event for preview only', async (t) => {
    await api.action(draft.id, 'archive')
    clock.advance(60_000)
    const res = await api.patch(draft.id, { correction: { kind: 'update', text: 'Talks resumed.' } })
    t.equal(res.statusCode, 200)
    t.equal(json<Article>(res).corrections.length, 3)
    t.equal((await events()).at(-1)?.type, 'article.corrected')
    t.not((await events({})).at(-1)?.type, 'article.corrected', 'not public')
  })
})

test('GET /v1/corrections', async (t) => {
  const clock = testClock(new Date('2031-07-01T00:00:00.000Z'))
  const { app, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const list = async (query = '', headers: Headers = {}) => {
    const res = await app.inject({ url: `/v1/corrections${query}`, headers })
    return { res, page: json<Page<Correction>>(res) }
  }
  const published = async (headline: string) => {
    const a = await api.draft({ headline, body: 'Text.' })
    await api.action(a.id, 'publish')
    return a
  }
  const a = await published('First story')
  const b = await published('Second story')
  const kinds = ['correction', 'clarification', 'update'] as const
  for (let i = 0; i < 6; i++) {
    clock.advance(1000)
    const res = await api.patch((i % 2 ? b : a).id, { correction: { kind: kinds[i % 3], text: `Note ${i}` } })
    t.equal(res.statusCode, 200)
  }

  const all = await list()
  t.equal(all.res.statusCode, 200)
  t.same(
    all.page.data.map((c) => c.text),
    ['Note 5', 'Note 4', 'Note 3', 'Note 2', 'Note 1', 'Note 0'],
    'newest first',
  )
  t.match(all.page.data[0], { kind: 'update', version: 5, article: { id: b.id, slug: b.slug, headline: b.headline } })
  t.match(String(all.res.headers['surrogate-key']), /(^| )corrections( |$)/)
  t.match(String(all.res.headers['surrogate-key']), new RegExp(`article:${a.id}`))
  t.match(String(all.res.headers['cache-control']), /public/)

  await t.test('pagination', async (t) => {
    const first = await list('?limit=4')
    t.equal(first.page.data.length, 4)
    t.ok(first.page.page.nextCursor)
    t.match(String(first.res.headers.link), /rel="next"/)
    const second = await list(`?limit=4&cursor=${first.page.page.nextCursor}`)
    t.same(
      second.page.data.map((c) => c.text),
      ['Note 1', 'Note 0'],
    )
    t.equal(second.page.page.nextCursor, null)
    assertProblem(t, (await list('?cursor=bogus')).res, 400, 'ND_INVALID_CURSOR')
  })

  await t.test('filters', async (t) => {
    t.same(
      (await list(`?article=${a.id}`)).page.data.map((c) => c.text),
      ['Note 4', 'Note 2', 'Note 0'],
    )
    t.same(
      (await list(`?article=${b.slug}`)).page.data.map((c) => c.text),
      ['Note 5', 'Note 3', 'Note 1'],
    )
    t.same(
      (await list('?kind=clarification')).page.data.map((c) => c.text),
      ['Note 4', 'Note 1'],
    )
    t.same(
      (await list('?since=2031-07-01T00:00:05.000Z')).page.data.map((c) => c.text),
      ['Note 5', 'Note 4'],
    )
    t.same((await list('?article=no-such-article')).page.data, [])
    assertProblem(t, (await list('?kind=erratum')).res, 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, (await list('?article=')).res, 400, 'ND_VALIDATION_FAILED')
  })

  await t.test('a new note reaches a cached list at once', async (t) => {
    const before = await list('?limit=1')
    t.equal((await list('?limit=1')).res.headers.age !== undefined, true, 'answered from the cache')
    clock.advance(1000)
    await api.patch(a.id, { correction: { kind: 'update', text: 'Note 6' } })
    const after = await list('?limit=1')
    t.not(after.page.data[0]?.id, before.page.data[0]?.id)
    t.equal(after.page.data[0]?.text, 'Note 6')
  })

  await t.test('visibility: only articles public now', async (t) => {
    await api.action(a.id, 'unpublish')
    t.same(
      (await list()).page.data.map((c) => c.article.id),
      [b.id, b.id, b.id],
      'a draft hides its notes',
    )
    t.same((await list(`?article=${a.id}`)).page.data, [])
    const preview = await list('', auth)
    t.equal(preview.page.data.length, 7, 'preview sees every live article')
    t.match(String(preview.res.headers['cache-control']), /private/)
    t.equal((await api.remove(b.id)).statusCode, 204)
    t.same((await list()).page.data, [], 'deleted: gone')
    t.equal((await list('', auth)).page.data.length, 4, 'deleted: gone for preview too')
  })
})

test('article.corrected reaches webhooks', async (t) => {
  const { app, db, api, task } = await buildHooks(t, { env: deliveryEnv })
  const writer = (await createKey(db, ['content:write'])).headers
  const receiver = await startReceiver(t)
  t.equal((await api.create({ url: receiver.url, events: ['article.corrected'] })).statusCode, 201)
  const articles = client(app, writer)
  const a = await articles.draft({ headline: 'Hooked', body: 'Text.' })
  await articles.action(a.id, 'publish')
  await articles.patch(a.id, { summary: 'minor' })
  await articles.patch(a.id, { correction: note })
  await task.run()
  t.equal(receiver.received.length, 1, 'only the correction')
  t.match(JSON.parse(receiver.received[0]?.body ?? '{}'), {
    type: 'article.corrected',
    resource: { id: a.id, version: 4 },
    data: note,
  })
})
