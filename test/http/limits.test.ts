import { test } from 'tap'
import { build, createKey, createTestDatabase, freshIp, json } from '../helper.js'

const redisUrl = process.env.TEST_REDIS_URL || undefined
// Anonymous budgets are per client IP: a fresh address per run keeps runs apart in a shared Redis.

test('rate limits in memory: per key and per anonymous IP, with headers and a 429 problem', async (t) => {
  const { app, db } = await build(t, { env: { RATE_LIMIT_ANONYMOUS_MAX: '3', RATE_LIMIT_MAX: '5' } })
  const ip = freshIp()
  for (let i = 1; i <= 3; i++) {
    const res = await app.inject({ url: '/v1/sources', remoteAddress: ip })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['ratelimit-limit'], '3')
    t.equal(res.headers['ratelimit-remaining'], String(3 - i))
    t.ok(Number(res.headers['ratelimit-reset']) > 0, 'RateLimit-Reset is set')
  }
  const limited = await app.inject({ url: '/v1/sources', remoteAddress: ip })
  t.equal(limited.statusCode, 429)
  t.match(String(limited.headers['content-type']), /^application\/problem\+json/)
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After is set')
  t.equal(json(limited).code, 'ND_RATE_LIMITED')
  t.equal(
    (await app.inject({ url: '/v1/sources', remoteAddress: freshIp() })).statusCode,
    200,
    'other IPs are not affected',
  )
  t.equal(
    (await app.inject({ url: '/health/live', remoteAddress: ip })).statusCode,
    200,
    'health checks are not limited',
  )

  const key = await createKey(db, ['content:read'])
  const keyed = await app.inject({ url: '/v1/sources', headers: key.headers, remoteAddress: ip })
  t.equal(keyed.statusCode, 200, 'a key has its own budget, apart from its IP')
  t.equal(keyed.headers['ratelimit-limit'], '5', 'the default key budget')

  const small = await createKey(db, ['content:read'], { rateLimit: 2 })
  const statuses = []
  for (let i = 0; i < 3; i++)
    statuses.push((await app.inject({ url: '/v1/sources', headers: small.headers })).statusCode)
  t.same(statuses, [200, 200, 429], "a key's own limit overrides the default")
  t.match(app.rateLimitRejections(), { key: 1, anonymous: 1 }, 'refusals counted by budget (metrics)')
})

test('rate limits in Redis are shared by every instance', { skip: !redisUrl && 'needs TEST_REDIS_URL' }, async (t) => {
  const database = await createTestDatabase(t)
  const env = { REDIS_URL: redisUrl, RATE_LIMIT_ANONYMOUS_MAX: '4' }
  const a = await build(t, { database, env })
  const b = await build(t, { database, env })
  const key = await createKey(database.db, ['content:read'], { rateLimit: 4 })
  const get = (app: typeof a.app) => app.inject({ url: '/v1/sources', headers: key.headers })
  const seen = [await get(a.app), await get(b.app), await get(a.app), await get(b.app)]
  t.same(
    seen.map((r) => r.headers['ratelimit-remaining']),
    ['3', '2', '1', '0'],
    'both instances count against one budget',
  )
  t.equal((await get(a.app)).statusCode, 429)
  t.equal((await get(b.app)).statusCode, 429)

  const ip = freshIp()
  const anon = (app: typeof a.app) => app.inject({ url: '/v1/sources', remoteAddress: ip })
  const codes = [await anon(a.app), await anon(b.app), await anon(a.app), await anon(b.app), await anon(a.app)].map(
    (r) => r.statusCode,
  )
  t.same(codes, [200, 200, 200, 200, 429], 'anonymous budgets are shared too')
  t.match(a.app.rateLimitRejections(), { key: 1, anonymous: 1 }, 'each instance counts its own refusals')
  t.match(b.app.rateLimitRejections(), { key: 1, anonymous: 0 })
})

test('bounded requests: URI length', async (t) => {
  const { app } = await build(t)
  const res = await app.inject(`/v1/sources?q=${'x'.repeat(5000)}`)
  t.equal(res.statusCode, 414)
  t.equal(json(res).code, 'ND_URI_TOO_LONG')
})

test('security headers on every response, and a CSP Swagger UI works under', async (t) => {
  const { app } = await build(t)
  const urls = ['/v1/sources', '/health/live', '/v1/nope', '/docs', '/docs/', '/v1/keys', '/v1/sources/%E0%A4%A']
  for (const url of urls) {
    const res = await app.inject({ url, headers: { host: '10.0.0.5:3000' } })
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${url}: nosniff`)
    t.match(res.headers['content-security-policy'], /default-src 'self'/, `${url}: CSP`)
    t.match(res.headers['content-security-policy'], /frame-ancestors 'none'/)
  }
  const docs = await app.inject('/docs/')
  const csp = String(docs.headers['content-security-policy'])
  t.match(csp, /script-src 'self'(;|$)/, 'scripts only from the server itself')
  const scripts = [...docs.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)]
  t.ok(scripts.length > 0)
  for (const [, attrs, body] of scripts) {
    t.match(attrs, /src="/, 'every script on the docs page is a file (allowed by script-src self)')
    t.equal(body?.trim(), '', 'no inline script')
  }
  const initializer = await app.inject('/docs/static/swagger-initializer.js')
  t.equal(initializer.statusCode, 200)
})

// Over plain HTTP, upgrade-insecure-requests made the browser fetch Swagger UI's files over
// https from any host but localhost (a blank page), and HSTS is only for secure transports.
test('upgrade-insecure-requests and HSTS only over https', async (t) => {
  const docs = [
    '/docs',
    '/docs/',
    '/docs/static/swagger-ui-bundle.js',
    '/docs/static/swagger-initializer.js',
    '/v1/sources',
  ]
  const plain = await build(t)
  const behindProxy = await build(t, { env: { TRUST_PROXY: 'true' } })
  const cases = [
    { what: 'plain HTTP', app: plain.app, headers: {}, https: false },
    {
      what: 'X-Forwarded-Proto: https, not trusted',
      app: plain.app,
      headers: { 'x-forwarded-proto': 'https' },
      https: false,
    },
    {
      what: 'plain HTTP behind a trusted proxy',
      app: behindProxy.app,
      headers: { 'x-forwarded-proto': 'http' },
      https: false,
    },
    {
      what: 'https behind a trusted proxy',
      app: behindProxy.app,
      headers: { 'x-forwarded-proto': 'https' },
      https: true,
    },
  ]
  for (const { what, app, headers, https } of cases) {
    for (const url of docs) {
      const res = await app.inject({ url, headers: { host: '10.0.0.5:3000', ...headers } })
      t.ok(res.statusCode < 400, `${what} ${url}: served`)
      const csp = String(res.headers['content-security-policy'])
      t.match(csp, /default-src 'self'/, `${what} ${url}: a CSP`)
      t.equal(/upgrade-insecure-requests/.test(csp), https, `${what} ${url}: upgrade-insecure-requests: ${https}`)
      t.equal(res.headers['strict-transport-security'] !== undefined, https, `${what} ${url}: HSTS: ${https}`)
    }
  }
  const secure = await behindProxy.app.inject({ url: '/docs/', headers: { 'x-forwarded-proto': 'https' } })
  t.match(secure.headers['strict-transport-security'], /max-age=\d+/)
})
