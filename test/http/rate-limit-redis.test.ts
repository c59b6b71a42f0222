import net from 'node:net'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import { test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openMs } from '../../src/http/rate-limit-store.js'
import { createTestDatabase, freshIp, json, testClock } from '../helper.js'
import { freezableProxy } from '../proxy.js'

const redisUrl = process.env.TEST_REDIS_URL || undefined

/** An app whose log lines are kept, on its own database. */
async function appWithLog(t: Test, env: NodeJS.ProcessEnv, clock = testClock()) {
  const { db } = await createTestDatabase(t)
  const lines: { level: number; msg: string }[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  const config = loadConfig({ RATE_LIMIT_ANONYMOUS_MAX: '5', ...env })
  const app = await buildApp({ config, db, clock, logger: { level: 'info', stream } })
  t.teardown(() => app.close())
  await app.ready()
  const outageLines = () => lines.filter((l) => /unreachable/.test(l.msg)).length
  return { app, lines, outageLines, clock }
}

type App = Awaited<ReturnType<typeof appWithLog>>['app']

/**
 * Latencies of 50 anonymous reads from 50 addresses (so none is limited), in ms, sorted; after
 * one read that is not counted, which pays for the app's first query and compiled serialisers.
 */
async function latencies(app: App): Promise<number[]> {
  await app.inject({ url: '/v1/sources', remoteAddress: freshIp() })
  const times: number[] = []
  for (let i = 0; i < 50; i++) {
    const started = performance.now()
    const res = await app.inject({ url: '/v1/sources', remoteAddress: freshIp() })
    times.push(performance.now() - started)
    if (res.statusCode !== 200) throw new Error(`unexpected ${res.statusCode}`)
  }
  return times.sort((a, b) => a - b)
}
const p99 = (sorted: number[]) => sorted[Math.ceil(sorted.length * 0.99) - 1] as number

/** The anonymous budget (5) holds for one address: five 200s, then 429s. */
async function assertLimited(t: Test, app: App, label: string) {
  const ip = freshIp()
  const codes = []
  for (let i = 0; i < 7; i++) codes.push((await app.inject({ url: '/v1/sources', remoteAddress: ip })).statusCode)
  t.same(codes, [200, 200, 200, 200, 200, 429, 429], `${label}: the limit holds`)
}

async function readiness(app: App) {
  const res = await app.inject('/health/ready')
  return { statusCode: res.statusCode, body: json<{ status: string; rateLimiting: { counting: string } }>(res) }
}

async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

test('Redis on a closed port: fast requests, limits per instance, logged once, ready but degraded', async (t) => {
  const { app, outageLines } = await appWithLog(t, { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` })
  const times = await latencies(app)
  t.ok(p99(times) < 200, `p99 ${p99(times).toFixed(1)} ms, median ${times[25]?.toFixed(1)} ms`)
  await assertLimited(t, app, 'Redis down')
  t.equal(outageLines(), 1, 'the outage is logged once, not per request')
  const ready = await readiness(app)
  t.equal(ready.statusCode, 200, 'still ready: the database answers')
  t.equal(ready.body.status, 'degraded')
  t.match(ready.body.rateLimiting, { counting: 'local', store: 'redis' })
})

test('a real Redis going away and coming back', { skip: !redisUrl && 'needs TEST_REDIS_URL' }, async (t) => {
  const target = new URL(redisUrl as string)
  const redis = { host: target.hostname, port: Number(target.port || 6379) }
  let proxy = await freezableProxy(redis)
  const { app, outageLines, clock } = await appWithLog(t, { REDIS_URL: `redis://127.0.0.1:${proxy.port}` })
  t.teardown(() => proxy.stop())

  const up = await latencies(app)
  t.match((await readiness(app)).body, { status: 'ok', rateLimiting: { counting: 'shared' } }, 'shared at first')
  await assertLimited(t, app, 'Redis up')
  t.equal(outageLines(), 0)

  await proxy.stop()
  const down = await latencies(app)
  t.ok(p99(down) < 200, `Redis stopped: p99 ${p99(down).toFixed(1)} ms (with Redis up: ${p99(up).toFixed(1)} ms)`)
  await assertLimited(t, app, 'Redis stopped')
  t.match((await readiness(app)).body, { status: 'degraded', rateLimiting: { counting: 'local' } })
  t.equal(outageLines(), 1, 'logged once')

  proxy = await freezableProxy(redis, proxy.port)
  let ready = await readiness(app)
  // The client reconnects in the background; each clock step past openMs lets one request probe.
  for (let i = 0; i < 40 && ready.body.rateLimiting.counting !== 'shared'; i++) {
    clock.advance(openMs)
    await app.inject({ url: '/v1/sources', remoteAddress: freshIp() })
    ready = await readiness(app)
    if (ready.body.rateLimiting.counting !== 'shared') await sleep(100)
  }
  t.match(ready.body, { status: 'ok', rateLimiting: { counting: 'shared' } }, 'shared again once Redis is back')

  // A partition: connections stay open, nothing is forwarded, commands hang until their timeout.
  proxy.freeze()
  const partitioned = await latencies(app)
  t.ok(p99(partitioned) < 200, `Redis partitioned (commands hang): p99 ${p99(partitioned).toFixed(1)} ms`)
  await assertLimited(t, app, 'Redis partitioned')
  t.equal(outageLines(), 2, 'the second outage is logged once too')
})
