// GET /metrics: who may scrape it, and what the figures say after requests, cached reads,
// rate-limit refusals, webhook deliveries and a database that stopped answering.
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { assertProblem, build, createKey, createTestDatabase, type Res } from '../helper.js'
import { freezableProxy } from '../proxy.js'
import { deliveryEnv, resolveHost, startReceiver } from './webhooks.helpers.js'

/** The value of one sample: the metric's name with its labels as the text format writes them. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const series = labels ? `${name}{${labels}}` : name
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

/** Labels of the request histogram's count series, in the order prom-client writes them. */
const requestSeries = (route: string, method: string, status: number) =>
  `route="${route}",method="${method}",status="${status}"`

test('GET /metrics', async (t) => {
  const { app, db } = await build(t, { env: { WEBHOOK_WORKER: 'false' } })
  const scraper = await createKey(db, ['metrics:read'])
  const scrape = async () => {
    const res = await app.inject({ url: '/metrics', headers: scraper.headers })
    t.equal(res.statusCode, 200, 'scraped')
    return res.body
  }

  await t.test('needs a metrics:read key', async (t) => {
    const anonymous = await app.inject('/metrics')
    assertProblem(t, anonymous as Res, 401, 'ND_UNAUTHORIZED')
    const reader = await createKey(db, ['content:read'])
    const forbidden = await app.inject({ url: '/metrics', headers: reader.headers })
    t.match(assertProblem(t, forbidden as Res, 403, 'ND_FORBIDDEN').detail, /metrics:read/)
    const res = await app.inject({ url: '/metrics', headers: scraper.headers })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4; charset=utf-8$/)
    t.equal(res.headers['cache-control'], 'no-store')
    t.ok(res.headers['ratelimit-limit'], 'counted against the key like any request')
    t.match(res.body, /^# HELP /m)
    t.match(res.body, /^process_cpu_user_seconds_total /m, "Node's default metrics")
    t.match(res.body, /^nodejs_eventloop_lag_seconds /m)
  })

  await t.test('requests by route template, method and status; unmatched paths share one label', async (t) => {
    await app.inject('/v1/sources')
    await app.inject({ method: 'HEAD', url: '/v1/sources' })
    await app.inject('/v1/articles/no-such-article-slug')
    await app.inject('/v1/articles/another-missing-slug')
    await app.inject('/wp-admin/scanner-probe-4711.php')
    const text = await scrape()
    const count = (route: string, method: string, status: number) =>
      sample(text, 'newsdesk_http_request_duration_seconds_count', requestSeries(route, method, status))
    t.ok((count('/v1/sources', 'GET', 200) ?? 0) >= 1, 'a list read, by its template')
    t.ok((count('/v1/sources', 'HEAD', 200) ?? 0) >= 1, 'HEAD is its own method')
    t.equal(count('/v1/articles/:idOrSlug', 'GET', 404), 2, 'two slugs, one template')
    t.ok((count('(unmatched)', 'GET', 404) ?? 0) >= 1, 'an unknown path lands on the fixed label')
    t.notMatch(text, /no-such-article-slug|another-missing-slug|scanner-probe/, 'no concrete URL is a label')
    t.match(text, /newsdesk_http_request_duration_seconds_bucket\{le="0\.001",route="\/v1\/sources"/)
  })

  await t.test('a cached read counts a miss, then a hit', async (t) => {
    const before = await scrape()
    await app.inject('/v1/tags')
    await app.inject('/v1/tags')
    const after = await scrape()
    const delta = (name: string) => (sample(after, name) ?? Number.NaN) - (sample(before, name) ?? Number.NaN)
    t.equal(delta('newsdesk_response_cache_misses_total'), 1)
    t.equal(delta('newsdesk_response_cache_hits_total'), 1)
    t.ok((sample(after, 'newsdesk_response_cache_entries') ?? 0) >= 1)
    t.ok((sample(after, 'newsdesk_response_cache_bytes') ?? 0) > 0)
    t.equal(sample(after, 'newsdesk_response_cache_max_bytes'), 32 * 1024 * 1024)
    t.equal(sample(after, 'newsdesk_response_cache_evictions_total'), 0)
  })

  await t.test('rate-limit refusals by budget, never by key', async (t) => {
    const limited = await createKey(db, ['content:read'], { rateLimit: 1 })
    await app.inject({ url: '/v1/sources', headers: limited.headers })
    t.equal((await app.inject({ url: '/v1/sources', headers: limited.headers })).statusCode, 429)
    const text = await scrape()
    t.equal(sample(text, 'newsdesk_rate_limit_rejections_total', 'bucket="key"'), 1)
    t.equal(sample(text, 'newsdesk_rate_limit_rejections_total', 'bucket="anonymous"'), 0)
    t.notMatch(text, new RegExp(limited.id), 'no key id in a label')
  })

  await t.test('the pool, migrations, deliveries and the change feed', async (t) => {
    const text = await scrape()
    t.equal(sample(text, 'newsdesk_database_up'), 1)
    if (db.kind === 'server') {
      t.equal(sample(text, 'newsdesk_database_pool_max'), 5, 'the test pool holds 5')
      t.ok((sample(text, 'newsdesk_database_pool_connections') ?? 0) >= 1)
      t.type(sample(text, 'newsdesk_database_pool_idle'), 'number')
      t.equal(sample(text, 'newsdesk_database_pool_waiting'), 0)
      t.equal(sample(text, 'newsdesk_database_connection_errors_total'), 0)
    } else {
      t.equal(sample(text, 'newsdesk_database_pool_connections'), 1, 'PGlite: one connection')
      t.equal(sample(text, 'newsdesk_database_pool_idle'), undefined, 'whose idleness is not known')
    }
    const expected = sample(text, 'newsdesk_migrations_expected') ?? 0
    t.ok(expected >= 10, `${expected} migrations in this release`)
    t.equal(sample(text, 'newsdesk_migrations_applied'), expected, 'all applied')
    t.equal(sample(text, 'newsdesk_migrations_pending'), 0)
    t.equal(sample(text, 'newsdesk_migrations_failed'), 0)
    t.equal(sample(text, 'newsdesk_webhook_deliveries_pending'), 0)
    t.equal(sample(text, 'newsdesk_webhook_deliveries_due'), 0)
    t.equal(sample(text, 'newsdesk_webhook_delivery_lag_seconds'), 0)
    t.type(sample(text, 'newsdesk_change_feed_queued_events'), 'number')
    t.ok((sample(text, 'newsdesk_change_feed_lag_seconds') ?? -1) >= 0)
  })

  await t.test('turned off with METRICS_ENABLED=false', async (t) => {
    const off = await build(t, { database: { db }, env: { METRICS_ENABLED: 'false', WEBHOOK_WORKER: 'false' } })
    t.equal((await off.app.inject({ url: '/metrics', headers: scraper.headers })).statusCode, 404)
  })
})

test('webhook deliveries are counted as the worker attempts them', async (t) => {
  const { app, db } = await build(t, { env: { ...deliveryEnv, WORKER_POLL_MS: '50' }, resolveHost })
  const scraper = await createKey(db, ['metrics:read'])
  const manager = await createKey(db, ['webhooks:manage'])
  // The first delivery succeeds, the second is refused.
  const receiver = await startReceiver(t, (n) => ({ status: n === 1 ? 204 : 500 }))
  const created = await app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: manager.headers,
    payload: { url: receiver.url, events: ['*'] },
  })
  t.equal(created.statusCode, 201)
  const hook = JSON.parse(created.body) as { id: string }
  const attempts = async (outcome: string) => {
    const res = await app.inject({ url: '/metrics', headers: scraper.headers })
    return sample(res.body, 'newsdesk_webhook_delivery_attempts_total', `outcome="${outcome}"`) ?? 0
  }
  const until = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000
    while (!(await check()) && Date.now() < deadline) await sleep(50)
    return check()
  }
  t.equal(await attempts('success'), 0)
  await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/test`, headers: manager.headers })
  t.ok(await until(async () => (await attempts('success')) === 1), 'a delivery that got a 2xx')
  await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/test`, headers: manager.headers })
  t.ok(await until(async () => (await attempts('failure')) === 1), 'an attempt refused with a 500')
  // The attempt is counted when made; its outcome is recorded a moment later.
  let text = ''
  const recorded = async () => {
    text = (await app.inject({ url: '/metrics', headers: scraper.headers })).body
    return sample(text, 'newsdesk_webhook_deliveries_due') === 0
  }
  t.ok(await until(recorded), 'the refused delivery is not due again for seconds')
  t.equal(sample(text, 'newsdesk_webhook_deliveries_pending'), 1, 'it waits for its retry')
  t.equal(sample(text, 'newsdesk_webhook_deliveries_failed_total'), 0, 'its retry schedule has not ended')
  t.equal(receiver.received.length, 2)

  // Its last attempt, due now: refused again, the delivery has failed for good.
  await db.prisma.webhookDelivery.updateMany({
    where: { status: 'pending' },
    data: { attempts: 6, nextAttemptAt: new Date() },
  })
  const failedForGood = async () => {
    text = (await app.inject({ url: '/metrics', headers: scraper.headers })).body
    return sample(text, 'newsdesk_webhook_deliveries_failed_total') === 1
  }
  t.ok(await until(failedForGood), 'a delivery whose retry schedule ended')
})

