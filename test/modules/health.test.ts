import net from 'node:net'
import { test } from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { build, createTestDatabase, json } from '../helper.js'

test('liveness and readiness', async (t) => {
  const { app, db } = await build(t)
  const live = await app.inject('/health/live')
  t.equal(live.statusCode, 200)
  t.same(json(live), { status: 'ok' })
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.same(json(ready), { status: 'ok', database: db.kind, rateLimiting: { counting: 'local', store: 'memory' } })
})

// A TCP proxy in front of PostgreSQL stands in for a database server that goes away and comes back.
function startProxy(target: { host: string; port: number }, port = 0) {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host)
    sockets.add(client).add(upstream)
    client.pipe(upstream).pipe(client)
    const drop = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
  })
  return new Promise<{ port: number; stop(): Promise<void> }>((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}

test('the database going away and coming back', {
  skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL',
}, async (t) => {
  const real = await createTestDatabase(t)
  const target = new URL(real.url as string)
  let proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) })
  const proxied = new URL(target)
  proxied.port = String(proxy.port)
  const errors: Error[] = []
  const db = await openDatabase(
    { kind: 'server', url: proxied.toString(), poolMax: 3 },
    { onConnectionError: (err) => errors.push(err) },
  )
  t.teardown(() => db.close())
  const { app } = await build(t, { database: { db } })

  t.equal((await app.inject('/v1/sources')).statusCode, 200)
  await proxy.stop()

  for (const url of ['/health/ready', '/v1/sources']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 503, `${url} answers 503 while the database is down`)
    t.equal(res.headers['retry-after'], '5')
    t.match(String(res.headers['content-type']), /^application\/problem\+json/)
    const problem = json<{ code: string; detail: string }>(res)
    t.equal(problem.code, 'ND_DATABASE_UNAVAILABLE')
    t.notMatch(res.body, /5432|ECONNREFUSED|SELECT/, 'no driver detail leaks')
  }
  t.equal((await app.inject('/health/live')).statusCode, 200, 'the process itself stays up')

  proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) }, Number(proxied.port))
  t.teardown(() => proxy.stop())
  const res = await app.inject('/v1/sources')
  t.equal(res.statusCode, 200, 'requests recover on their own once the database is back')
  t.equal((await app.inject('/health/ready')).statusCode, 200)
})

test('shutdown: readiness fails first, then every request is refused as a problem', async (t) => {
  const { app } = await build(t)
  await app.shutdown.drain(0)
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503)
  t.match(ready.headers['content-type'], /^application\/problem\+json/)
  t.equal(json(ready).code, 'ND_SHUTTING_DOWN')
  t.equal(ready.headers['retry-after'], '5')
  t.equal((await app.inject('/health/live')).statusCode, 200, 'still live')
  t.equal((await app.inject('/v1/sources')).statusCode, 200, 'still serving while draining')

  app.shutdown.close()
  const refused = await app.inject({ url: '/v1/sources', headers: { origin: 'https://www.example.com' } })
  t.equal(refused.statusCode, 503)
  t.match(refused.headers['content-type'], /^application\/problem\+json/)
  t.equal(json(refused).code, 'ND_SHUTTING_DOWN')
  t.equal(refused.headers.connection, 'close')
  t.ok(refused.headers['x-content-type-options'], 'with the security headers')
})
