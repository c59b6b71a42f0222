import { type AddressInfo, connect } from 'node:net'
import { Writable } from 'node:stream'
import { test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { assertProblem, build, createKey, createTestDatabase, json } from '../helper.js'

test('an unexpected error is a generic 500, logged with the request id', async (t) => {
  const { db } = await createTestDatabase(t)
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  const app = await buildApp({ config: loadConfig({}), db, logger: { level: 'info', stream } })
  t.teardown(() => app.close())
  app.get('/boom', { config: { access: 'public' } }, async () => {
    throw new Error('SELECT secret FROM internals failed at /srv/app.js:12')
  })
  const res = await app.inject({ url: '/boom', headers: { authorization: 'Bearer nd_secret_value' } })
  t.equal(res.statusCode, 500)
  t.match(String(res.headers['content-type']), /^application\/problem\+json/)
  const problem = json<{ code: string; detail: string; requestId: string }>(res)
  t.equal(problem.code, 'ND_INTERNAL')
  t.notMatch(res.body, /SELECT|secret|app\.js/, 'nothing internal reaches the client')
  t.match(problem.detail, problem.requestId)
  const logged = lines.find((l) => l.msg === 'unexpected error')
  t.ok(logged, 'the error is logged')
  t.equal(logged?.requestId, problem.requestId, 'with the request id')
  t.match(JSON.stringify(logged?.err), /SELECT secret/)
  t.notMatch(JSON.stringify(lines), /nd_secret_value/, 'the Authorization header is redacted in logs')
})

test('NUL characters, which PostgreSQL cannot store, are a 400 wherever they appear', async (t) => {
  const { app, db, auth } = await build(t)
  const before = await db.prisma.source.count()
  const cases: [string, { url: string; method?: 'POST'; payload?: object }, string, string][] = [
    ['path', { url: '/v1/sources/a%00b' }, 'path', '/idOrSlug'],
    ['query', { url: '/v1/sources?q=%00' }, 'query', '/q'],
    ['body', { method: 'POST', url: '/v1/sources', payload: { name: 'a\u0000b', kind: 'agency' } }, 'body', '/name'],
  ]
  for (const [label, request, part, pointer] of cases) {
    const res = await app.inject({ ...request, headers: auth })
    t.equal(res.statusCode, 400, label)
    const problem = json<{ code: string; errors: { in: string; pointer: string }[] }>(res)
    t.equal(problem.code, 'ND_VALIDATION_FAILED')
    t.same(
      problem.errors.map((e) => [e.in, e.pointer]),
      [[part, pointer]],
    )
  }
  const cursor = Buffer.from(JSON.stringify({ s: 'name', v: ['\u0000', '00000000-0000-4000-8000-000000000000'] }))
  const res = await app.inject(`/v1/sources?cursor=${cursor.toString('base64url')}`)
  t.equal(json(res).code, 'ND_INVALID_CURSOR', 'a NUL smuggled in a cursor is an invalid cursor')
  t.equal(await db.prisma.source.count(), before)
})

test('JSON nested deeper than 64 levels is a 400 problem on every JSON route, before parsing', async (t) => {
  const { app, db } = await build(t)
  const auth = (await createKey(db, ['content:write', 'keys:manage'])).headers
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`
  const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`
  const routes: [method: 'POST' | 'PATCH' | 'PUT', url: string][] = [
    ['POST', '/v1/sources'],
    ['POST', '/v1/articles'],
    ['PATCH', '/v1/articles/00000000-0000-4000-8000-000000000000'],
    ['POST', '/v1/collections'],
    ['POST', '/v1/keys'],
  ]
  for (const [method, url] of routes) {
    for (const payload of [nested(10_000), deepObject, `{"name":${nested(65)}}`]) {
      const res = await app.inject({ method, url, headers: { ...auth, 'content-type': 'application/json' }, payload })
      const problem = assertProblem(t, res, 400, 'ND_JSON_TOO_DEEP')
      t.match(problem.detail, /64 levels/, `${method} ${url}: the detail names the limit`)
    }
  }
  const atLimit = await app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: `{"name":${nested(63)}}`,
  })
  t.equal(json(atLimit).code, 'ND_VALIDATION_FAILED', '64 levels parse (and then fail validation as usual)')
  const inStrings = await app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: auth,
    payload: { name: `"\\ [{${'['.repeat(150)}`, kind: 'agency' },
  })
  t.equal(inStrings.statusCode, 201, 'brackets inside strings do not count')
  const poisoned = await app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"name":"x","kind":"agency","__proto__":{"admin":true}}',
  })
  assertProblem(t, poisoned, 400, 'ND_MALFORMED_JSON')
  t.equal((await app.inject('/health/live')).statusCode, 200)
})

test('errors raised by the router are problems too', async (t) => {
  const { app } = await build(t)
  for (const url of ['/v1/articles/%ZZ', '/v1/sources/%E0%A4%A', '/v1/articles/a%']) {
    const res = await app.inject({ url })
    const problem = assertProblem(t, res, 400, 'ND_BAD_URL')
    t.equal(problem.instance, url.split('?')[0], url)
    t.notMatch(res.body, /FST_/, 'no framework code')
  }
  const longSlug = await app.inject({ url: `/v1/articles/${'a'.repeat(200)}` })
  assertProblem(t, longSlug, 404, 'ND_NOT_FOUND')
  const tooLong = await app.inject({ url: `/v1/articles/${'a'.repeat(300)}` })
  assertProblem(t, tooLong, 414, 'ND_URI_TOO_LONG')
})

test('requests the HTTP parser rejects are answered with a problem body', async (t) => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const send = (raw: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(raw))
      let answer = ''
      socket.on('data', (chunk) => {
        answer += chunk
      })
      socket.on('close', () => resolve(answer))
      socket.on('error', reject)
    })
  const garbage = await send('NOT HTTP AT ALL\r\n\r\n')
  t.match(garbage, /^HTTP\/1\.1 400 Bad Request\r\n/)
  t.match(garbage, /content-type: application\/problem\+json/i)
  t.match(garbage, /"code":"ND_BAD_REQUEST"/)
  const headers = await send(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
  t.match(headers, /^HTTP\/1\.1 431 /)
  t.match(headers, /"code":"ND_HEADERS_TOO_LARGE"/)
})

test('a client error the framework raises without a code of ours is ND_REQUEST_REJECTED', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ url: '/docs/static/swagger-ui.css', headers: { range: 'bytes=99999999-' } })
  const problem = assertProblem(t, res, 416, 'ND_REQUEST_REJECTED')
  t.equal(problem.title, 'Range Not Satisfiable')
  t.equal(problem.type, 'https://newsdesk.dev/problems/request-rejected')
})
