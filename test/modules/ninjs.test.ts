// GET /v1/articles/{idOrSlug}?format=ninjs: the article as an IPTC ninjs 3.1 document, each one
// validated against the official schema; visibility, syndication and caching as the JSON read.
import { readFile } from 'node:fs/promises'
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { specPath } from '../../src/spec.js'
import { assertProblem, build, createKey, json, missingId, testClock } from '../helper.js'
import { client, env } from './articles.helpers.js'
import { createMedia } from './media-uses.helpers.js'
import { assertNinjs } from './ninjs.helpers.js'

const profile = '<http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json>; rel="profile"'
const base = 'https://cdn.example.com'

test('an article as ninjs: every field mapped, each document valid', async (t) => {
  const clock = testClock(new Date('2026-11-30T08:00:00.000Z'))
  const { app, db, auth } = await build(t, {
    env: { ...env, MEDIA_PUBLIC_URL: base, PUBLIC_ARTICLE_URL: 'https://news.example.com/{slug}' },
    clock,
  })
  const api = client(app, auth)
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: auth, payload })
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.body}`)
    return json<{ id: string; slug: string }>(res)
  }
  const daily = await post('/v1/sources', {
    name: 'Daily Planet',
    kind: 'publisher',
    homepageUrl: 'https://planet.example/',
  })
  const ap = await post('/v1/sources', { name: 'Associated Press', kind: 'agency' })
  const anna = await post('/v1/people', { name: 'Anna Hakobyan', sameAs: ['https://www.wikidata.org/wiki/Q1'] })
  await post('/v1/tags', { slug: 'iraq', name: 'Iraq', type: 'place', uri: 'http://www.wikidata.org/entity/Q796' })
  const media = await createMedia(db, { caption: 'A street', credit: 'AP Photo' })
  const draft = await api.draft({
    headline: 'Arab League chief warns of regional war',
    summary: 'Amr Moussa spoke in Baghdad.',
    body: 'The **chief** spoke on Sunday.',
    dateline: 'BAGHDAD, Sunday, September 27',
    language: 'en',
    source: daily.slug,
    credits: [{ source: ap.slug }],
    contributors: [{ person: anna.slug }],
    tags: ['iraq'],
    leadImage: { media: media.id },
    rights: { usageTerms: 'No archive use', copyrightHolder: 'The Associated Press', copyrightNotice: '© 2026 AP' },
  })
  const published = await api.action(draft.id, 'publish', { publishAt: '2026-11-30T07:00:00.000Z' })
  t.equal(published.statusCode, 200, 'published')
  const article = json<Article>(published)
  const ninjs = (idOrSlug: string, headers: Record<string, string> = {}) =>
    app.inject({ url: `/v1/articles/${idOrSlug}?format=ninjs`, headers })

  await t.test('the document', async (t) => {
    const res = await ninjs(article.slug)
    t.equal(res.statusCode, 200, 'read')
    t.match(
      res.headers['content-type'],
      /^application\/json; profile="http:\/\/www\.iptc\.org\/std\/ninjs\/ninjs-schema_3\.1\.json"/,
    )
    t.equal(res.headers.link, profile)
    const doc = assertNinjs(t, json(res))
    t.equal(doc.uri, `urn:newsdesk:article:${article.id}`)
    t.equal(doc.type, 'text')
    t.equal(doc.version, String(article.version))
    t.equal(doc.pubStatus, 'usable')
    t.equal(doc.firstCreated, article.createdAt)
    t.equal(doc.versionCreated, article.updatedAt)
    t.equal(doc.contentCreated, '2026-11-30T07:00:00.000Z')
    t.equal(doc.language, 'en')
    t.same(doc.headlines, [{ role: 'main', contentType: 'text/plain', value: article.headline }])
    t.same(doc.descriptions, [{ role: 'summary', contentType: 'text/plain', value: 'Amr Moussa spoke in Baghdad.' }])
    t.match(doc.bodies, [
      { role: 'main', contentType: 'text/html', value: article.bodyHtml },
      { role: 'main', contentType: 'text/plain', value: article.bodyText, wordCount: 5 },
    ])
    t.equal(doc.located, 'BAGHDAD')
    t.equal(doc.by, 'Anna Hakobyan')
    t.same(doc.people, [
      { name: 'Anna Hakobyan', rel: 'author', uri: 'https://www.wikidata.org/wiki/Q1', literal: anna.slug },
    ])
    t.same(doc.infoSources, [
      { name: 'Daily Planet', role: 'publisher', uri: 'https://planet.example/', literal: daily.slug },
      { name: 'Associated Press', role: 'originator', literal: ap.slug },
    ])
    t.same(doc.subjects, [{ name: 'Iraq', uri: 'http://www.wikidata.org/entity/Q796', literal: 'iraq' }])
    const lead = doc.associations?.[0]
    t.match(lead, { name: 'leadImage', uri: `urn:newsdesk:media:${media.id}`, type: 'picture', by: 'AP Photo' })
    t.same(lead?.descriptions, [{ role: 'caption', contentType: 'text/plain', value: 'A street' }])
    t.ok(lead?.renditions.length && lead.renditions.every((r) => r.href?.startsWith(`${base}/media/`)))
    t.equal(doc.usageTerms, 'No archive use')
    t.equal(doc.copyrightHolder, 'The Associated Press')
    t.equal(doc.copyrightNotice, '© 2026 AP')
    t.same(doc.altIds, [
      { role: 'id', value: article.id },
      { role: 'url', value: `https://news.example.com/${article.slug}` },
    ])
  })

  await t.test('format=bogus is a 400; format=json is the Article', async (t) => {
    assertProblem(t, await app.inject({ url: `/v1/articles/${article.id}?format=bogus` }), 400, 'ND_VALIDATION_FAILED')
    const res = await app.inject({ url: `/v1/articles/${article.id}?format=json` })
    t.equal(json<Article>(res).headline, article.headline)
    t.equal(res.headers.link, undefined)
  })

  await t.test('caching: a hash ETag of its own, 304, the Surrogate-Key of what it embeds', async (t) => {
    const jsonRead = await api.get(article.id)
    const res = await ninjs(article.id)
    t.equal(jsonRead.headers.etag, `"v${article.version}"`)
    t.not(res.headers.etag, jsonRead.headers.etag)
    t.match(res.headers.etag, /^"[^v]/)
    // The document shows its sources, people, sections and tags: the keys of the JSON read embedding them.
    const embedding = await app.inject(`/v1/articles/${article.id}?include=source,credits,contributors,sections,tags`)
    t.equal(res.headers['surrogate-key'], embedding.headers['surrogate-key'])
    t.match(res.headers['surrogate-key'], /\btag:/)
    t.equal(res.headers['cache-control'], jsonRead.headers['cache-control'])
    const again = await ninjs(article.id, { 'if-none-match': String(res.headers.etag) })
    t.equal(again.statusCode, 304)
    const stale = await ninjs(article.id, { 'if-none-match': `"v${article.version}"` })
    t.equal(stale.statusCode, 200)
    t.ok(stale.headers.age !== undefined, 'served from the response cache')
    t.equal(stale.headers.link, profile, 'with its profile link')
    t.match(stale.headers['content-type'], /profile=/)
    t.equal(stale.headers.etag, res.headers.etag)
    // A change purges it as it purges the JSON read.
    await api.patch(article.id, { headline: 'A new headline' })
    const changed = assertNinjs(t, json(await ninjs(article.id)))
    t.equal(changed.headlines?.[0]?.value, 'A new headline')
    t.equal(changed.version, String(article.version + 1))
  })

  await t.test('a partner key reads no body of an article that is not syndicatable', async (t) => {
    const partner = (await createKey(db, ['content:syndicate'])).headers
    const open = assertNinjs(t, json(await ninjs(article.id, partner)))
    t.equal(open.bodies?.length, 2)
    await api.patch(article.id, { rights: { allowSyndication: false } })
    const closed = assertNinjs(t, json(await ninjs(article.id, partner)))
    t.equal(closed.bodies, undefined)
    t.equal(closed.representationType, 'partial')
    t.ok(closed.descriptions, 'the summary stays')
    const reader = assertNinjs(t, json(await ninjs(article.id)))
    t.equal(reader.bodies?.length, 2, 'other callers still read it')
  })
})

