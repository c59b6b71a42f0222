// A client that reads a record, changes it and sends it back: writes take the fields a read
// shows by the names it shows them (sourceId, credits[].sourceId, tags as slugs, and a source as
// reads embed it), so the writable fields of a read are accepted as they are. Read-only fields
// are not (a 400 naming them).
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import type { Teaser } from '../../src/modules/collections/collections.schemas.js'
import type { Source } from '../../src/modules/sources/sources.schemas.js'
import { assertProblem, build, json, missingId, pointers } from '../helper.js'

const env = { RATE_LIMIT_ANONYMOUS_MAX: '1000000', RATE_LIMIT_MAX: '1000000' }

const articleWritable = [
  'slug',
  'headline',
  'summary',
  'body',
  'dateline',
  'bylines',
  'language',
  'canonicalUrl',
  'leadImage',
  'sourceId',
  'credits',
  'rights',
  'tags',
] as const
// What a read has beyond them: the server's fields, and the embeds that only name the same sources.
const articleReadOnly = [
  'id',
  'status',
  'publishedAt',
  'firstPublishedAt',
  'bodyHtml',
  'bodyText',
  'version',
  'createdBy',
  'updatedBy',
  'createdAt',
  'updatedAt',
  'tagDetails',
  // Rendered from the canonicalUrl or PUBLIC_ARTICLE_URL.
  'url',
  // Notes are appended by a PATCH's `correction`, never sent back whole.
  'corrections',
] as const
const sourceWritable = ['slug', 'name', 'kind', 'homepageUrl', 'description'] as const
const teaserWritable = [
  'text',
  'title',
  'articleId',
  'url',
  'sourceId',
  'image',
  'pinned',
  'startsAt',
  'endsAt',
  'position',
] as const

function pick<T extends object, K extends keyof T>(record: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, record[k]])) as Pick<T, K>
}

function omit<T extends object, K extends keyof T>(record: T, keys: readonly K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k as K))) as Omit<T, K>
}

