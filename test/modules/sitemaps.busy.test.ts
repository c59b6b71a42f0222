// A month's sitemap holds its rows and XML while it is built: an instance builds a bounded number at
// once and queues a bounded number more. Past that, a request is answered 503 ND_SITEMAPS_BUSY at
// once, with Retry-After, and the queue drains into complete, identical files.

import { setTimeout } from 'node:timers/promises'
import type { LightMyRequestResponse } from 'fastify'
import pg from 'pg'
import { test } from 'tap'
import { maxWaitingMonthBuilds, monthBuildSlots } from '../../src/modules/sitemaps/sitemaps.service.js'
import { serverUrl } from '../db-url.js'
import { assertProblem, build, testClock } from '../helper.js'
import { env as articleEnv, client } from './articles.helpers.js'

// The response cache off: each request builds the file (a cached one would answer without a slot).
const env = {
  ...articleEnv,
  RESPONSE_CACHE_MB: '0',
  PUBLIC_URL: 'https://api.example.com',
  PUBLIC_ARTICLE_URL: 'https://www.example.com/news/{yyyy}/{mm}/{slug}',
}
const url = '/v1/sitemaps/articles/2031-03.xml'

/** Backends of the test database whose statement waits for a lock on a table. */
async function waitingReads(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
  )
  return rows[0]?.n ?? 0
}

test('month builds are bounded: four at once, 100 waiting, then 503 with Retry-After', {
  skip: serverUrl ? false : 'needs a PostgreSQL server (a second session holds the articles table)',
}, async (t) => {
  const clock = testClock(new Date('2031-03-10T12:00:00.000Z'))
  const { app, auth, database } = await build(t, { clock, env })
  const api = client(app, auth)
  for (const slug of ['one', 'two', 'three']) {
    const draft = await api.draft({ headline: slug, slug, body: 'Text.' })
    await api.action(draft.id, 'publish', {})
  }
  const expected = await app.inject(url)
  t.equal(expected.statusCode, 200)

  // Another session takes the articles table: every month build that reaches the database waits.
  const holder = new pg.Client({ connectionString: database.url })
  await holder.connect()
  t.teardown(() => holder.end())
  await holder.query('BEGIN')
  await holder.query('LOCK TABLE articles IN ACCESS EXCLUSIVE MODE')

  const flood = monthBuildSlots + maxWaitingMonthBuilds + 1
  const answered: LightMyRequestResponse[] = []
  const pending = Array.from({ length: flood }, () =>
    app.inject(url).then((res) => {
      answered.push(res)
      return res
    }),
  )
  for (let i = 0; i < 500 && answered.length === 0; i++) await setTimeout(10)
  t.equal(answered.length, 1, 'one answered while the others wait')
  const busy = answered[0]
  if (busy) {
    assertProblem(t, busy, 503, 'ND_SITEMAPS_BUSY')
    t.equal(busy.headers['retry-after'], '5')
  }
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  t.teardown(() => admin.end())
  for (let i = 0; i < 500 && (await waitingReads(admin)) < monthBuildSlots; i++) await setTimeout(10)
  await setTimeout(200)
  t.equal(await waitingReads(admin), monthBuildSlots, 'only the builds in their slots reached the database')

  await holder.query('COMMIT')
  const rest = (await Promise.all(pending)).filter((res) => res !== busy)
  t.equal(rest.length, flood - 1)
  t.same(new Set(rest.map((res) => res.statusCode)), new Set([200]), 'every queued build was answered')
  t.ok(
    rest.every((res) => res.body === expected.body),
    'each the whole file',
  )
  const later = await app.inject(url)
  t.equal(later.statusCode, 200, 'the queue drained: a new request is built at once')
})