test('visibility: drafts, scheduled, embargoed, unpublished and deleted', async (t) => {
  const clock = testClock(new Date('2026-11-30T08:00:00.000Z'))
  const { app, db, auth } = await build(t, { env, clock })
  const api = client(app, auth)
  const preview = (await createKey(db, ['content:preview'])).headers
  const embargoedKey = (await createKey(db, ['content:read', 'content:embargoed'])).headers
  const ninjs = (idOrSlug: string, headers: Record<string, string> = {}) =>
    app.inject({ url: `/v1/articles/${idOrSlug}?format=ninjs`, headers })

  const draft = await api.draft({ headline: 'A draft', body: 'Draft body' })
  t.equal((await ninjs(draft.id)).statusCode, 404, 'a draft is not public')
  const asPreview = assertNinjs(t, json(await ninjs(draft.id, preview)))
  t.equal(asPreview.pubStatus, 'withheld')
  t.equal((await ninjs(draft.id, preview)).headers['cache-control'], 'private, no-store')

  const scheduled = await api.draft({ headline: 'Scheduled', body: 'Later' })
  await api.action(scheduled.id, 'publish', { publishAt: '2026-12-01T00:00:00.000Z' })
  t.equal((await ninjs(scheduled.id)).statusCode, 404, 'a scheduled article is not public')

  const embargoed = await api.draft({
    headline: 'Embargoed',
    body: 'Secret',
    embargoedUntil: '2026-12-01T00:00:00.000Z',
  })
  await api.action(embargoed.id, 'publish')
  t.equal((await ninjs(embargoed.id)).statusCode, 404, 'an embargoed article is not public')
  const early = assertNinjs(t, json(await ninjs(embargoed.id, embargoedKey)))
  t.equal(early.pubStatus, 'usable')
  t.equal(early.embargoedUntil, '2026-12-01T00:00:00.000Z')

  const once = await api.draft({ headline: 'Once public', body: 'Gone' })
  await api.action(once.id, 'publish')
  await api.action(once.id, 'unpublish')
  t.equal((await ninjs(once.id)).statusCode, 404)
  t.equal(assertNinjs(t, json(await ninjs(once.id, preview))).pubStatus, 'withheld')

  const removed = await api.draft({ headline: 'Removed', body: 'Gone' })
  await api.action(removed.id, 'publish')
  await api.remove(removed.id)
  t.equal((await ninjs(removed.id)).statusCode, 404, 'deleted: 404 for the public')
  const canceled = assertNinjs(t, json(await ninjs(removed.id, preview)))
  t.equal(canceled.pubStatus, 'canceled')
  t.equal(canceled.bodies, undefined)
  t.equal(canceled.headlines, undefined)

  const killed = await api.draft({ headline: 'Killed', body: 'Wrong' })
  await api.action(killed.id, 'publish')
  const kill = { reason: 'Legal', notice: 'Withdrawn for legal reasons.' }
  const res = await app.inject({ method: 'POST', url: `/v1/articles/${killed.id}/kill`, headers: auth, payload: kill })
  t.equal(res.statusCode, 204, 'killed')
  t.equal((await ninjs(killed.slug)).statusCode, 404)
  const killedDoc = assertNinjs(t, json(await ninjs(killed.slug, preview)))
  t.equal(killedDoc.pubStatus, 'canceled')
  t.equal(killedDoc.edNote, 'Withdrawn for legal reasons.')
})

