import { Writable } from 'node:stream'
import { test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { build, createTestDatabase, json } from '../helper.js'

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