test('a database that does not answer: still a 200, with newsdesk_database_up 0', async (t) => {
  const database = await createTestDatabase(t)
  // Nothing listens for changes (no worker, no response cache): closing the app touches no closed connection.
  const { app, db } = await build(t, { database, env: { WEBHOOK_WORKER: 'false', RESPONSE_CACHE_MB: '0' } })
  const scraper = await createKey(db, ['metrics:read'])
  const first = await app.inject({ url: '/metrics', headers: scraper.headers })
  t.equal(sample(first.body, 'newsdesk_database_up'), 1)
  const stranger = await createKey(db, ['metrics:read'])
  // Accepted once, then revoked while the database answers: refused, and not remembered.
  const revoked = await createKey(db, ['metrics:read'])
  t.equal((await app.inject({ url: '/metrics', headers: revoked.headers })).statusCode, 200)
  await db.prisma.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } })
  assertProblem(t, (await app.inject({ url: '/metrics', headers: revoked.headers })) as Res, 401, 'ND_UNAUTHORIZED')
  // Accepted once on a route its scope does not open (403): not remembered either.
  const reader = await createKey(db, ['content:read'])
  assertProblem(t, (await app.inject({ url: '/metrics', headers: reader.headers })) as Res, 403, 'ND_FORBIDDEN')

  const close = db.close.bind(db)
  await close()
  // Closed here: the teardown's close would fail on a closed pool.
  db.close = async () => {}
  const res = await app.inject({ url: '/metrics', headers: scraper.headers })
  t.equal(res.statusCode, 200, 'the key the route accepted before is accepted while keys cannot be looked up')
  t.equal(sample(res.body, 'newsdesk_database_up'), 0)
  t.ok(Number.isNaN(sample(res.body, 'newsdesk_migrations_pending')), 'figures from the database are NaN')
  t.ok(Number.isNaN(sample(res.body, 'newsdesk_webhook_deliveries_pending')))
  t.ok((sample(res.body, 'newsdesk_migrations_expected') ?? 0) >= 10, 'what the release expects is still known')
  t.match(res.body, /^newsdesk_http_request_duration_seconds_count\{route="\/metrics"/m)
  const unknown = await app.inject({ url: '/metrics', headers: stranger.headers })
  assertProblem(t, unknown as Res, 503, 'ND_DATABASE_UNAVAILABLE')
  // The revoked key is remembered as invalid, not as accepted.
  assertProblem(t, (await app.inject({ url: '/metrics', headers: revoked.headers })) as Res, 401, 'ND_UNAUTHORIZED')
  assertProblem(
    t,
    (await app.inject({ url: '/metrics', headers: reader.headers })) as Res,
    503,
    'ND_DATABASE_UNAVAILABLE',
  )
  // The remembered key opens /metrics only: any other route with it waits for the database.
  const other = await app.inject({ url: '/v1/sources', headers: scraper.headers })
  assertProblem(t, other as Res, 503, 'ND_DATABASE_UNAVAILABLE')
})

