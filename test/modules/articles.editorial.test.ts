// Editorial controls together: an embargo with the rights explanation, the corrections list, the
// syndication view, kills and preview links — each rule holding where it meets another.
import { type Test, test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import { keepFeed } from '../../src/modules/changes/changes.writer.js'
import type { Source } from '../../src/modules/sources/sources.schemas.js'
import { build, createKey, json, type Page, testClock } from '../helper.js'
import { client, env } from './articles.helpers.js'

const hour = 3_600_000

type App = Awaited<ReturnType<typeof build>>['app']

async function setup(t: Test) {
  const clock = testClock(new Date('2026-11-30T08:00:00.000Z'))
  const built = await build(t, { env: { ...env, WEBHOOK_WORKER: 'false' }, clock })
  const { app, auth, db } = built
  const api = client(app, auth)
  const bearer = async (scopes: Parameters<typeof createKey>[1]) => (await createKey(db, scopes)).headers
  const source = async (payload: object) => {
    const res = await app.inject({ method: 'POST', url: '/v1/sources', headers: auth, payload })
    if (res.statusCode !== 201) throw new Error(`source: ${res.body}`)
    return json<Source>(res)
  }
  /** A published article, under an embargo lifting in an hour unless `embargoed` is false. */
  const published = async (payload: object, embargoed = true) => {
    const draft = await api.draft({
      body: 'The full text',
      summary: 'The summary',
      ...(embargoed ? { embargoedUntil: new Date(clock().getTime() + hour).toISOString() } : {}),
      ...payload,
    })
    const res = await api.action(draft.id, 'publish')
    if (res.statusCode !== 200) throw new Error(`publish: ${res.body}`)
    return json<Article>(res)
  }
  const feed = async (headers: Record<string, string> = {}) => {
    await keepFeed(db.prisma, clock())
    const res = await app.inject({ url: '/v1/changes?limit=100', headers })
    return json<{ data: ChangeEvent[] }>(res).data
  }
  return { app, auth, clock, api, bearer, source, published, feed }
}

const status = async (app: App, url: string, headers: Record<string, string> = {}) =>
  (await app.inject({ url, headers })).statusCode

test('the rights explanation and the corrections list keep an embargo', async (t) => {
  const { app, auth, clock, api, bearer, published } = await setup(t)
  const article = await published({ headline: 'Under embargo' })
  const note = { kind: 'clarification', text: 'The embargo time was clarified.' }
  t.equal((await api.patch(article.id, { correction: note })).statusCode, 200, 'published: a note may be added')
  const partner = await bearer(['content:embargoed'])
  const reader = await bearer(['content:read'])
  const noted = async (headers: Record<string, string>) =>
    json<Page<{ article: { id: string } }>>(await app.inject({ url: '/v1/corrections', headers })).data.some(
      (c) => c.article.id === article.id,
    )

  t.equal(await status(app, `/v1/articles/${article.id}/rights`), 404, 'anonymous: no rights of an embargoed story')
  t.equal(await status(app, `/v1/articles/${article.id}/rights`, reader), 404)
  const early = await app.inject({ url: `/v1/articles/${article.id}/rights`, headers: partner })
  t.equal(early.statusCode, 200, 'a partner under the embargo reads its rights')
  t.equal(early.headers['cache-control'], 'private, no-store')
  t.notOk(await noted({}), 'the corrections page does not name it')
  t.notOk(await noted(reader))
  t.ok(await noted(auth), 'preview scopes see the note')

  clock.advance(hour)
  t.equal(await status(app, `/v1/articles/${article.id}/rights`), 200, 'lifted: public')
  t.ok(await noted({}), 'lifted: the note is public')
})

test('a partner under embargo reads the syndication view unless its key also holds content:read', async (t) => {
  const { app, api, bearer, source, published } = await setup(t)
  const wire = await source({ name: 'Closed Wire', kind: 'agency', redistribution: 'forbidden' })
  const closed = await published({ headline: 'Closed copy', credits: [{ source: wire.slug }] })
  const open = await published({ headline: 'Open copy' })
  const partner = await bearer(['content:embargoed'])
  const newsroom = await bearer(['content:embargoed', 'content:read'])

  const read = async (id: string, headers: Record<string, string>) =>
    json<Article & { bodyWithheld?: boolean }>(await app.inject({ url: `/v1/articles/${id}`, headers }))
  const withheld = await read(closed.id, partner)
  t.equal(withheld.body, null, 'not syndicatable: no body for the partner')
  t.equal(withheld.bodyWithheld, true)
  t.equal(withheld.summary, 'The summary', 'the summary stays')
  t.equal((await read(open.id, partner)).body, 'The full text', 'syndicatable: whole')
  t.equal((await read(closed.id, newsroom)).body, 'The full text', 'with content:read: whole')
  const list = await app.inject({ url: '/v1/articles?fields=body', headers: partner })
  t.equal(list.statusCode, 200, list.body)
  const listed = json<Page<Article & { bodyWithheld?: boolean }>>(list).data
  t.equal(listed.find((a) => a.id === closed.id)?.body, null, 'lists withhold it too')
  t.equal(listed.find((a) => a.id === open.id)?.body, 'The full text')
  t.equal((await api.get(closed.id)).statusCode, 404, 'the public still sees nothing')
})

test('a kill: public when the story had been public, preview-only while under its first embargo', async (t) => {
  const { app, auth, api, clock, published, feed } = await setup(t)
  const embargoed = await published({ headline: 'Killed before it lifted' })
  const lifted = await published({ headline: 'Killed after it was read' }, false)
  const kill = (id: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/articles/${id}/kill`,
      headers: auth,
      payload: { reason: 'Legal advice', notice: 'Withdrawn: do not use.' },
    })
  t.equal((await kill(embargoed.id)).statusCode, 204)
  t.equal((await kill(lifted.id)).statusCode, 204)
  clock.advance(2 * hour)
  const killed = (events: ChangeEvent[]) => events.filter((e) => e.type === 'article.killed').map((e) => e.resource.id)
  t.same(killed(await feed()), [lifted.id], 'the public feed names only the story the public had')
  t.same(killed(await feed(auth)).sort(), [embargoed.id, lifted.id].sort(), 'preview scopes see both kills')
  t.equal((await api.get(embargoed.id)).statusCode, 404, 'the embargo lifting later shows nothing')
  const tombstones = json<Page<{ id: string }>>(await app.inject({ url: '/v1/articles/deletions' })).data
  t.same(
    tombstones.map((d) => d.id),
    [lifted.id],
    'no public tombstone for a story never public',
  )
})

test('a correction that clears the embargo reports the lift, its note in the data', async (t) => {
  const { api, published, feed } = await setup(t)
  const article = await published({ headline: 'Lifted by an edit' })
  const note = { kind: 'update', text: 'Released early by agreement.' }
  const res = await api.patch(article.id, { embargoedUntil: null, correction: note })
  t.equal(res.statusCode, 200)
  const events = (await feed()).filter((e) => e.resource.id === article.id)
  t.same(
    events.map((e) => e.type),
    ['article.embargo_lifted'],
    'one public event: the lift',
  )
  t.match(events[0], { data: note })
  t.equal((await api.get(article.id)).statusCode, 200)
})

test('a preview link pinned to a version shows that version’s rights and embargo', async (t) => {
  const { app, auth, api, published } = await setup(t)
  const article = await published({ headline: 'Pinned', rights: { usageTerms: 'First terms' } })
  await api.patch(article.id, { rights: { usageTerms: 'Later terms' }, embargoedUntil: null })
  const link = json<{ token: string }>(
    await app.inject({
      method: 'POST',
      url: `/v1/articles/${article.id}/preview-links`,
      headers: auth,
      payload: { pinVersion: article.version },
    }),
  )
  const pinned = json<Article>(await app.inject({ url: `/v1/preview/${link.token}` }))
  t.equal(pinned.rights.usageTerms, 'First terms')
  t.equal(pinned.embargoedUntil, article.embargoedUntil)
  t.equal(pinned.rights.syndicatable, true)
  const current = json<Article>(await api.get(article.id))
  t.equal(current.rights.usageTerms, 'Later terms')
  t.equal(current.embargoedUntil, null)
})
