// The spec describes what the API sends: a walk through every kind of record and the problems
// with extension members, each answer checked two ways. It validates against the response schema
// the spec declares for its operation and status (required fields present, no undeclared field,
// enums and formats kept), and it is exactly what the handler returned: the serializer, compiled
// from the same schemas, neither dropped nor changed a field.
import { readFile } from 'node:fs/promises'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import t, { type Test } from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { specPath } from '../src/spec.js'
import { createKey, createTestDatabase, json, mediaDir, missingId } from './helper.js'
import { image, multipart } from './modules/media.helpers.js'

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

interface Media {
  schema: unknown
}
interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, Media> }> }>>
  components: { schemas: Record<string, unknown> }
}
const spec = JSON.parse(await readFile(specPath, 'utf8')) as Spec

// Each component as a schema of its own, named by its component name.
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats(ajv)
const local = (schema: unknown) =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"')) as Record<string, unknown>
for (const [name, schema] of Object.entries(spec.components.schemas)) ajv.addSchema(local(schema), name)

/** The operation's path template for a request path: literal segments before parameters. */
function templateOf(path: string, method: string): string | undefined {
  const templates = Object.keys(spec.paths)
    .filter((p) => spec.paths[p]?.[method])
    .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
  return templates.find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))
}

const database = await createTestDatabase(t)
const config = loadConfig({
  LOG_LEVEL: 'silent',
  RATE_LIMIT_MAX: '1000000',
  RATE_LIMIT_ANONYMOUS_MAX: '1000000',
  // Every read from its handler: a cached answer would not pass the hook below.
  RESPONSE_CACHE_MB: '0',
  WEBHOOK_WORKER: 'false',
  MEDIA_DIR: await mediaDir(t),
})
const resolveHost = async () => [{ address: '93.184.216.34', family: 4 }]
const app = await buildApp({ config, db: database.db, resolveHost })
t.teardown(() => app.close())
// What each handler (or the error handler) returned, by request id, before serialization.
const payloads = new Map<string, unknown>()
app.addHook('preSerialization', async (request, _reply, payload) => {
  payloads.set(request.id, JSON.parse(JSON.stringify(payload)))
  return payload
})
await app.ready()
const admin = await createKey(database.db, [
  'content:read',
  'content:preview',
  'content:write',
  'keys:manage',
  'webhooks:manage',
])
const keyManager = await createKey(database.db, ['keys:manage'])

interface Call {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  url: string
  payload?: object
  headers?: Record<string, string>
  /** The component the answer is, where the operation cannot declare it (a deprecated parameter's). */
  component?: string
}
const seen = new Set<string>()

/** Sends a request and checks its answer against the spec and the handler's payload. */
async function call(tt: Test, request: Call, status: number) {
  const { method = 'GET', url, payload, headers = admin.headers } = request
  const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) })
  const name = `${method} ${url} → ${res.statusCode}`
  tt.equal(res.statusCode, status, `${name}: ${res.body.slice(0, 300)}`)
  if (res.statusCode === 204) return res
  const body = json(res)
  const path = url.split('?')[0] as string
  const template = templateOf(path, method.toLowerCase())
  const mediaType = String(res.headers['content-type']).split(';')[0] as string
  const declared = template
    ? spec.paths[template]?.[method.toLowerCase()]?.responses[String(res.statusCode)]?.content?.[mediaType]?.schema
    : mediaType === 'application/problem+json'
      ? { $ref: '#/components/schemas/Problem' }
      : undefined
  const schema = request.component ? { $ref: request.component } : declared && local(declared)
  tt.ok(schema, `${name}: the spec declares it as ${mediaType}`)
  if (schema) {
    const validate = ajv.compile(schema)
    tt.ok(validate(body), `${name} matches its schema: ${ajv.errorsText(validate.errors)}`)
  }
  tt.same(body, payloads.get(String(res.headers['x-request-id'])), `${name}: serialized as returned`)
  seen.add(`${method} ${template ?? path}`)
  return res
}

