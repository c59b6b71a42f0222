import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { type AddressInfo, getDefaultAutoSelectFamily, setDefaultAutoSelectFamily } from 'node:net'
import { type Test, test } from 'tap'
import { checkWebhookUrl, type Resolve, type TargetPolicy } from '../../src/modules/webhooks/webhooks.address.js'
import { peerRefusal, type SendOptions, sendWebhook } from '../../src/modules/webhooks/webhooks.sender.js'

interface Received {
  method: string | undefined
  url: string | undefined
  headers: IncomingHttpHeaders
  body: string
}

interface Receiver {
  port: number
  /** http://127.0.0.1:<port> */
  origin: string
  requests: Received[]
  /** TCP connections accepted, whether or not a request followed. */
  connections: number
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** A real HTTP server on 127.0.0.1 that records what reaches it; closed when the test ends. */
async function receiver(t: Test, handler: Handler = (_req, res) => res.end('thanks')): Promise<Receiver> {
  const state = { requests: [] as Received[], connections: 0 }
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => {
      state.requests.push({ method: req.method, url: req.url, headers: req.headers, body })
      handler(req, res)
    })
  })
  server.on('connection', () => {
    state.connections++
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const { port } = server.address() as AddressInfo
  return Object.assign(state, { port, origin: `http://127.0.0.1:${port}` })
}

const open: TargetPolicy = { allowHttp: true, allowPrivateTargets: true }
const guarded: TargetPolicy = { allowHttp: true, allowPrivateTargets: false }
const local: SendOptions = { timeoutMs: 2000, policy: open }
const fixed =
  (...addresses: string[]): Resolve =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
const post = (url: string, options: SendOptions = local, headers: Record<string, string> = {}, body = '{}') =>
  sendWebhook({ url, headers, body }, options)

test('sends one POST and reports the answer', async (t) => {
  await t.test('200: ok, with the exact body and headers the receiver got', async (t) => {
    const hook = await receiver(t, (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks'))
    const body = JSON.stringify({ type: 'article.published', data: { title: 'Ереван — café' } })
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abc=' }
    const result = await post(`${hook.origin}/hooks/newsdesk?x=1`, local, headers, body)
    t.match(result, { ok: true, statusCode: 200, error: null, responseBody: 'thanks' })
    t.ok(result.durationMs >= 0 && result.durationMs < 5000, 'durationMs measured')
    t.equal(hook.requests.length, 1, 'one request')
    const [got] = hook.requests
    t.equal(got?.method, 'POST')
    t.equal(got?.url, '/hooks/newsdesk?x=1')
    t.equal(got?.body, body, 'the body, byte for byte')
    t.same(got?.headers, {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Newsdesk-Webhooks/1',
      host: `127.0.0.1:${hook.port}`,
      connection: 'close',
    })
  })

  await t.test("the caller's user-agent is kept; the body's type and length are the sender's", async (t) => {
    const hook = await receiver(t)
    const headers = { 'User-Agent': 'Custom/2', 'Content-Type': 'text/plain', 'Content-Length': '1' }
    t.match(await post(hook.origin, local, headers, '{"a":1}'), { ok: true })
    t.match(hook.requests[0]?.headers, {
      'user-agent': 'Custom/2',
      'content-type': 'application/json',
      'content-length': '7',
    })
  })

  await t.test('500: not ok, with the status and the start of the body', async (t) => {
    const hook = await receiver(t, (_req, res) => res.writeHead(500).end(`oops ${'x'.repeat(10_000)}`))
    const result = await post(hook.origin)
    t.match(result, { ok: false, statusCode: 500, error: 'the receiver answered 500' })
    t.equal(result.responseBody?.length, 4096, 'the default 4096 bytes kept')
    t.ok(result.responseBody?.startsWith('oops xxx'))
    t.match(await post(hook.origin, { ...local, maxResponseBytes: 4 }), { responseBody: 'oops' })
    t.match(await post(hook.origin, { ...local, maxResponseBytes: 0 }), { responseBody: '' })
  })

  await t.test('any 2xx is ok; a 4xx is not', async (t) => {
    const hook = await receiver(t, (req, res) => res.writeHead(Number(req.url?.slice(1))).end())
    t.match(await post(`${hook.origin}/204`), { ok: true, statusCode: 204, responseBody: '' })
    t.match(await post(`${hook.origin}/202`), { ok: true, statusCode: 202 })
    t.match(await post(`${hook.origin}/410`), { ok: false, statusCode: 410, error: 'the receiver answered 410' })
  })

  await t.test('a 1 MB body: only maxResponseBytes kept', async (t) => {
    const hook = await receiver(t, (_req, res) => res.end('a'.repeat(1024 * 1024)))
    const result = await post(hook.origin, { ...local, maxResponseBytes: 1000 })
    t.match(result, { ok: true, statusCode: 200 })
    t.equal(result.responseBody, 'a'.repeat(1000))
  })

  await t.test('an endless body: reading stops at the limit and the connection is dropped', async (t) => {
    let dropped!: () => void
    const droppedP = new Promise<void>((resolve) => {
      dropped = resolve
    })
    const hook = await receiver(t, (_req, res) => {
      const chunk = 'z'.repeat(16 * 1024)
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      }
      res.on('drain', pump)
      res.on('close', dropped)
      pump()
    })
    const result = await post(hook.origin, { ...local, timeoutMs: 5000 })
    t.match(result, { ok: true, statusCode: 200 })
    t.equal(result.responseBody, 'z'.repeat(4096))
    t.ok(result.durationMs < 5000, 'did not wait for the end')
    await droppedP
    t.pass('the receiver saw the connection close')
  })

  await t.test('a cut inside a UTF-8 character drops it; NUL is kept as U+FFFD', async (t) => {
    const hook = await receiver(t, (req, res) => res.end(req.url === '/nul' ? 'a\u0000b' : 'ééé'))
    t.match(await post(hook.origin, { ...local, maxResponseBytes: 5 }), { responseBody: 'éé' })
    t.match(await post(hook.origin), { responseBody: 'ééé' })
    t.match(await post(`${hook.origin}/nul`), { responseBody: 'a\uFFFDb' })
  })
})

test('fails without throwing', async (t) => {
  await t.test('a receiver that does not answer: timed out after timeoutMs', async (t) => {
    const hook = await receiver(t, () => {})
    const result = await post(hook.origin, { ...local, timeoutMs: 200 })
    t.match(result, { ok: false, statusCode: null, error: 'timed out after 200 ms', responseBody: null })
    t.ok(result.durationMs >= 190 && result.durationMs < 3000, `took ${result.durationMs} ms`)
  })

  await t.test('a body that stalls: the one timeout covers reading it too', async (t) => {
    const hook = await receiver(t, (_req, res) => res.writeHead(200, { 'content-length': '100' }).write('partial'))
    const result = await post(hook.origin, { ...local, timeoutMs: 200 })
    t.match(result, { ok: false, statusCode: 200, error: 'timed out after 200 ms' })
    t.ok(result.durationMs < 3000)
  })

  await t.test('a redirect is not followed', async (t) => {
    const second = await receiver(t)
    const first = await receiver(t, (_req, res) => res.writeHead(302, { location: `${second.origin}/internal` }).end())
    const result = await post(first.origin)
    t.match(result, { ok: false, statusCode: 302, error: `redirect not followed: 302 to ${second.origin}/internal` })
    t.equal(first.requests.length, 1)
    t.equal(second.connections, 0, 'the Location was never requested')

    const bare = await receiver(t, (_req, res) => res.writeHead(307).end())
    t.match(await post(bare.origin), {
      ok: false,
      statusCode: 307,
      error: 'redirect not followed: 307 without a Location',
    })

    const long = await receiver(t, (_req, res) => res.writeHead(301, { location: `/${'l'.repeat(1000)}` }).end())
    const shortened = await post(long.origin)
    t.match(shortened, { ok: false, statusCode: 301, error: /^redirect not followed: 301 to \/l+…$/ })
    t.ok((shortened.error?.length ?? 0) < 500, 'the error fits the attempt log')
  })

  await t.test('connection refused', async (t) => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    t.match(await post(`http://127.0.0.1:${port}/`), { ok: false, statusCode: null, error: 'connection refused' })
  })

  await t.test('the connection closed without an answer, or in the middle of the body', async (t) => {
    const hook = await receiver(t, (req, res) => {
      if (req.url === '/hang-up') req.socket.destroy()
      else res.writeHead(200, { 'content-length': '100' }).write('partial', () => res.socket?.destroy())
    })
    t.match(await post(`${hook.origin}/hang-up`), { ok: false, statusCode: null, error: 'connection reset' })
    t.match(await post(`${hook.origin}/mid-body`), {
      ok: false,
      statusCode: 200,
      error: 'the connection closed before the response ended',
      responseBody: 'partial',
    })
  })

  await t.test('a TLS failure: https to a server that does not speak it', async (t) => {
    const hook = await receiver(t)
    const result = await post(`https://127.0.0.1:${hook.port}/`)
    t.match(result, { ok: false, statusCode: null, error: /^TLS error: wrong version number/ })
    t.equal(hook.requests.length, 0)
  })

  await t.test('headers Node will not send, a name that does not resolve', async (t) => {
    const hook = await receiver(t)
    t.match(await post(hook.origin, local, { 'x-bad': 'a\r\nb' }), { ok: false, error: /ERR_INVALID_CHAR/ })
    const nowhere = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })
    }
    t.match(await post(`http://nowhere.test:${hook.port}/`, { ...local, resolve: nowhere }), {
      ok: false,
      error: 'nowhere.test could not be resolved (ENOTFOUND)',
    })
    const broken = async () => {
      throw new Error('resolver failed')
    }
    t.match(await post(`http://broken.test:${hook.port}/`, { ...local, resolve: broken }), {
      ok: false,
      error: 'broken.test could not be resolved (error)',
    })
    t.match(await post(`http://empty.test:${hook.port}/`, { ...local, resolve: fixed() }), {
      ok: false,
      error: 'empty.test did not resolve to any address',
    })
    t.match(await post('not a url'), { ok: false, error: 'refused: the URL is not a valid absolute URL' })
    t.equal(hook.connections, 0)
  })
})

