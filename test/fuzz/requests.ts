// Whole requests for one operation of the spec: path, query string, headers and body, each valid
// (from the operation's schemas), broken in one place, or hostile.
import fc from 'fast-check'
import {
  broken,
  encode,
  hostileJson,
  hostileText,
  type JsonSchema,
  type Known,
  rawTokens,
  valid,
} from './arbitraries.js'

export interface Operation {
  method: string
  path: string
  parameters: { in: string; name: string; required?: boolean; schema: JsonSchema }[]
  body?: JsonSchema
}

export interface Request {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  headers: Record<string, string>
  payload?: string
}

export interface RequestContext {
  known: Known
  authorization: fc.Arbitrary<string>
  adminHeaders: Record<string, string>
  ifMatch: fc.Arbitrary<string>
  idempotencyKey: fc.Arbitrary<string>
}

/** `arb` in `percent` of the cases, `absent` in the others. */
function sometimes<T, A>(arb: fc.Arbitrary<T>, percent: number, absent: A): fc.Arbitrary<T | A> {
  return fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(absent) }, { weight: percent, arbitrary: arb })
}

/** A value for a path segment or query parameter, already encoded for the URL. */
function urlValue(schema: JsonSchema, known: Known): fc.Arbitrary<string> {
  const asText = (v: unknown) => encode(typeof v === 'string' ? v : JSON.stringify(v))
  return fc.oneof(
    { weight: 6, arbitrary: valid(schema, known).map(asText) },
    { weight: 2, arbitrary: hostileText.map(encode) },
    { weight: 1, arbitrary: fc.constantFrom(...rawTokens) },
  )
}

function pathFor(op: Operation, known: Known): fc.Arbitrary<string> {
  const params = op.parameters.filter((p) => p.in === 'path')
  // Mostly the id or slug of a real record: a path to nothing tests only the 404.
  const real = fc.constantFrom(...known.uuids, ...known.slugs).map(encode)
  const value = (schema: JsonSchema) =>
    fc.oneof({ weight: 1, arbitrary: urlValue(schema, known) }, { weight: 1, arbitrary: real })
  const values = Object.fromEntries(params.map((p) => [p.name, value(p.schema)]))
  return fc.record(values).map((v) => op.path.replace(/\{([^}]+)\}/g, (_, name: string) => v[name] ?? ''))
}

/** key=value pairs: each parameter present or not, valid mostly, sometimes hostile; an unknown one now and then. */
function queryFor(op: Operation, known: Known): fc.Arbitrary<string[]> {
  const params = op.parameters.filter((p) => p.in === 'query')
  const pairs = params.map((p) => {
    const values =
      p.schema.type === 'array'
        ? fc.array(urlValue(p.schema.items ?? {}, known), { minLength: 1, maxLength: 3 })
        : urlValue(p.schema, known).map((v) => [v])
    const pair = values.map((vs) => vs.map((v) => `${encode(p.name)}=${v}`))
    return sometimes(pair, p.required ? 80 : 30, [] as string[])
  })
  const unknown = sometimes(
    fc.tuple(hostileText, hostileText).map(([k, v]) => [`${encode(k)}=${encode(v)}`]),
    10,
    [] as string[],
  )
  return fc.tuple(...pairs, unknown).map((groups) => groups.flat())
}

const cursorValues = fc.constantFrom<unknown>(
  '0000-01-01T00:00:00.000Z',
  '2016-12-31T23:59:60Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '1000-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  1e308,
  -1e308,
  '1e308',
  '1e400',
  '-1e39',
  -0,
  'NaN',
  '',
  null,
  {},
  [],
  'x'.repeat(1000),
  '\u0000',
  99999999999,
  '99999999999',
  2147483648,
  0.5,
  '0.5',
  -1,
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
)

/** A real next-page request with its cursor's values replaced: sort key kept, so values are reached. */
function forgedCursor(learned: { url: string; cursor: string }[]): fc.Arbitrary<string> {
  return fc.constantFrom(...learned).chain(({ url, cursor }) => {
    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { s: string; v: unknown[] }
    const values = fc.tuple(...payload.v.map((v) => fc.oneof(fc.constant(v), cursorValues)))
    return values.map((v) => `${url}&cursor=${Buffer.from(JSON.stringify({ s: payload.s, v })).toString('base64url')}`)
  })
}

const rawBodies = [
  '',
  '{',
  'not json',
  'null',
  '"text"',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  `${'['.repeat(100000)}${']'.repeat(100000)}`,
  `${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}`,
]

function bodyFor(schema: JsonSchema | undefined, known: Known): fc.Arbitrary<string | undefined> {
  const json = (arb: fc.Arbitrary<unknown>) => arb.map((v) => JSON.stringify(v) ?? 'null')
  if (!schema) return sometimes(json(hostileJson), 10, undefined)
  return fc.oneof(
    { weight: 5, arbitrary: json(valid(schema, known)) },
    { weight: 3, arbitrary: json(broken(schema, known)) },
    { weight: 1, arbitrary: json(hostileJson) },
    { weight: 1, arbitrary: fc.constantFrom(...rawBodies) },
  )
}

function headersFor(op: Operation, context: RequestContext, hasBody: boolean) {
  const names = new Set(op.parameters.filter((p) => p.in === 'header').map((p) => p.name))
  const anonymous = sometimes(context.authorization, 30, undefined)
  return fc
    .record({
      // Half the runs with a key that holds every scope, half anonymous (some with a bad Authorization).
      admin: fc.boolean(),
      authorization: anonymous,
      ifMatch: names.has('if-match') ? sometimes(context.ifMatch, 40, undefined) : fc.constant(undefined),
      idempotencyKey: names.has('idempotency-key')
        ? sometimes(context.idempotencyKey, 40, undefined)
        : fc.constant(undefined),
      contentType: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
        { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', '') },
      ),
    })
    .map((h) => {
      const headers: Record<string, string> = h.admin
        ? { ...context.adminHeaders }
        : h.authorization === undefined
          ? {}
          : { authorization: h.authorization }
      if (h.ifMatch !== undefined) headers['if-match'] = h.ifMatch
      if (h.idempotencyKey !== undefined) headers['idempotency-key'] = h.idempotencyKey
      if (hasBody && h.contentType) headers['content-type'] = h.contentType
      return headers
    })
}

export function requestFor(
  op: Operation,
  context: RequestContext,
  learned: { url: string; cursor: string }[],
): fc.Arbitrary<Request> {
  const generated = fc
    .tuple(pathFor(op, context.known), queryFor(op, context.known))
    .map(([path, query]) => (query.length > 0 ? `${path}?${query.join('&')}` : path))
  const url = learned.length > 0 ? fc.oneof({ weight: 3, arbitrary: generated }, forgedCursor(learned)) : generated
  return fc.tuple(url, bodyFor(op.body, context.known)).chain(([u, payload]) =>
    headersFor(op, context, payload !== undefined).map((headers) => {
      const request: Request = {
        method: op.method as Request['method'],
        url: u,
        headers,
        ...(payload === undefined ? {} : { payload }),
      }
      // Counterexamples print shortened: a 200,000-character body would bury the failure.
      return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) })
    }),
  )
}

/** A request as a failure shows it: method, URL, headers and body, long values shortened. */
export function describeRequest(request: Request): string {
  const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} characters)` : s)
  const headers = Object.entries(request.headers).map(([k, v]) => `${k}: ${cut(JSON.stringify(v))}`)
  return [`${request.method} ${cut(request.url)}`, ...headers, request.payload ? cut(request.payload) : ''].join('\n')
}