test("the spec's NinjsDocument example is valid ninjs, and the read documents both media types", async (t) => {
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as {
    components: { schemas: Record<string, { examples?: unknown[] }> }
    paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, unknown> }> }>>
  }
  for (const example of spec.components.schemas.NinjsDocument?.examples ?? []) assertNinjs(t, example, 'the example')
  const content = spec.paths['/v1/articles/{idOrSlug}']?.get?.responses['200']?.content ?? {}
  t.same(Object.keys(content), [
    'application/json',
    'application/json; profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"',
  ])
})

test('the public URL in its section; records removed since an event; nothing to read', async (t) => {
  const { app, db, auth } = await build(t, {
    env: { ...env, PUBLIC_ARTICLE_URL: 'https://news.example.com/{section}/{slug}' },
  })
  const api = client(app, auth)
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: auth, payload })
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.body}`)
    return json<{ id: string; slug: string; path?: string }>(res)
  }
  const world = await post('/v1/sections', { name: 'World' })
  const person = await post('/v1/people', { name: 'Davit Sargsyan' })
  await post('/v1/tags', { slug: 'armenia', name: 'Armenia', type: 'place' })
  const draft = await api.draft({
    headline: 'In a section',
    body: 'Text',
    sections: [{ section: world.path }],
    contributors: [{ person: person.slug }],
    tags: ['armenia'],
  })
  await api.action(draft.id, 'publish')
  const doc = assertNinjs(t, json(await app.inject({ url: `/v1/articles/${draft.id}?format=ninjs` })))
  t.same(doc.altIds?.[1], { role: 'url', value: `https://news.example.com/${world.path}/${draft.slug}` })

  // The tag and the person leave the article, then go; the event's document names what is left of them.
  t.equal((await api.patch(draft.id, { tags: [], contributors: [] })).statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/tags/armenia', headers: auth })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/people/${person.id}`, headers: auth })).statusCode, 204)
  const res = await app.inject({ url: '/v1/changes?format=ninjs&limit=100&types=article.published' })
  const event = json<{ data: { resource: { id: string }; ninjs: unknown }[] }>(res).data.find(
    (e) => e.resource.id === draft.id,
  )
  const asOf = assertNinjs(t, event?.ninjs, 'the document of a published event')
  t.equal(asOf.subjects, undefined)
  t.equal(asOf.people, undefined)
  t.equal(asOf.headlines?.[0]?.value, 'In a section')

  const preview = (await createKey(db, ['content:preview'])).headers
  const missing = await app.inject({ url: `/v1/articles/${missingId}?format=ninjs`, headers: preview })
  assertProblem(t, missing, 404, 'ND_NOT_FOUND')
})