t.test('every record, as the spec declares it', async (t) => {
  const post = async <T = { id: string }>(url: string, payload: object, status = 201) =>
    json<T>(await call(t, { method: 'POST', url, payload }, status))

  const wire = await post<{ id: string; slug: string }>('/v1/sources', {
    name: 'Contract Wire',
    kind: 'agency',
    homepageUrl: 'https://wire.example/',
  })
  const daily = await post<{ id: string; slug: string }>('/v1/sources', { name: 'Contract Daily', kind: 'publisher' })
  await call(t, { url: '/v1/sources?sort=-createdAt&limit=2' }, 200)
  await call(t, { url: `/v1/sources/${wire.slug}` }, 200)
  await call(t, { method: 'PATCH', url: `/v1/sources/${wire.id}`, payload: { description: 'Wire copy' } }, 200)
  const person = await post<{ id: string; slug: string }>('/v1/people', {
    name: 'Contract Person',
    bio: 'A *bio*',
    email: 'person@example.com',
    sameAs: ['https://person.example/'],
    affiliation: daily.slug,
  })
  await call(t, { url: `/v1/people?affiliation=${daily.slug}` }, 200)
  await call(t, { url: `/v1/people/${person.slug}`, headers: {} }, 200)
  await call(t, { method: 'PATCH', url: `/v1/people/${person.id}`, payload: { jobTitle: 'Reporter' } }, 200)

  await post('/v1/sections', { name: 'Contract World', slug: 'contract-world' })
  const desk = await post<{ id: string }>('/v1/sections', { name: 'Desk', parent: 'contract-world', position: 1 })
  await call(t, { url: '/v1/sections?limit=1' }, 200)
  await call(t, { url: '/v1/sections?tree=true' }, 200)
  await call(t, { url: '/v1/sections/contract-world%2Fdesk' }, 200)
  await call(t, { method: 'PATCH', url: `/v1/sections/${desk.id}`, payload: { description: 'The desk' } }, 200)

  const article = await post<{ id: string; slug: string }>('/v1/articles', {
    headline: 'Contract article',
    summary: 'A summary',
    body: 'A *body* with a [link](https://example.com/)',
    dateline: 'YEREVAN',
    bylines: ['A. Writer'],
    language: 'hy',
    canonicalUrl: 'https://daily.example/contract',
    leadImage: { url: 'https://img.example/lead.jpg', caption: 'Caption' },
    source: daily.slug,
    credits: [{ sourceId: wire.id }],
    tags: ['contract', 'armenia'],
  })
  const writer = await database.db.prisma.person.create({
    data: { slug: 'contract-writer', name: 'Contract Writer', nameKey: 'contract writer' },
  })
  const section = await database.db.prisma.section.create({
    data: { slug: 'contract', path: 'contract', name: 'Contract', depth: 1 },
  })
  await call(
    t,
    {
      method: 'PATCH',
      url: `/v1/articles/${article.id}`,
      payload: { contributors: [{ person: writer.slug }], sections: [{ sectionId: section.id }] },
    },
    200,
  )
  const other = await post('/v1/articles', { headline: 'Contract draft' })
  const a = `/v1/articles/${article.id}`
  await call(t, { method: 'PATCH', url: a, payload: { summary: null, leadImage: null } }, 200)
  await call(t, { method: 'POST', url: `${a}/publish`, payload: {} }, 200)
  await call(t, { url: a }, 200)
  await call(t, { url: `/v1/articles/${article.slug}?include=source,credits,contributors,sections,tags` }, 200)
  await call(t, { url: `${a}?fields=headline,tags&include=tags`, component: 'SparseArticle' }, 200)
  const sibling = await post('/v1/articles', {
    headline: 'Contract sibling',
    body: 'Related.',
    leadImage: { url: 'https://img.example/sibling.jpg' },
    tags: ['contract'],
  })
  await call(t, { method: 'POST', url: `/v1/articles/${sibling.id}/publish`, payload: {} }, 200)
  await call(t, { url: `${a}/related?include=source,credits,tags` }, 200)
  await call(t, { url: `${a}?include=related` }, 200)
  await call(t, { url: `${a}/rights` }, 200)
  const note = { kind: 'correction', text: 'An earlier version misstated the date.' }
  await call(t, { method: 'PATCH', url: a, payload: { correction: note } }, 200)
  await call(t, { method: 'PATCH', url: `/v1/articles/${other.id}`, payload: { correction: note } }, 422)
  await call(t, { url: `/v1/corrections?article=${article.slug}&kind=correction` }, 200)
  await call(t, { url: '/v1/corrections', headers: {} }, 200)
  // Sitemaps answer XML; their problems are problem+json (without PUBLIC_URL the index has no absolute URLs).
  await call(t, { url: '/v1/sitemaps/articles/2031-13.xml', headers: {} }, 400)
  await call(t, { url: '/v1/sitemaps/articles/1900-01.xml', headers: {} }, 404)
  await call(t, { url: '/v1/sitemaps/index.xml', headers: {} }, 404)
  await call(t, { url: '/v1/articles' }, 200)
  await call(t, { url: '/v1/articles?fields=slug,headline&include=source,credits,tags&count=true' }, 200)
  await call(t, { url: '/v1/articles?q=contract&sort=relevance&status=published' }, 200)
  await call(t, { url: `/v1/sources/${daily.slug}/articles?fields=slug` }, 200)
  await call(t, { url: `/v1/people/${writer.slug}/articles?include=contributors,sections` }, 200)
  await call(t, { url: '/v1/people/nobody/articles' }, 404)
  await call(t, { url: `${a}/revisions` }, 200)
  await call(t, { url: `${a}/revisions/1` }, 200)
  await call(t, { method: 'POST', url: `${a}/revisions/1/restore` }, 200)
  await call(t, { method: 'POST', url: `${a}/unpublish` }, 200)
  await call(t, { method: 'POST', url: `${a}/publish`, payload: { publishAt: '2030-01-01T00:00:00.000Z' } }, 200)
  await call(t, { method: 'POST', url: `/v1/articles/${other.id}/archive` }, 409)
  await call(t, { method: 'DELETE', url: `/v1/articles/${other.id}` }, 204)
  await call(t, { method: 'POST', url: `/v1/articles/${sibling.id}/kill`, payload: { reason: 'R', notice: 'N' } }, 204)
  await call(t, { method: 'PATCH', url: `/v1/articles/${sibling.id}`, payload: { summary: 'x' } }, 409)
  await call(t, { url: '/v1/articles/deletions' }, 200)
  await call(t, { url: '/v1/tags' }, 200)
  await post('/v1/tags', {
    slug: 'contract-place',
    name: 'Contract place',
    type: 'place',
    uri: 'https://place.example/',
  })
  await call(t, { url: '/v1/tags/contract' }, 200)
  await call(t, { method: 'PATCH', url: '/v1/tags/contract', payload: { slug: 'contract-tag', description: 'D' } }, 200)
  await call(t, { method: 'POST', url: '/v1/tags/contract-place/merge', payload: { into: 'contract' } }, 200)
  await call(t, { method: 'DELETE', url: '/v1/tags/contract-tag' }, 409)

  await post('/v1/collections', { key: 'contract-box', title: 'Contract box', description: 'A box', maxItems: 2 })
  await call(t, { url: '/v1/collections' }, 200)
  await call(t, { url: '/v1/collections/contract-box' }, 200)
  await call(t, { method: 'PATCH', url: '/v1/collections/contract-box', payload: { maxItems: 3 } }, 200)
  const linked = await post('/v1/collections/contract-box/teasers', {
    text: 'Linked',
    articleId: article.id,
    image: { url: 'https://img.example/t.jpg', alt: 'Alt' },
  })
  const external = await post('/v1/collections/contract-box/teasers', {
    text: 'External',
    url: 'https://partner.example/story',
    sourceId: wire.id,
    pinned: true,
    startsAt: '2026-01-01T00:00:00.000Z',
    endsAt: '2099-01-01T00:00:00.000Z',
  })
  await call(t, { url: '/v1/collections/contract-box/teasers' }, 200)
  await call(t, { url: '/v1/collections/contract-box/teasers', headers: {} }, 200)
  await call(t, { url: `/v1/teasers/${linked.id}` }, 200)
  await call(t, { method: 'PATCH', url: `/v1/teasers/${linked.id}`, payload: { title: 'A title', position: 0 } }, 200)
  const order = { teaserIds: [external.id, linked.id] }
  await call(t, { method: 'PUT', url: '/v1/collections/contract-box/order', payload: order }, 200)
  await call(t, { url: '/v1/collections/contract-box/history' }, 200)

  const key = await post<{ id: string }>('/v1/keys', { name: 'Contract reader', scopes: ['content:read'] })
  await call(t, { url: '/v1/keys' }, 200)
  await call(t, { url: `/v1/keys/${key.id}` }, 200)
  await call(t, { method: 'PATCH', url: `/v1/keys/${key.id}`, payload: { rateLimit: 10 } }, 200)
  await call(t, { url: '/v1/audit?resourceType=source' }, 200)
  await call(t, { url: '/v1/changes' }, 200)

  const hook = await post<{ id: string }>('/v1/webhooks', {
    url: 'https://hooks.example/newsdesk',
    events: ['article.*', 'collection.updated'],
    filter: { source: daily.slug },
  })
  const w = `/v1/webhooks/${hook.id}`
  await call(t, { url: '/v1/webhooks' }, 200)
  await call(t, { url: w }, 200)
  await call(t, { method: 'PATCH', url: w, payload: { enabled: false, filter: { tag: 'contract' } } }, 200)
  await call(t, { method: 'POST', url: `${w}/rotate-secret` }, 200)
  const delivery = json<{ id: string }>(await call(t, { method: 'POST', url: `${w}/test` }, 202))
  await call(t, { url: `${w}/deliveries?status=pending` }, 200)
  await call(t, { url: `${w}/deliveries/${delivery.id}` }, 200)
  await call(t, { method: 'POST', url: `${w}/deliveries/${delivery.id}/redeliver` }, 202)

  await call(t, { url: '/health/live', headers: {} }, 200)
  await call(t, { url: '/health/ready', headers: {} }, 200)

  await t.test('problems, with their extension members', async (t) => {
    await call(t, { url: '/v1/articles?status=gone&limit=0' }, 400)
    await call(t, { url: `/v1/articles/${missingId}` }, 404)
    await call(t, { url: '/v1/nowhere' }, 404)
    await call(
      t,
      { method: 'PATCH', url: a, payload: { headline: 'x' }, headers: { ...admin.headers, 'if-match': '"v1"' } },
      412,
    )
    await call(t, { method: 'POST', url: `${a}/archive` }, 409)
    await call(t, { method: 'POST', url: '/v1/articles', payload: { headline: 'x', source: 'nobody' } }, 422)
    await call(t, { method: 'POST', url: '/v1/sources', payload: { name: 'x', kind: 'agency', slug: wire.slug } }, 409)
    await call(t, { method: 'DELETE', url: `/v1/sources/${wire.id}` }, 409)
    await call(t, { method: 'DELETE', url: `/v1/sources/${daily.id}` }, 409)
    await call(t, { method: 'DELETE', url: '/v1/collections/contract-box' }, 409)
    await call(t, { method: 'DELETE', url: '/v1/sections/contract-world' }, 409)
    await call(t, { method: 'PATCH', url: '/v1/sections/contract-world', payload: { parent: 'contract-world' } }, 422)
    await call(
      t,
      { method: 'PUT', url: '/v1/collections/contract-box/order', payload: { teaserIds: [missingId] } },
      409,
    )
    await call(t, { method: 'PATCH', url: `/v1/keys/${key.id}`, payload: { scopes: ['content:write'] } }, 409)
    const mint = { name: 'x', scopes: ['content:write'] }
    await call(t, { method: 'POST', url: '/v1/keys', payload: mint, headers: keyManager.headers }, 403)
    await call(t, { method: 'POST', url: '/v1/articles', payload: { headline: 'x', body: '> '.repeat(40) } }, 422)
    await call(t, { method: 'POST', url: '/v1/webhooks', payload: { url: 'https://127.0.0.1/', events: ['*'] } }, 422)
  })

  await call(t, { method: 'DELETE', url: `/v1/teasers/${linked.id}` }, 204)
  await call(t, { method: 'DELETE', url: `/v1/keys/${key.id}` }, 204)
  await call(t, { method: 'DELETE', url: w }, 204)
})

