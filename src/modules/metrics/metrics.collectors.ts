// The metrics, by what they watch. Counts kept elsewhere as plain integers (the response cache's,
// the rate limiter's, the pool's) are read by collect() when scraped: nothing is added to the
// paths that keep them. The database's figures are set by the scrape (see metrics.service.ts).
import { Counter, Gauge, type Registry } from 'prom-client'
import type { PoolStats } from '../../db/database.js'
import type { ReplicaStats } from '../../db/replicas.js'
import type { DatabaseFigures } from './metrics.repository.js'

/** The response cache's counts (ResponseCache.stats()). */
export interface CacheFigures {
  hits: number
  misses: number
  evictions: number
  invalidations: number
  entries: number
  bytes: number
  maxBytes: number
}

/** A counter whose value is kept elsewhere, read when scraped. */
function countedElsewhere(registers: Registry[], name: string, help: string, read: () => number) {
  return new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset()
      this.inc(read())
    },
  })
}

/** A gauge read when scraped; null: no sample. */
function readGauge(registers: Registry[], name: string, help: string, read: () => number | null) {
  return new Gauge({
    name,
    help,
    registers,
    collect() {
      const value = read()
      if (value !== null) this.set(value)
    },
  })
}

/** The response cache. `stats` is asked once per scrape (its figures are kept until `done`). */
export function cacheMetrics(registers: Registry[], stats: () => CacheFigures) {
  let current: CacheFigures | undefined
  const read = () => {
    current ??= stats()
    return current
  }
  const prefix = 'newsdesk_response_cache'
  countedElsewhere(registers, `${prefix}_hits_total`, 'Reads answered from the response cache', () => read().hits)
  countedElsewhere(
    registers,
    `${prefix}_misses_total`,
    'Cacheable reads the response cache did not hold',
    () => read().misses,
  )
  countedElsewhere(
    registers,
    `${prefix}_evictions_total`,
    'Entries removed to keep the response cache within RESPONSE_CACHE_MB',
    () => read().evictions,
  )
  countedElsewhere(
    registers,
    `${prefix}_invalidations_total`,
    'Times the response cache was emptied (a content change, a scheduled change falling due)',
    () => read().invalidations,
  )
  readGauge(registers, `${prefix}_bytes`, 'Bytes held by the response cache', () => read().bytes)
  readGauge(registers, `${prefix}_max_bytes`, 'The response cache budget (RESPONSE_CACHE_MB)', () => read().maxBytes)
  readGauge(registers, `${prefix}_entries`, 'Answers held by the response cache', () => read().entries)
  return {
    done() {
      current = undefined
    },
  }
}

export function rateLimitMetrics(registers: Registry[], rejections: () => Readonly<Record<string, number>>) {
  new Counter({
    name: 'newsdesk_rate_limit_rejections_total',
    help: 'Requests refused with a 429, by budget (key, anonymous, uploads, preview-address, preview-link)',
    labelNames: ['bucket'] as const,
    registers,
    collect() {
      this.reset()
      for (const [bucket, count] of Object.entries(rejections())) this.inc({ bucket }, count)
    },
  })
}

export function poolMetrics(registers: Registry[], stats: () => PoolStats) {
  const prefix = 'newsdesk_database_pool'
  readGauge(registers, `${prefix}_max`, 'Most connections the pool opens (DATABASE_POOL_MAX)', () => stats().max)
  readGauge(registers, `${prefix}_connections`, 'Connections open in the pool', () => stats().total)
  // PGlite has no pool: one connection in process, whose idleness is not known.
  if (stats().idle !== null) readGauge(registers, `${prefix}_idle`, 'Open connections not in use', () => stats().idle)
  readGauge(registers, `${prefix}_waiting`, 'Queries waiting for a connection', () => stats().waiting)
  countedElsewhere(
    registers,
    'newsdesk_database_connection_errors_total',
    'Errors of pooled database connections (a restarting server)',
    () => stats().errors,
  )
}

