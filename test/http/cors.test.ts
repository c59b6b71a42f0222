import type { InjectOptions } from 'fastify'
import { type Test, test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/database.js'
import { assertProblem, createKey, createTestDatabase, freshIp, type Res } from '../helper.js'

const allowed = 'https://www.example.com'
const env = { LOG_LEVEL: 'silent', CORS_ORIGINS: `${allowed}, https://m.example.com` }
// Every response header the README tells clients to read (Surrogate-Key is for CDNs: not exposed).
const exposed = [
  'Age',
  'ETag',
  'Idempotent-Replayed',
  'Last-Modified',
  'Link',
  'Location',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'WWW-Authenticate',
  'X-Request-Id',
]
// A fresh client address per request keeps the per-IP budgets of the cases apart.

function assertCors(t: Test, res: Res, what: string) {
  t.equal(res.headers['access-control-allow-origin'], allowed, `${what}: Access-Control-Allow-Origin`)
  t.match(String(res.headers.vary), /\borigin\b/i, `${what}: Vary: Origin`)
  const names = String(res.headers['access-control-expose-headers'])
    .split(',')
    .map((h) => h.trim().toLowerCase())
  t.same(names.sort(), exposed.map((h) => h.toLowerCase()).sort(), `${what}: Access-Control-Expose-Headers`)
}

function assertNoCors(t: Test, res: Res, what: string) {
  for (const name of Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))) {
    t.fail(`${what}: no ${name} for a disallowed origin`)
  }
  t.match(String(res.headers.vary), /\borigin\b/i, `${what}: Vary: Origin all the same, for caches`)
}

test('every response to an allowed origin carries the CORS headers, errors included', async (t) => {
  const { db } = await createTestDatabase(t)
  const app = await buildApp({
    config: loadConfig({ ...env, BODY_LIMIT: '1024', RATE_LIMIT_ANONYMOUS_MAX: '2', AUTH_FAILURE_MAX: '1' }),
    db,
  })
  t.teardown(() => app.close())
  app.get('/boom', { config: { access: 'public' }, schema: { hide: true } }, async () => {
    throw new Error('an unforeseen failure')
  })
  await app.ready()
  const reader = await createKey(db, ['content:read'])
  const writer = await createKey(db, ['content:write'])
  const json = { 'content-type': 'application/json' }
  const send = (options: InjectOptions, origin = allowed) =>
    app.inject({ remoteAddress: freshIp(), ...options, headers: { ...options.headers, origin } })

  const ok = await send({ url: '/v1/sources' })
  t.equal(ok.statusCode, 200)
  assertCors(t, ok, '200')

  const cases: [status: number, code: string, what: string, options: InjectOptions][] = [
    [400, 'ND_VALIDATION_FAILED', 'validation', { url: '/v1/sources?limit=1000' }],
    [
      400,
      'ND_MALFORMED_JSON',
      'body parser',
      { method: 'POST', url: '/v1/sources', headers: { ...writer.headers, ...json }, payload: '{"name":' },
    ],
    [400, 'ND_BAD_URL', 'router: bad percent-encoding', { url: '/v1/sources/%E0%A4%A' }],
    [401, 'ND_UNAUTHORIZED', 'no key for a write', { method: 'POST', url: '/v1/sources', payload: {} }],
    [401, 'ND_UNAUTHORIZED', 'unknown key', { url: '/v1/keys', headers: { authorization: 'Bearer nd_unknown' } }],
    [
      403,
      'ND_FORBIDDEN',
      'scope not held',
      { method: 'POST', url: '/v1/sources', headers: reader.headers, payload: {} },
    ],
    [404, 'ND_ROUTE_NOT_FOUND', 'no route', { url: '/v1/nope' }],
    [404, 'ND_ROUTE_NOT_FOUND', 'no route for the method', { method: 'PUT', url: '/v1/sources' }],
    [404, 'ND_NOT_FOUND', 'handler', { url: '/v1/sources/no-such-source' }],
    [
      413,
      'ND_BODY_TOO_LARGE',
      'body limit',
      { method: 'POST', url: '/v1/sources', headers: { ...writer.headers, ...json }, payload: 'x'.repeat(2048) },
    ],
    [414, 'ND_URI_TOO_LONG', 'URI length', { url: `/v1/sources?q=${'x'.repeat(5000)}` }],
    [414, 'ND_URI_TOO_LONG', 'router: path segment length', { url: `/v1/sources/${'a'.repeat(300)}` }],
    [
      415,
      'ND_UNSUPPORTED_MEDIA_TYPE',
      'media type',
      {
        method: 'POST',
        url: '/v1/sources',
        headers: { ...writer.headers, 'content-type': 'text/plain' },
        payload: 'x',
      },
    ],
    [500, 'ND_INTERNAL', 'unexpected error', { url: '/boom' }],
  ]
  for (const [status, code, what, options] of cases) {
    const res = await send(options)
    assertProblem(t, res, status, code)
    assertCors(t, res, `${status} (${what})`)
  }

  const ip = freshIp()
  await send({ url: '/v1/sources', remoteAddress: ip })
  await send({ url: '/v1/sources', remoteAddress: ip })
  const limited = await send({ url: '/v1/sources', remoteAddress: ip })
  assertProblem(t, limited, 429, 'ND_RATE_LIMITED')
  assertCors(t, limited, '429 (rate limit)')

  const failing = freshIp()
  const badKey = { authorization: 'Bearer nd_unknown' }
  assertProblem(t, await send({ url: '/v1/keys', headers: badKey, remoteAddress: failing }), 401, 'ND_UNAUTHORIZED')
  const blocked = await send({ url: '/v1/keys', headers: badKey, remoteAddress: failing })
  assertProblem(t, blocked, 429, 'ND_TOO_MANY_AUTH_FAILURES')
  assertCors(t, blocked, '429 (authentication failures)')

  for (const [what, options] of [
    ['200', { url: '/v1/sources' }],
    ['401', { url: '/v1/keys', headers: { authorization: 'Bearer nd_unknown' } }],
    ['404', { url: '/v1/nope' }],
    ['414', { url: `/v1/sources?q=${'x'.repeat(5000)}` }],
    ['router 400', { url: '/v1/sources/%E0%A4%A' }],
  ] as const) {
    assertNoCors(t, await send(options, 'https://evil.example'), `${what}, disallowed origin`)
  }
  const sameOrigin = await app.inject({ url: '/v1/sources' })
  t.notOk(sameOrigin.headers['access-control-allow-origin'], 'no Origin header: no CORS headers')
})