t.test('media records, as the spec declares them', async (t) => {
  const form = multipart([
    { name: 'caption', value: 'Contract picture' },
    { name: 'file', file: await image('png') },
  ])
  const upload = { method: 'POST' as const, url: '/v1/media', payload: form.payload }
  const headers = { ...admin.headers, 'content-type': form.contentType }
  const media = json<{ id: string }>(await call(t, { ...upload, headers }, 201))
  await call(t, { ...upload, headers }, 200)
  await call(t, { url: '/v1/media?q=contract' }, 200)
  await call(t, { url: `/v1/media/${media.id}` }, 200)
  await call(t, { method: 'PATCH', url: `/v1/media/${media.id}`, payload: { alt: 'A picture' } }, 200)
  await call(t, { method: 'DELETE', url: `/v1/media/${media.id}` }, 204)
})

// Images (media renditions and originals) are files, not serialized records, and JSON Feed documents
// are rendered by the feed package (as RSS and Atom are): their own tests check them.
const jsonBody = (content: Record<string, Media> | undefined) =>
  Object.keys(content ?? {}).some((type) => /[/+]json$/.test(type) && type !== 'application/feed+json')

t.test('preview links, as the spec declares them', async (t) => {
  const post = async <T>(url: string, payload: object, status = 201) =>
    json<T>(await call(t, { method: 'POST', url, payload }, status))
  const article = await post<{ id: string }>('/v1/articles', { headline: 'Contract preview', body: 'A *draft*' })
  await call(
    t,
    { method: 'PATCH', url: `/v1/articles/${article.id}`, payload: { headline: 'Contract preview, v2' } },
    200,
  )
  const links = `/v1/articles/${article.id}/preview-links`
  const pinned = await post<{ id: string; token: string }>(links, { expiresIn: 600, pinVersion: 1 })
  const current = await post<{ id: string; token: string }>(links, { expiresIn: 600 })
  await call(t, { url: links }, 200)
  await call(t, { url: `/v1/preview-links/${pinned.id}` }, 200)
  await call(t, { url: `/v1/preview/${pinned.token}`, headers: {} }, 200)
  await call(t, { url: `/v1/preview/${current.token}`, headers: {} }, 200)
  await call(t, { method: 'POST', url: links, payload: { expiresIn: 600, pinVersion: 9 } }, 422)
  await call(t, { method: 'DELETE', url: `/v1/preview-links/${pinned.id}` }, 204)
  await call(t, { url: `/v1/preview/${pinned.token}`, headers: {} }, 404)
})

t.test('the walk reached every operation that answers with a JSON body', async (t) => {
  const bodies = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => Object.entries(op.responses).some(([s, r]) => s.startsWith('2') && jsonBody(r.content)))
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  )
  t.same(
    bodies.filter((op) => !seen.has(op)),
    [],
  )
})
