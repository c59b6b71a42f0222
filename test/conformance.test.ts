// Contract conformance, driven by the committed spec: every operation is called against a real
// app on a seeded database, with a valid request (test/conformance.table.ts) and with requests
// the spec says must fail (a parameter or body that breaks its schema, a record that does not
// exist, no key, a key without the scope, a revalidation). Every answer must have a status the
// operation documents, a documented content type, and a body valid against the spec's schema.
import type { FastifyInstance } from 'fastify'
import { type Test, test } from 'tap'
import { type Case, type Fixtures, setUp, table } from './conformance.table.js'
import { missingId } from './helper.js'
import {
  type Answer,
  createResponseChecker,
  loadSpec,
  operationsOf,
  type Parameter,
  requestExample,
  type SchemaObject,
  type SpecOperation,
} from './spec-check.js'

const spec = loadSpec()
const check = createResponseChecker(spec)
const operations = operationsOf(spec)

/**
 * Answers that do not conform yet, each with the reason: the check still runs and reports them,
 * as `todo`, so the list shows what is left (and tap says when one starts to pass).
 */
const knownGaps: { operation?: RegExp; variant?: RegExp; problem: RegExp; reason: string }[] = []

interface Variant {
  name: string
  request: Case
  /** The statuses this variant may get; every answer is checked against the spec either way. */
  expect: number[]
  headers?: Record<string, string>
}

/** A value the parameter's schema refuses, when there is one to give. */
function violating(schema: SchemaObject): string | undefined {
  if (schema.format === 'uuid') return 'not-a-uuid'
  if (schema.type === 'integer') return schema.minimum === undefined ? 'abc' : String(schema.minimum - 1)
  if (schema.type === 'boolean') return 'maybe'
  if (schema.enum || schema.anyOf) return 'zz-not-an-option'
  if (schema.format === 'date-time') return 'yesterday'
  if (schema.pattern) return '!!'
  if (schema.maxLength !== undefined) return 'x'.repeat(schema.maxLength + 1)
  return undefined
}

/** A value the parameter's schema takes that names no record. */
function absent(schema: SchemaObject): string {
  if (schema.format === 'uuid') return missingId
  if (schema.type === 'integer') return String(schema.maximum ?? 999999)
  // A preview token has a fixed shape: one of that shape that no link was created with.
  if (schema.pattern?.startsWith('^ndp_')) return `ndp_${'A'.repeat(43)}`
  // A sitemap file is a month: one without articles.
  if (schema.pattern?.endsWith('\\.xml$')) return '1900-01.xml'
  return 'zz-conformance-missing'
}

function url(op: SpecOperation, request: Case): string {
  let i = 0
  const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(request.params?.[i++] ?? '')))
  const query = new URLSearchParams(request.query ?? {}).toString()
  return query ? `${path}?${query}` : path
}

function lowestSuccess(op: SpecOperation): number {
  return Math.min(
    ...Object.keys(op.operation.responses)
      .map(Number)
      .filter((s) => s >= 200 && s < 300),
  )
}

function variantsOf(op: SpecOperation, valid: Case, reader: Record<string, string>): Variant[] {
  const params = op.operation.parameters ?? []
  const pathParams = params.filter((p) => p.in === 'path')
  const variants: Variant[] = [{ name: 'valid', request: valid, expect: [valid.status ?? lowestSuccess(op)] }]
  const first = pathParams[0]
  const replaceParam = (p: Parameter, value: string) => {
    const values = [...(valid.params ?? [])]
    values[pathParams.indexOf(p)] = value
    return { ...valid, params: values }
  }
  const badPath = pathParams.map((p) => [p, violating(p.schema)] as const).find(([, v]) => v !== undefined)
  if (badPath?.[1]) {
    variants.push({
      name: `invalid path ${badPath[0].name}`,
      request: replaceParam(badPath[0], badPath[1]),
      expect: [valid.invalidStatus ?? 400],
    })
  }
  const badQuery = params
    .filter((p) => p.in === 'query')
    .map((p) => [p, violating(p.schema)] as const)
    .find(([, v]) => v !== undefined)
  if (badQuery?.[1]) {
    const query = { ...valid.query, [badQuery[0].name]: badQuery[1] }
    variants.push({ name: `invalid query ${badQuery[0].name}`, request: { ...valid, query }, expect: [400] })
  }
  const bodySchema = op.operation.requestBody?.content['application/json']?.schema
  if (bodySchema) {
    const closed = bodySchema.additionalProperties === false && typeof valid.body === 'object'
    const body = closed ? { ...(valid.body as object), zzUnknown: true } : []
    variants.push({ name: 'invalid body', request: { ...valid, body }, expect: [400] })
  }
  if (first)
    variants.push({ name: 'missing record', request: replaceParam(first, absent(first.schema)), expect: [404] })
  const security = op.operation.security ?? []
  if (security.length > 0 && !security.some((s) => Object.keys(s).length === 0)) {
    variants.push({ name: 'no key', request: valid, expect: [401], headers: { authorization: '' } })
    variants.push({ name: 'key without the scope', request: valid, expect: [403], headers: reader })
  }
  return variants
}

