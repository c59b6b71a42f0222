// The security headers are captured from helmet once, at start-up, and set with one call: this
// checks them against what helmet's middleware itself writes on a real response, for the same
// configuration, on every kind of answer (API, docs, errors), so the two cannot drift apart.
import { createServer, type OutgoingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'tap'
import { securityHeaders } from '../../src/http/security.js'
import { build } from '../helper.js'

/** The headers helmet's middleware sets on a Node response, over a real socket. */
async function fromHelmet(https: boolean): Promise<Record<string, string>> {
  const middleware = securityHeaders(https)
  const server = createServer((req, res) => {
    middleware(req, res, () => {
      const headers: OutgoingHttpHeaders = res.getHeaders()
      res.end(JSON.stringify(headers))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = server.address() as AddressInfo
    return (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as Record<string, string>
  } finally {
    server.close()
  }
}

test("every answer carries exactly helmet's headers, per protocol", async (t) => {
  const { app } = await build(t, { env: { TRUST_PROXY: 'true' } })
  const urls = ['/v1/sources', '/v1/articles', '/health/live', '/docs/', '/v1/nope', '/v1/keys', '/openapi.json']
  for (const https of [false, true]) {
    const expected = await fromHelmet(https)
    t.ok(Object.keys(expected).length >= 10, `helmet sets its headers (${https ? 'https' : 'http'})`)
    for (const url of urls) {
      const res = await app.inject({ url, headers: { 'x-forwarded-proto': https ? 'https' : 'http' } })
      for (const [name, value] of Object.entries(expected)) {
        t.equal(res.headers[name], String(value), `${https ? 'https' : 'http'} ${url}: ${name}`)
      }
      const known = ['strict-transport-security', 'cross-origin-opener-policy']
      for (const name of known.filter((n) => !(n in expected))) {
        t.notOk(res.headers[name], `${https ? 'https' : 'http'} ${url}: no ${name}`)
      }
    }
  }
})

test('a router error (no hook runs) carries them too', async (t) => {
  const { app } = await build(t)
  const expected = await fromHelmet(false)
  const res = await app.inject('/v1/sources/%E0%A4%A')
  t.equal(res.statusCode, 400)
  for (const [name, value] of Object.entries(expected)) t.equal(res.headers[name], String(value), name)
})
