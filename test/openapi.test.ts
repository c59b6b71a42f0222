import { readFile } from 'node:fs/promises'
import SwaggerParser from '@apidevtools/swagger-parser'
import { test } from 'tap'
import { renderSpec, specPath } from '../src/spec.js'
import { build, json } from './helper.js'

interface Operation {
  operationId?: string
  tags?: string[]
  summary?: string
  requestBody?: { content: Record<string, { schema: unknown; examples?: unknown; example?: unknown }> }
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } }

test('the committed spec matches the routes', async (t) => {
  const committed = await readFile(specPath, 'utf8')
  t.ok(committed === (await renderSpec()), 'openapi/openapi.json is fresh (npm run openapi rewrites it)')
})

test('the spec is valid OpenAPI 3.1 and every operation is documented', async (t) => {
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as Spec
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
        const problem = op.responses[status]?.content?.['application/problem+json']?.schema
        t.same(problem, { $ref: '#/components/schemas/Problem' }, `${name} documents ${status} as a problem`)
      }
      if (op.requestBody) {
        const media = op.requestBody.content['application/json']
        t.ok(media?.schema, `${name} has a request body schema`)
      }
    }
  }
  t.ok(ids.has('listSources') && ids.has('createSource') && ids.has('getReadiness'))
})

test('the spec and Swagger UI are served', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/openapi.json')
  t.equal(res.statusCode, 200)
  t.same(json(res), JSON.parse(await readFile(specPath, 'utf8')))
  const docs = await app.inject('/docs/')
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /text\/html/)
})
