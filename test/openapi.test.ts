import { readFile } from 'node:fs/promises'
import SwaggerParser from '@apidevtools/swagger-parser'
import { test } from 'tap'
import { renderSpec, specPath } from '../src/spec.js'
import { build, json } from './helper.js'

interface Parameter {
  name: string
  in: string
  required?: boolean
  schema?: { default?: unknown }
}
interface Response {
  description: string
  headers?: Record<string, { $ref?: string }>
  content?: Record<string, { schema: { $ref?: string } }>
}
interface Operation {
  operationId?: string
  tags?: string[]
  summary?: string
  description?: string
  security?: object[]
  parameters?: Parameter[]
  requestBody?: {
    required?: boolean
    content: Record<string, { schema: unknown; examples?: unknown; example?: unknown }>
  }
  responses: Record<string, Response>
}
type Spec = {
  servers?: { url: string }[]
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown>; headers: Record<string, unknown> }
}

const readSpec = async () => JSON.parse(await readFile(specPath, 'utf8')) as Spec
function* operations(spec: Spec) {
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods))
      yield { path, method, op, name: `${method.toUpperCase()} ${path}` }
  }
}

test('the committed spec matches the routes', async (t) => {
  const committed = await readFile(specPath, 'utf8')
  t.ok(committed === (await renderSpec()), 'openapi/openapi.json is fresh (npm run openapi rewrites it)')
})

test('the spec is valid OpenAPI 3.1 and every operation is documented', async (t) => {
  const spec = await readSpec()
  await t.resolves(SwaggerParser.validate(structuredClone(spec) as never), 'passes the validator')
  t.ok(spec.components.schemas.Problem, 'Problem is a named component')

  const ids = new Set<string>()
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const name = `${method.toUpperCase()} ${path}`
      t.match(op.operationId, /^[a-z][A-Za-z]+$/, `${name} has a camelCase operationId`)
      t.notOk(ids.has(op.operationId as string), `${name} operationId is unique`)
      ids.add(op.operationId as string)
      t.ok(op.tags?.length, `${name} has tags`)
      t.ok(op.summary, `${name} has a summary`)
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2'))
      t.ok(success.length, `${name} documents its success response`)
      for (const status of ['500', ...(path.startsWith('/v1/') ? ['400', '503'] : [])]) {
        // HEAD answers have no body: the status is documented, the problem is not sent.
        if (method === 'head') {
          t.ok(op.responses[status] && !op.responses[status].content, `${name} documents ${status}, without a body`)
          continue
        }
        const problem = op.responses[status]?.content?.['application/problem+json']?.schema
        t.same(problem, { $ref: '#/components/schemas/Problem' }, `${name} documents ${status} as a problem`)
      }
      if (op.requestBody) {
        // JSON, or a multipart upload (POST /v1/media) whose parts the route reads itself.
        const media = op.requestBody.content['application/json'] ?? op.requestBody.content['multipart/form-data']
        t.ok(media?.schema, `${name} has a request body schema`)
      }
    }
  }
  t.ok(ids.has('listSources') && ids.has('createSource') && ids.has('getReadiness'))
})

test('one parameter name per path template', async (t) => {
  const spec = await readSpec()
  const templates = new Map<string, string>()
  for (const path of Object.keys(spec.paths)) {
    const template = path.replace(/\{[^}]+\}/g, '{}')
    t.notOk(templates.has(template), `${path} and ${templates.get(template)} are one template`)
    templates.set(template, path)
  }
  for (const { path, op, name } of operations(spec)) {
    const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort()
    const declared = (op.parameters ?? [])
      .filter((p) => p.in === 'path')
      .map((p) => p.name)
      .sort()
    t.same(declared, inPath, `${name} declares exactly its path parameters`)
  }
  t.ok(spec.paths['/v1/articles/{idOrSlug}']?.patch, 'changes to an article share the template of its reads')
  t.ok(spec.paths['/v1/sources/{idOrSlug}']?.delete, 'changes to a source share the template of its reads')
})

test('parameters with a default are optional; an optional body is not required', async (t) => {
  const spec = await readSpec()
  let defaults = 0
  for (const { op, name } of operations(spec)) {
    for (const p of op.parameters ?? []) {
      if (p.schema?.default === undefined) continue
      defaults++
      t.notOk(p.required, `${name}: ${p.name} has a default, so it is optional`)
    }
  }
  t.ok(defaults >= 12, 'limit (every list) and sort (sources) have defaults')
  t.equal(spec.paths['/v1/articles/{id}/publish']?.post?.requestBody?.required, false, 'publish takes no body')
  t.equal(spec.paths['/v1/articles']?.post?.requestBody?.required, true, 'create needs one')
})

