import { Writable } from 'node:stream'
import { test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createTestDatabase, json } from '../helper.js'

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
