// The conditional-reads plugin (src/http/caching.ts) on a bare Fastify: the bytes the hooks after
// it, the ETag and the socket get, whatever the body's type.
import { createHash } from 'node:crypto'
import Fastify, { type onSendHookHandler } from 'fastify'
import { test } from 'tap'
import { conditionalReads } from '../../src/http/caching.js'

test('a body is encoded to UTF-8 once: later hooks, the ETag and the socket get the same bytes', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(conditionalReads)
  let seen: unknown
  // A route's own onSend hooks (the response cache's among them) run after the plugin's.
  const capture: onSendHookHandler = (_request, _reply, payload, done) => {
    seen = payload
    done(null, payload)
  }
  app.get('/json', { onSend: capture }, async () => ({ city: 'Zürich', quote: '“a” — b' }))
  app.get('/xml', { onSend: capture }, async (_request, reply) =>
    reply.type('application/xml').send('<?xml version="1.0"?><loc>Zürich</loc>'),
  )
  for (const [url, type] of [
    ['/json', 'application/json; charset=utf-8'],
    ['/xml', 'application/xml'],
  ] as const) {
    seen = undefined
    const res = await app.inject(url)
    t.equal(res.statusCode, 200)
    t.ok(Buffer.isBuffer(seen), `${url}: a later hook gets bytes`)
    t.same(seen, res.rawPayload, 'the bytes sent')
    t.match(res.payload, /Zürich/, 'in UTF-8')
    t.equal(res.headers['content-type'], type, 'with the type the route gave')
    t.equal(Number(res.headers['content-length']), res.rawPayload.length)
    t.equal(res.headers.etag, `"${createHash('sha1').update(res.rawPayload).digest('base64')}"`, 'hashed as sent')
    const again = await app.inject({ url, headers: { 'if-none-match': String(res.headers.etag) } })
    t.equal(again.statusCode, 304, 'and its ETag revalidates')
    t.equal(again.rawPayload.length, 0)
  }
  seen = undefined
  const head = await app.inject({ method: 'HEAD', url: '/json' })
  t.equal(head.statusCode, 200)
  t.equal(head.rawPayload.length, 0, 'HEAD: no body')
  t.ok(Number(head.headers['content-length']) > 0, 'but the length of the GET')
})