async function send(
  app: FastifyInstance,
  f: Fixtures,
  op: SpecOperation,
  request: Case,
  extra: Record<string, string>,
) {
  const headers: Record<string, string> = { ...f.auth, ...request.headers, ...extra }
  if (headers.authorization === '') delete headers.authorization
  const method = op.method.toUpperCase() as 'GET'
  const body = request.body
  return app.inject({
    method,
    url: url(op, request),
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  })
}

function assertConforms(t: Test, op: SpecOperation, variant: string, res: Answer, findings: string[]) {
  const problems = check(op, res)
  const name = `${op.operation.operationId} (${variant})`
  for (const problem of problems) {
    const gap = knownGaps.find(
      (g) =>
        (!g.operation || g.operation.test(op.operation.operationId)) &&
        (!g.variant || g.variant.test(variant)) &&
        g.problem.test(problem),
    )
    findings.push(`${op.method.toUpperCase()} ${op.path} ${name}: ${problem}${gap ? ` [known: ${gap.reason}]` : ''}`)
    t.fail(`${name}: ${problem}`, gap ? { todo: gap.reason } : {})
  }
  if (problems.length === 0) t.pass(`${name}: ${res.statusCode} conforms`)
}

test('the check finds what does not conform', async (t) => {
  const op = operations.find((o) => o.operation.operationId === 'listSources') as SpecOperation
  const json = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r1', etag: '"abc"' }
  const page = '{"data":[],"page":{"limit":20,"nextCursor":null}}'
  t.same(check(op, { statusCode: 200, headers: json, body: page }), [])
  t.same(check(op, { statusCode: 200, headers: { ...json, 'x-request-id': undefined }, body: page }), [
    '200: required header X-Request-Id is missing',
  ])
  t.match(check(op, { statusCode: 200, headers: json, body: '{"data":[{"id":1}]}' }), [
    /body: must have required property 'page'/,
    /body\/data\/0: must have required property 'slug'/,
  ])
  t.same(check(op, { statusCode: 418, headers: json, body: '{}' }), ['status 418 is not documented'])
  t.same(check(op, { statusCode: 200, headers: { ...json, 'content-type': 'text/html' }, body: '<p>' }), [
    '200: content type "text/html" is not documented',
  ])
  t.same(check(op, { statusCode: 200, headers: json, body: '' }), ['200: no body where the spec documents one'])
})

test('every operation answers as the spec documents', async (t) => {
  const { app, fixtures, reader } = await setUp(t)
  const findings: string[] = []
  const getOf = new Map(operations.filter((o) => o.method === 'get').map((o) => [o.path, o.operation.operationId]))
  t.ok(operations.length > 40, `${operations.length} operations in the spec`)

  for (const op of operations) {
    const id = op.operation.operationId
    // A HEAD operation takes the GET's request.
    const entry = table[id] ?? (op.method === 'head' ? table[getOf.get(op.path) ?? ''] : undefined)
    if (!entry) {
      t.fail(`${id}: no valid request in test/conformance.table.ts`)
      continue
    }
    await t.test(`${op.method.toUpperCase()} ${op.path} (${id})`, async (t) => {
      const example = requestExample(op.operation) as Record<string, unknown> | undefined
      const valid = await entry(fixtures, example ?? {})
      const request = { ...valid, body: valid.body ?? example }
      for (const variant of variantsOf(op, request, reader)) {
        const res = await send(app, fixtures, op, variant.request, variant.headers ?? {})
        t.ok(variant.expect.includes(res.statusCode), `${variant.name}: ${res.statusCode}`, {
          expected: variant.expect,
          body: res.body.slice(0, 500),
        })
        assertConforms(t, op, variant.name, res, findings)
        const etag = res.headers.etag
        const revalidate = variant.name === 'valid' && op.method === 'get' && !valid.changesEveryCall
        if (revalidate && res.statusCode === 200 && typeof etag === 'string') {
          const again = await send(app, fixtures, op, request, { 'if-none-match': etag })
          t.equal(again.statusCode, 304, 'revalidation with If-None-Match: 304')
          assertConforms(t, op, 'revalidation', again, findings)
        }
      }
    })
  }
  t.comment(findings.length ? `non-conforming answers:\n${findings.join('\n')}` : 'every answer conforms')
})