test('every response is described and declares its headers', async (t) => {
  const spec = await readSpec()
  t.same(
    spec.servers?.map((server) => server.url),
    ['/'],
    'one relative server: Try it out calls whichever host served the document',
  )
  const components = spec.components.headers
  for (const { method, op, name } of operations(spec)) {
    const rateLimited = op.security?.length !== 0
    for (const [status, response] of Object.entries(op.responses)) {
      const where = `${name} ${status}`
      t.ok(response.description && response.description !== 'Default Response', `${where} is described`)
      const headers = response.headers ?? {}
      for (const [header, value] of Object.entries(headers)) {
        t.same(value, { $ref: `#/components/headers/${header}` }, `${where}: ${header} is a named component`)
        t.ok(components[header], `${where}: components.headers.${header} exists`)
      }
      const has = (header: string) => header in headers
      t.ok(has('X-Request-Id'), `${where} declares X-Request-Id`)
      if (rateLimited && !['401', '403', '414'].includes(status)) {
        t.ok(has('RateLimit-Limit') && has('RateLimit-Remaining') && has('RateLimit-Reset'), `${where}: RateLimit-*`)
      } else {
        // Refused before requests are counted: the spec must not promise the headers.
        t.notOk(has('RateLimit-Limit'), `${where}: no RateLimit-* (not counted)`)
      }
      if (status === '429' || status === '503') t.ok(has('Retry-After'), `${where} declares Retry-After`)
      if (status.startsWith('2') && response.content) t.ok(has('ETag'), `${where} declares ETag`)
      if (status === '201') t.ok(has('Location'), `${where} declares Location`)
    }
    if (method === 'get' && (op.parameters ?? []).some((p) => p.name === 'cursor')) {
      t.ok(op.responses['200']?.headers?.Link, `${name} (a list) declares Link`)
    }
  }
  const create = spec.paths['/v1/articles']?.post?.responses['201']?.headers ?? {}
  t.ok(create['Idempotent-Replayed'], 'a create honouring Idempotency-Key declares Idempotent-Replayed')
  const article = spec.paths['/v1/articles/{idOrSlug}']?.get?.responses['200']?.headers ?? {}
  for (const header of ['Cache-Control', 'Last-Modified', 'Surrogate-Key', 'Vary', 'Age']) {
    t.ok(article[header], `an article read declares ${header}`)
  }
  t.ok(spec.paths['/v1/sources']?.head?.responses['200']?.headers?.ETag, 'HEAD declares the headers of GET')
  t.notOk(spec.paths['/v1/sources']?.head?.responses['200']?.headers?.Age, 'but no Age: the cache answers GET only')
})

test('every GET documents 304 and If-None-Match, and its HEAD', async (t) => {
  const spec = await readSpec()
  let gets = 0
  for (const { path, method, op, name } of operations(spec)) {
    const notes = (op.description ?? '').split('Access:').length - 1
    t.equal(notes, op.security?.length === 0 ? 0 : 1, `${name} states its access once (public: not at all)`)
    if (method !== 'get') continue
    gets++
    const notModified = op.responses['304']
    t.ok(notModified && !notModified.content, `${name} documents 304 without a body`)
    t.ok(notModified?.headers?.ETag, `${name}: the 304 carries the ETag`)
    t.ok(
      op.parameters?.some((p) => p.in === 'header' && p.name === 'if-none-match' && !p.required),
      `${name} takes If-None-Match`,
    )
    const head = spec.paths[path]?.head
    t.equal(head?.operationId, `${op.operationId}Head`, `${name} has its HEAD`)
    t.same(Object.keys(head?.responses ?? {}), Object.keys(op.responses), `HEAD ${path}: the statuses of GET`)
    t.notOk(
      Object.values(head?.responses ?? {}).some((r) => r.content),
      `HEAD ${path}: no response has a body`,
    )
    const accessNotes = (o?: Operation) => (o?.description ?? '').split('Access:').length - 1
    t.equal(accessNotes(head), accessNotes(op), `HEAD ${path} states the access of GET`)
  }
  t.ok(gets >= 24, 'every GET was looked at')
})

test('the spec and Swagger UI are served', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/openapi.json')
  t.equal(res.statusCode, 200)
  t.same(json(res), JSON.parse(await readFile(specPath, 'utf8')))
  t.match(res.headers, { 'content-type': /^application\/json/, 'cache-control': 'public, max-age=300' })
  const again = await app.inject('/openapi.json')
  t.equal(again.headers.etag, res.headers.etag, 'rendered once: the same ETag')
  t.equal(again.body, res.body)
  const revalidated = await app.inject({ url: '/openapi.json', headers: { 'if-none-match': String(res.headers.etag) } })
  t.equal(revalidated.statusCode, 304)
  const docs = await app.inject('/docs/')
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /text\/html/)
})

test('HEAD, 304 and a body-less publish answer as the spec says', async (t) => {
  const { app, auth } = await build(t)
  const list = await app.inject('/v1/sources')
  const head = await app.inject({ method: 'HEAD', url: '/v1/sources' })
  t.equal(head.statusCode, 200)
  t.equal(head.body, '', 'HEAD has no body')
  t.equal(head.headers.etag, list.headers.etag, 'HEAD carries the ETag of GET')
  t.ok(head.headers['ratelimit-limit'] && head.headers['x-request-id'])
  const again = await app.inject({ url: '/v1/sources', headers: { 'if-none-match': String(list.headers.etag) } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  t.equal(again.headers.etag, list.headers.etag)

  const created = await app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: auth,
    payload: { headline: 'Published without a body', body: 'Text.' },
  })
  const id = json<{ id: string }>(created).id
  const published = await app.inject({ method: 'POST', url: `/v1/articles/${id}/publish`, headers: auth })
  t.equal(published.statusCode, 200, 'no body and no Content-Type: published now')
  t.equal(json<{ status: string }>(published).status, 'published')

  // A write ignores If-None-Match: even naming the version it makes, it answers with its body.
  const version = json<{ version: number }>(published).version
  const edited = await app.inject({
    method: 'PATCH',
    url: `/v1/articles/${id}`,
    headers: { ...auth, 'if-none-match': `"v${version + 1}"` },
    payload: { summary: 'Edited' },
  })
  t.equal(edited.statusCode, 200, 'not a 304')
  t.equal(json<{ summary: string }>(edited).summary, 'Edited')
})
