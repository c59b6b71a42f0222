// Prometheus metrics of one app. A registry of its own (tests build many apps in one process; the
// global registry would mix them), Node's default metrics, and ours, prefixed newsdesk_. A request
// costs one histogram observation; everything else is read when scraped: the counts the response
// cache, the rate limiter and the pool keep as plain integers, and the database's figures (one
// statement, bounded in time: a database that does not answer makes newsdesk_database_up 0, not a
// failed scrape).
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import type { Database } from '../../db/database.js'
import { loadMigrationsList } from '../../db/migrations.js'
import type { DeliveryObserver } from '../webhooks/webhooks.worker.js'
import {
  type CacheFigures,
  cacheMetrics,
  databaseMetrics,
  deliveryMetrics,
  poolMetrics,
  rateLimitMetrics,
  replicaMetrics,
} from './metrics.collectors.js'
import { type DatabaseFigures, readFigures } from './metrics.repository.js'

export interface MetricsOptions {
  db: Pick<Database, 'prisma' | 'poolStats' | 'replicas'>
  clock: () => Date
  cache: () => CacheFigures
  /** Requests refused with a 429, by budget. */
  rateLimited: () => Readonly<Record<string, number>>
}

/** The route label of requests no route matched: a scanner's paths must not become label values. */
export const unmatchedRoute = '(unmatched)'

// From a cached read (~0.2 ms) to a slow export: finer than prom-client's default at the low end.
const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** How long the database's figures may take before a scrape answers without them. */
const databaseTimeoutMs = 2000

/** The migrations this release expects: the folders in prisma/migrations. */
async function migrationsOnDisk(): Promise<string[]> {
  return (await loadMigrationsList()).migrationDirectories.map((m) => m.path)
}

/** The work's result, or undefined once `ms` passed or the work failed. */
function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  return Promise.race([work.catch(() => undefined), timeout]).finally(() => clearTimeout(timer))
}

export function createMetricsService(options: MetricsOptions) {
  const { db, clock } = options
  const register = new Registry()
  const registers = [register]
  const requests = new Histogram({
    name: 'newsdesk_http_request_duration_seconds',
    help: 'Time to answer a request, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: durationBuckets,
    registers,
  })
  const cache = cacheMetrics(registers, options.cache)
  rateLimitMetrics(registers, options.rateLimited)
  const poolStats = db.poolStats?.bind(db)
  if (poolStats) poolMetrics(registers, poolStats)
  const replicas = db.replicas
  if (replicas) replicaMetrics(registers, () => replicas.stats())
  const database = databaseMetrics(registers)
  const deliveries: DeliveryObserver = deliveryMetrics(registers)
  let defaultsCollected = false
  let expected: Promise<string[]> | undefined
  // One read at a time: scrapes of a database that hangs hold one pooled connection, not one each.
  let reading: Promise<DatabaseFigures> | undefined
  const figures = (now: Date) => {
    reading ??= readFigures(db.prisma, now).finally(() => {
      reading = undefined
    })
    return reading
  }

  let rendering: Promise<string> | undefined
  return {
    contentType: register.contentType,

    /** One answered request: its route template (unmatchedRoute when none matched). */
    observeRequest(route: string, method: string, status: number, milliseconds: number): void {
      requests.observe({ route, method, status }, milliseconds / 1000)
    },

    /** What the webhook delivery task reports. */
    deliveries,

    /**
     * Every metric in the text format, the database's figures read now. Scrapes that arrive while
     * one renders share its text: the figures are set on shared gauges, and a second render
     * setting them in between would mix two scrapes' figures.
     */
    render(): Promise<string> {
      rendering ??= renderNow().finally(() => {
        rendering = undefined
      })
      return rendering
    },
  }

  async function renderNow(): Promise<string> {
    // Node's metrics from the first scrape on: an app that is never scraped (a test's) starts
    // no event-loop monitor and no GC observer.
    if (!defaultsCollected) {
      defaultsCollected = true
      collectDefaultMetrics({ register })
    }
    expected ??= migrationsOnDisk().catch((err) => {
      expected = undefined
      throw err
    })
    const now = clock()
    const [found, onDisk] = await Promise.all([
      within(figures(now), databaseTimeoutMs),
      within(expected, databaseTimeoutMs),
    ])
    database.set(found, onDisk, now)
    try {
      return await register.metrics()
    } finally {
      cache.done()
    }
  }
}

export type MetricsService = ReturnType<typeof createMetricsService>