test('503 while the database is unreachable carries the CORS headers', async (t) => {
  const db = await openDatabase({ kind: 'server', url: 'postgres://nobody@127.0.0.1:1/none', poolMax: 1 })
  t.teardown(() => db.close())
  const app = await buildApp({
    config: loadConfig({ ...env, RESPONSE_CACHE_MB: '0', WEBHOOK_WORKER: 'false' }),
    db,
  })
  t.teardown(() => app.close())
  await app.ready()
  for (const url of ['/v1/sources', '/health/ready']) {
    const res = await app.inject({ url, headers: { origin: allowed } })
    assertProblem(t, res, 503, 'ND_DATABASE_UNAVAILABLE')
    assertCors(t, res, `503 ${url}`)
  }
})

test('preflight for a write: no key needed, not rate limited', async (t) => {
  const { db } = await createTestDatabase(t)
  const app = await buildApp({ config: loadConfig({ ...env, RATE_LIMIT_ANONYMOUS_MAX: '1' }), db })
  t.teardown(() => app.close())
  await app.ready()
  const preflight = (origin: string) =>
    app.inject({
      method: 'OPTIONS',
      url: '/v1/articles/019a0000-0000-7000-8000-000000000000',
      remoteAddress: '10.0.0.7',
      headers: {
        origin,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, content-type, if-match, idempotency-key',
      },
    })
  for (let i = 0; i < 3; i++) {
    const res = await preflight(allowed)
    t.equal(res.statusCode, 204, 'answered without a key, and again past the anonymous budget')
    t.equal(res.headers['access-control-allow-origin'], allowed)
    t.match(String(res.headers['access-control-allow-methods']), /\bPATCH\b/)
    const headers = String(res.headers['access-control-allow-headers']).toLowerCase()
    for (const h of ['authorization', 'content-type', 'if-match', 'idempotency-key']) t.match(headers, h, `allows ${h}`)
    t.equal(res.headers['access-control-max-age'], '600')
    t.notOk(res.headers['access-control-allow-credentials'], 'no credentials')
    t.notOk(res.headers['ratelimit-limit'], 'preflights are not counted')
  }
  const refused = await preflight('https://evil.example')
  t.notOk(refused.headers['access-control-allow-origin'], 'a disallowed origin is not allowed to send the write')
  t.notOk(refused.headers['access-control-allow-methods'])
})

test('CORS_ORIGINS=* (the default): any origin may read, and Origin does not vary the answer', async (t) => {
  const { db } = await createTestDatabase(t)
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), db })
  t.teardown(() => app.close())
  await app.ready()
  for (const url of ['/v1/sources', '/v1/keys', '/v1/sources/%E0%A4%A']) {
    const res = await app.inject({ url, headers: { origin: 'https://anywhere.example' } })
    t.equal(res.headers['access-control-allow-origin'], '*', `${url}: Access-Control-Allow-Origin: *`)
    t.match(String(res.headers['access-control-expose-headers']), /Idempotent-Replayed/)
    t.notMatch(String(res.headers.vary ?? ''), /\borigin\b/i, `${url}: no Vary: Origin`)
  }
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/sources',
    headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'POST' },
  })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], '*')
  t.match(String(preflight.headers['access-control-allow-headers']), /Authorization.*Content-Type.*If-Match/)
  t.notOk(preflight.headers['access-control-allow-credentials'], 'no credentials')
  const bare = await app.inject({ method: 'OPTIONS', url: '/v1/sources' })
  t.equal(bare.statusCode, 204, 'an OPTIONS request that is not a preflight: no text/plain 400')
})