test('a database that hangs: the scrape answers within 4 s, with newsdesk_database_up 0', {
  skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL',
}, async (t) => {
  const real = await createTestDatabase(t)
  const target = new URL(real.url as string)
  const proxy = await freezableProxy({ host: target.hostname, port: Number(target.port || 5432) })
  const through = new URL(target)
  through.hostname = '127.0.0.1'
  through.port = String(proxy.port)
  const db = await openDatabase({ kind: 'server', url: through.toString(), poolMax: 3 })
  t.teardown(() => db.close())
  const { app } = await build(t, { database: { db }, env: { WEBHOOK_WORKER: 'false', RESPONSE_CACHE_MB: '0' } })
  const scraper = await createKey(db, ['metrics:read'])
  const stranger = await createKey(db, ['metrics:read'])
  t.equal((await app.inject({ url: '/metrics', headers: scraper.headers })).statusCode, 200)

  proxy.freeze()
  const started = Date.now()
  const [hung, again] = await Promise.all([
    app.inject({ url: '/metrics', headers: scraper.headers }),
    app.inject({ url: '/metrics', headers: scraper.headers }),
  ])
  const took = Date.now() - started
  t.equal(hung.statusCode, 200)
  t.equal(again.statusCode, 200)
  t.equal(sample(hung.body, 'newsdesk_database_up'), 0)
  t.ok(took >= 1900 && took < 6000, `the key lookup and the figures waited 2 s each (${took} ms)`)
  const unknown = await app.inject({ url: '/metrics', headers: stranger.headers })
  assertProblem(t, unknown as Res, 503, 'ND_DATABASE_UNAVAILABLE')
  await proxy.stop()
})