test('GET, change, PATCH: a read is sent back as it was read', async (t) => {
  const { app, auth } = await build(t, { env })
  const post = async <T>(url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: auth, payload })
    t.equal(res.statusCode, 201, `POST ${url}: ${res.body.slice(0, 200)}`)
    return json<T>(res)
  }
  const get = async <T>(url: string) => {
    const res = await app.inject({ url, headers: auth })
    return { etag: String(res.headers.etag), body: json<T>(res) }
  }
  const patch = (url: string, payload: object, etag?: string) =>
    app.inject({ method: 'PATCH', url, headers: { ...auth, ...(etag ? { 'if-match': etag } : {}) }, payload })

  const daily = await post<Source>('/v1/sources', { name: 'Round Daily', kind: 'publisher' })
  const wire = await post<Source>('/v1/sources', { name: 'Round Wire', kind: 'agency' })

  await t.test('an article', async (t) => {
    const created = await post<Article>('/v1/articles', {
      headline: 'Round trip',
      body: 'A *body*',
      bylines: ['A. Writer'],
      leadImage: { url: 'https://img.example/a.jpg', caption: 'A caption' },
      source: daily.slug,
      credits: [{ source: wire.slug }],
      tags: ['round', 'trip'],
    })
    t.equal(created.sourceId, daily.id)
    t.same(created.credits, [{ sourceId: wire.id, role: 'wire' }])

    const read = await get<Article>(`/v1/articles/${created.id}`)
    const edited = { ...pick(read.body, articleWritable), headline: 'Round trip, edited', tags: ['round', 'edited'] }
    const res = await patch(`/v1/articles/${created.id}`, edited, read.etag)
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    const after = json<Article>(res)
    t.same(pick(after, articleWritable), { ...edited, tags: ['edited', 'round'] }, 'every writable field as sent')
    t.equal(after.version, read.body.version + 1)

    const revisions = await get<{ data: { changedFields: string[] }[] }>(`/v1/articles/${created.id}/revisions`)
    t.same(revisions.body.data[0]?.changedFields, ['headline', 'tags'], 'what was sent back unchanged did not change')

    const unchanged = await patch(`/v1/articles/${created.id}`, pick(after, articleWritable))
    t.equal(unchanged.statusCode, 200, 'the answer of a write is a read too')

    const readOnly = await patch(`/v1/articles/${created.id}`, { ...pick(after, articleWritable), version: 2 })
    t.same(pointers(t, readOnly), ['/version'], 'read-only fields are refused, by name')

    const embedded = await get<Article>(`/v1/articles/${created.id}?include=source,credits,tags`)
    t.ok(embedded.body.source && embedded.body.credits[0]?.source, 'the read embeds its sources')
    const whole = { ...omit(embedded.body, articleReadOnly), dateline: 'YEREVAN' }
    const back = await patch(`/v1/articles/${created.id}`, whole)
    t.equal(back.statusCode, 200, `a read with its embedded sources is accepted back: ${back.body.slice(0, 300)}`)
    t.same(pick(json<Article>(back), articleWritable), pick({ ...after, dateline: 'YEREVAN' }, articleWritable))
  })

  await t.test('an article names its sources by sourceId or source', async (t) => {
    const created = await post<Article>('/v1/articles', {
      headline: 'By id',
      sourceId: daily.id,
      credits: [{ sourceId: wire.id, role: 'photo' }, { source: daily.slug }],
    })
    t.equal(created.sourceId, daily.id)
    t.same(created.credits, [
      { sourceId: wire.id, role: 'photo' },
      { sourceId: daily.id, role: 'wire' },
    ])
    const url = `/v1/articles/${created.id}`
    const same = await patch(url, {
      sourceId: wire.id,
      source: wire.slug,
      credits: [{ sourceId: wire.id, source: wire.id }],
    })
    t.equal(same.statusCode, 200, 'both names of one source are accepted')
    t.equal(json<Article>(same).sourceId, wire.id)

    const clash = await patch(url, { sourceId: daily.id, source: wire.slug })
    t.same(pointers(t, clash), ['/source', '/sourceId'], 'two different sources are a 400 naming both')
    const clearing = await patch(url, { sourceId: null, source: wire.slug })
    t.same(pointers(t, clearing), ['/source', '/sourceId'], 'clearing one and naming the other too')
    const embeddedClash = await patch(url, { sourceId: wire.id, source: daily })
    t.same(pointers(t, embeddedClash), ['/source', '/sourceId'], 'an embedded source counts by its id')
    const embeddedCredit = await patch(url, { source: daily, credits: [{ source: wire, role: 'wire' }] })
    t.equal(embeddedCredit.statusCode, 200, 'sources as reads embed them name them')
    t.equal(json<Article>(embeddedCredit).sourceId, daily.id)
    t.same(json<Article>(embeddedCredit).credits, [{ sourceId: wire.id, role: 'wire' }])
    const renamed = await patch(url, { source: { ...daily, name: 'Not applied' } })
    t.equal(renamed.statusCode, 200)
    t.equal((await get<Source>(`/v1/sources/${daily.id}`)).body.name, daily.name, 'an embedded source is not edited')
    const creditClash = await patch(url, { credits: [{ sourceId: daily.id, source: wire.slug }] })
    t.same(pointers(t, creditClash), ['/credits/0/source', '/credits/0/sourceId'])
    const unnamed = await patch(url, { credits: [{ sourceId: wire.id }, { role: 'wire' }] })
    t.same(pointers(t, unnamed), ['/credits/1/sourceId'], 'a credit names its source')
    const missing = await patch(url, { credits: [{ sourceId: missingId }] })
    t.equal(assertProblem(t, missing, 422, 'ND_REFERENCE_MISSING').field, 'credits/0/sourceId')
    const cleared = await patch(url, { sourceId: null })
    t.equal(json<Article>(cleared).sourceId, null)
    t.equal((await get<Article>(url)).body.version, created.version + 4, 'refused writes changed nothing')
  })

  await t.test('a source', async (t) => {
    const read = await get<Source>(`/v1/sources/${daily.slug}`)
    const edited = { ...pick(read.body, sourceWritable), description: 'Edited', homepageUrl: 'https://daily.example/' }
    const res = await patch(`/v1/sources/${daily.id}`, edited)
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    t.same(pick(json<Source>(res), sourceWritable), edited)
  })

  await t.test('a teaser', async (t) => {
    const article = await post<Article>('/v1/articles', { headline: 'Teased', body: 'Body' })
    await post('/v1/collections', { key: 'round-box', title: 'Round box' })
    await post('/v1/collections/round-box/teasers', { text: 'First', url: 'https://partner.example/1' })
    const created = await post<Teaser>('/v1/collections/round-box/teasers', {
      text: 'Second',
      articleId: article.id,
      source: wire.slug,
      image: { url: 'https://img.example/t.jpg' },
      startsAt: '2026-01-01T00:00:00.000Z',
    })
    t.equal(created.sourceId, wire.id)

    const read = await get<Teaser>(`/v1/teasers/${created.id}`)
    const edited = { ...pick(read.body, teaserWritable), text: 'Second, edited' }
    const res = await patch(`/v1/teasers/${created.id}`, edited)
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    t.same(pick(json<Teaser>(res), teaserWritable), edited)
    const history = await get<{ data: { action: string }[] }>('/v1/collections/round-box/history')
    t.equal(history.body.data[0]?.action, 'update', 'a position sent back unchanged is no move')

    const whole = { ...pick(read.body, [...teaserWritable, 'source']), title: 'Whole' }
    const back = await patch(`/v1/teasers/${created.id}`, whole)
    t.equal(back.statusCode, 200, `with the source it embeds: ${back.body.slice(0, 300)}`)
    t.equal(json<Teaser>(back).sourceId, wire.id)

    const byId = await patch(`/v1/teasers/${created.id}`, { sourceId: daily.id })
    t.equal(json<Teaser>(byId).sourceId, daily.id)
    const clash = await patch(`/v1/teasers/${created.id}`, { sourceId: daily.id, source: wire.slug })
    t.same(pointers(t, clash), ['/source', '/sourceId'])
  })
})