test('the address check at connect time', async (t) => {
  await t.test('a name is connected to through the given resolver', async (t) => {
    const hook = await receiver(t)
    const result = await post(`http://receiver.test:${hook.port}/x`, { ...local, resolve: fixed('127.0.0.1') })
    t.match(result, { ok: true, statusCode: 200 })
    t.equal(hook.requests[0]?.headers.host, `receiver.test:${hook.port}`)
  })

  await t.test('also when automatic address family selection is off (one address asked for)', async (t) => {
    const hook = await receiver(t)
    const before = getDefaultAutoSelectFamily()
    setDefaultAutoSelectFamily(false)
    t.teardown(() => setDefaultAutoSelectFamily(before))
    const url = `http://receiver.test:${hook.port}/`
    t.match(await post(url, { ...local, resolve: fixed('127.0.0.1') }), { ok: true, statusCode: 200 })
    t.match(await post(url, { timeoutMs: 2000, policy: guarded, resolve: fixed('127.0.0.1') }), {
      ok: false,
      error: /refused: receiver\.test resolves only to non-public addresses \(loopback\)/,
    })
    t.equal(hook.requests.length, 1)
  })

  await t.test('DNS rebinding: public when saved, loopback when sent, refused before connecting', async (t) => {
    const hook = await receiver(t)
    const url = `http://hooks.example.com:${hook.port}/newsdesk`
    await checkWebhookUrl(url, guarded, fixed('93.184.216.34'))
    t.pass('the URL was accepted when saved')
    const result = await post(url, { timeoutMs: 2000, policy: guarded, resolve: fixed('127.0.0.1') })
    t.match(result, {
      ok: false,
      statusCode: null,
      error: 'refused: hooks.example.com resolves only to non-public addresses (loopback); webhooks may not reach them',
    })
    const mixed = await post(url, { timeoutMs: 2000, policy: guarded, resolve: fixed('10.0.0.1', '127.0.0.1') })
    t.match(mixed, { ok: false, error: /refused: .* non-public addresses \(private\)/ })
    t.equal(hook.connections, 0, 'the receiver was never reached')
  })

  await t.test('IP literals, metadata, localhost: refused without a connection', async (t) => {
    const hook = await receiver(t)
    const options = { timeoutMs: 2000, policy: guarded }
    t.match(await post(`http://127.0.0.1:${hook.port}/`, options), {
      ok: false,
      statusCode: null,
      error: `refused: the URL names 127.0.0.1, a non-public address (loopback); webhooks may not reach it`,
    })
    t.match(await post(`http://[::ffff:127.0.0.1]:${hook.port}/`, options), { ok: false, error: /loopback/ })
    t.match(await post('http://169.254.169.254/latest/meta-data', options), { ok: false, error: /linkLocal/ })
    t.match(await post(`http://localhost:${hook.port}/`, options), { ok: false, error: /this machine/ })
    t.equal(hook.connections, 0)
  })

  await t.test('plain http only when allowed', async (t) => {
    const hook = await receiver(t)
    const result = await post(hook.origin, { timeoutMs: 2000, policy: { allowHttp: false, allowPrivateTargets: true } })
    t.match(result, { ok: false, error: 'refused: the URL uses the http scheme; webhook URLs must use https' })
    t.equal(hook.connections, 0)
  })

  await t.test('the connected peer is judged like any address', async (t) => {
    t.equal(peerRefusal('93.184.216.34', guarded), null)
    t.equal(peerRefusal('2606:4700:4700::1111', guarded), null)
    t.match(peerRefusal('127.0.0.1', guarded), /^refused: connected to a non-public address \(loopback\)/)
    t.match(peerRefusal('::ffff:10.0.0.1', guarded), /\(private\)/)
    t.match(peerRefusal(undefined, guarded), /\(unknown\)/)
    t.equal(peerRefusal('127.0.0.1', open), null)
  })
})