/** Read replicas (DATABASE_REPLICA_URLS), labelled by host:port/database (this route is not public). */
export function replicaMetrics(registers: Registry[], stats: () => ReplicaStats) {
  const labelled = (name: string, help: string, value: (r: ReplicaStats['replicas'][number]) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['replica'],
      registers,
      collect() {
        this.reset()
        for (const replica of stats().replicas) {
          const v = value(replica)
          if (v !== null) this.set({ replica: replica.name }, v)
        }
      },
    })
  labelled('newsdesk_replica_up', '1 while the replica answers its polls', (r) => (r.up ? 1 : 0))
  labelled('newsdesk_replica_eligible', '1 while public reads may go to the replica', (r) => (r.eligible ? 1 : 0))
  labelled('newsdesk_replica_lag_seconds', 'How far the replica is behind the primary', (r) =>
    r.lagMs === null ? null : r.lagMs / 1000,
  )
  new Counter({
    name: 'newsdesk_replica_reads_total',
    help: 'Read statements of public requests the replica answered',
    labelNames: ['replica'],
    registers,
    collect() {
      this.reset()
      for (const replica of stats().replicas) this.inc({ replica: replica.name }, replica.reads)
    },
  })
  countedElsewhere(
    registers,
    'newsdesk_replica_primary_reads_total',
    'Read statements of public requests the primary answered (no replica had replayed the last change)',
    () => stats().primaryReads,
  )
}

const seconds = (from: Date | null, now: Date) => (from ? Math.max(0, (now.getTime() - from.getTime()) / 1000) : 0)

/** The figures the scrape reads from the database, and whether it answered. */
export function databaseMetrics(registers: Registry[]) {
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers })
  const up = gauge('newsdesk_database_up', '1 when the database answered this scrape, 0 otherwise')
  const expected = gauge('newsdesk_migrations_expected', 'Migrations this release brings')
  const applied = gauge('newsdesk_migrations_applied', 'Migrations of this release applied')
  const pending = gauge('newsdesk_migrations_pending', 'Migrations of this release not applied')
  const failed = gauge(
    'newsdesk_migrations_failed',
    'Migrations recorded as started and neither finished nor rolled back (failed, or running)',
  )
  const deliveriesPending = gauge(
    'newsdesk_webhook_deliveries_pending',
    'Webhook deliveries waiting for an attempt (due or retrying later)',
  )
  const deliveriesDue = gauge('newsdesk_webhook_deliveries_due', 'Webhook deliveries whose attempt is due now')
  const deliveryLag = gauge(
    'newsdesk_webhook_delivery_lag_seconds',
    'How long the longest-waiting due delivery has been due (0: none is due)',
  )
  const queued = gauge('newsdesk_change_feed_queued_events', 'Events committed and not yet in the change feed')
  const feedLag = gauge(
    'newsdesk_change_feed_lag_seconds',
    'How long the oldest change not yet in the feed has waited: a committed event without a position, or a ' +
      'scheduled moment due and not yet written (0: the feed is up to date)',
  )
  const fromDatabase = [applied, pending, failed, deliveriesPending, deliveriesDue, deliveryLag, queued, feedLag]

  return {
    /** What the scrape found: the figures (undefined: the database did not answer) and the migrations on disk. */
    set(found: DatabaseFigures | undefined, onDisk: string[] | undefined, now: Date): void {
      up.set(found ? 1 : 0)
      if (onDisk) expected.set(onDisk.length)
      if (!found || !onDisk) {
        for (const g of fromDatabase) g.set(Number.NaN)
        return
      }
      const recorded = new Set(found.appliedMigrations)
      const missing = onDisk.filter((name) => !recorded.has(name)).length
      applied.set(onDisk.length - missing)
      pending.set(missing)
      failed.set(found.unfinishedMigrations)
      deliveriesPending.set(found.pendingDeliveries)
      deliveriesDue.set(found.dueDeliveries)
      deliveryLag.set(seconds(found.oldestDueDelivery, now))
      queued.set(found.queuedEvents)
      const behind = [found.oldestQueuedEvent, found.oldestDueMoment]
        .filter((at): at is Date => at !== null)
        .sort((a, b) => a.getTime() - b.getTime())[0]
      feedLag.set(seconds(behind ?? null, now))
    },
  }
}

/** Counted as the delivery task reports its attempts (see webhooks.worker.ts). */
export function deliveryMetrics(registers: Registry[]) {
  const attempts = new Counter({
    name: 'newsdesk_webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts made by this instance, by outcome (success: a 2xx)',
    labelNames: ['outcome'] as const,
    registers,
  })
  attempts.inc({ outcome: 'success' }, 0)
  attempts.inc({ outcome: 'failure' }, 0)
  const failed = new Counter({
    name: 'newsdesk_webhook_deliveries_failed_total',
    help: 'Webhook deliveries whose retry schedule ended without a 2xx (status failed)',
    registers,
  })
  return {
    attempted: (ok: boolean) => attempts.inc({ outcome: ok ? 'success' : 'failure' }),
    failed: () => failed.inc(),
  }
}
