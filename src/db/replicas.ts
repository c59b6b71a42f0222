// Streaming read replicas (DATABASE_REPLICA_URLS): which replica may answer a public read now.
// The routing of statements is in replica-routing.ts; this keeps what it decides on:
// - The target: the primary's WAL position at or after the commit of every change this instance
//   knows of (a content change notification, a write it answered). Marking a change makes the
//   target pending at once, synchronously: every read that starts afterwards goes to the primary
//   until the position is known and a replica has replayed it.
// - Each replica's replay position, polled every REPLICA_POLL_MS (sooner while one is behind the
//   target), and whether it answers at all: a failed poll or connection takes it out until a
//   poll succeeds again.
// - Lag: the primary's position is sampled with each poll and each target. A replica's lag is the
//   age of the oldest sample it has not replayed (0 when it has replayed them all): how long ago
//   the primary had written something the replica still does not show. It covers what no
//   notification announces (keys, settings, another tool writing). Beyond REPLICA_MAX_LAG_MS the
//   replica is skipped.
import pg from 'pg'
import type { ReplicaConfig } from '../config.js'

export interface ReplicaStatus {
  /** host:port/database, without credentials. */
  name: string
  up: boolean
  /** Milliseconds behind the primary (see lagOf); null until its position is known. */
  lagMs: number | null
  /** The last replay position polled (pg_last_wal_replay_lsn). */
  replayLsn: string | null
  /** Public reads may go to it now. */
  eligible: boolean
  /** Read statements it answered. */
  reads: number
}

export interface ReplicaStats {
  /** The WAL position replicas must have replayed; null while the latest change's is being learnt. */
  target: string | null
  /** Read statements of public requests that went to the primary (no replica eligible). */
  primaryReads: number
  replicas: ReplicaStatus[]
}

/** A WAL position as PostgreSQL prints it ('16/B374D848') as one number. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/')
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`)
}

function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`
}

export interface Replica {
  readonly name: string
  readonly pool: pg.Pool
  up: boolean
  replay: bigint | null
  reads: number
  /** A poll has run: a failure is reported when the replica goes down, or at the first poll. */
  polled: boolean
  /**
   * The reads waiting on it, each given up when the replica is found down: a server that stopped
   * answering never answers, and its reads go to the primary instead of waiting for good.
   */
  readonly waiting: Set<() => void>
}

export interface ReplicaSetOptions extends ReplicaConfig {
  /** Options of the replicas' pools (the primary's, without its connection string). */
  poolOptions: pg.PoolConfig
  /** How long a poll waits for a replica's answer. */
  timeoutMs: number
  /** The primary's current WAL position ('X/Y'). */
  primaryLsn: () => Promise<string>
  onError: (err: Error) => void
}

/** Samples kept for lag: a poll's and a change's. Past this, the oldest go. */
const maxSamples = 1024
/** First catch-up poll after a new target; doubles up to REPLICA_POLL_MS while a replica is behind. */
const firstCatchUpMs = 5

export class ReplicaSet {
  readonly replicas: Replica[]
  readonly #options: ReplicaSetOptions
  #target = 0n
  /**
   * Changes marked, and the last of them whose position is in #target. One at the start: until
   * the primary's position is known, a replica hours behind must not look current.
   */
  #marked = 1
  #resolved = 0
  #resolving = false
  #samples: { lsn: bigint; at: number }[] = []
  #timer: NodeJS.Timeout | undefined
  #catchUpMs = firstCatchUpMs
  #polling: Promise<void> | null = null
  #closed = false
  #next = 0
  primaryReads = 0

  constructor(options: ReplicaSetOptions) {
    this.#options = options
    this.replicas = options.urls.map((url) => {
      const pool = new pg.Pool({ ...options.poolOptions, connectionString: url })
      const replica: Replica = {
        name: nameOf(url),
        pool,
        up: false,
        replay: null,
        reads: 0,
        polled: false,
        waiting: new Set(),
      }
      // An idle connection dropped (the replica stopping, or an idle timeout closing it): a poll
      // now tells which; the reads on its other connections go on meanwhile.
      pool.on('error', (err) => {
        this.#options.onError(err)
        void this.refresh()
      })
      return replica
    })
    this.#schedule(0)
  }

  /** A change committed (or may have): reads go to the primary until a replica replays it. */
  markChange(): void {
    this.#marked++
    this.#catchUpMs = firstCatchUpMs
    void this.#resolveTarget()
  }

  get pending(): boolean {
    return this.#resolved < this.#marked
  }

  /** A replica that may answer a read now, in turn; null: the primary. */
  pick(): Replica | null {
    if (this.pending) return null
    const now = Date.now()
    for (let i = 0; i < this.replicas.length; i++) {
      const replica = this.replicas[(this.#next + i) % this.replicas.length] as Replica
      if (this.#eligible(replica, now)) {
        this.#next = (this.#next + i + 1) % this.replicas.length
        return replica
      }
    }
    return null
  }

  /** The replica may still answer (a request keeps its replica only while this holds). */
  eligible(replica: Replica): boolean {
    return !this.pending && this.#eligible(replica, Date.now())
  }

  #eligible(replica: Replica, now: number): boolean {
    return (
      replica.up &&
      replica.replay !== null &&
      replica.replay >= this.#target &&
      this.#lagOf(replica, now) <= this.#options.maxLagMs
    )
  }

  #lagOf(replica: Replica, now: number): number {
    if (replica.replay === null) return Number.POSITIVE_INFINITY
    const replay = replica.replay
    const oldest = this.#samples.find((s) => s.lsn > replay)
    return oldest ? now - oldest.at : 0
  }

  markDown(replica: Replica, err: Error): void {
    if (replica.up || !replica.polled) {
      this.#options.onError(new Error(`read replica ${replica.name} not used: ${err.message}`, { cause: err }))
    }
    replica.up = false
    for (const giveUp of replica.waiting) giveUp()
    replica.waiting.clear()
    replica.polled = true
  }

  stats(): ReplicaStats {
    const now = Date.now()
    return {
      target: this.pending ? null : formatLsn(this.#target),
      primaryReads: this.primaryReads,
      replicas: this.replicas.map((r) => {
        const lag = this.#lagOf(r, now)
        return {
          name: r.name,
          up: r.up,
          lagMs: Number.isFinite(lag) ? lag : null,
          replayLsn: r.replay === null ? null : formatLsn(r.replay),
          eligible: !this.pending && this.#eligible(r, now),
          reads: r.reads,
        }
      }),
    }
  }

  /** Polls at once; resolves when done (tests and readiness wait for a fresh view). */
  refresh(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => {
      this.#polling = null
    })
    return this.#polling
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    await this.#polling
    await Promise.all(this.replicas.map((r) => r.pool.end()))
  }

  #sample(text: string): bigint {
    const lsn = parseLsn(text)
    const last = this.#samples.at(-1)
    if (!last || lsn > last.lsn) this.#samples.push({ lsn, at: Date.now() })
    if (this.#samples.length > maxSamples) this.#samples.shift()
    return lsn
  }

  // The position is read after the change committed (a notification is sent on commit; a write
  // is answered after it): it is at or after the end of the commit record, so a replica that has
  // replayed it shows the change. It is the insert position (pg_current_wal_insert_lsn): with
  // synchronous_commit off a commit returns, and notifies, before its record is written out, so
  // the write position (pg_current_wal_lsn) can still be short of it.
  async #resolveTarget(): Promise<void> {
    if (this.#resolving || this.#closed) return
    this.#resolving = true
    try {
      while (this.#resolved < this.#marked) {
        const mark = this.#marked
        const lsn = this.#sample(await this.#options.primaryLsn())
        if (lsn > this.#target) this.#target = lsn
        this.#resolved = mark
      }
    } catch (err) {
      // Still pending: reads stay on the primary; the next poll tries again.
      this.#options.onError(err as Error)
    } finally {
      this.#resolving = false
    }
    if (!this.pending) this.#schedule(0)
  }

  #schedule(ms: number): void {
    if (this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.refresh(), ms)
    this.#timer.unref()
  }

  async #poll(): Promise<void> {
    if (this.pending) await this.#resolveTarget()
    try {
      this.#sample(await this.#options.primaryLsn())
    } catch (err) {
      this.#options.onError(err as Error)
    }
    await Promise.all(this.replicas.map((r) => this.#pollReplica(r)))
    const oldestReplay = this.replicas.reduce<bigint | null>(
      (min, r) => (r.replay === null || (min !== null && min < r.replay) ? min : r.replay),
      null,
    )
    // Samples every replica has replayed say nothing of lag any more; the newest is kept.
    if (oldestReplay !== null && this.replicas.every((r) => r.replay !== null)) {
      while (this.#samples.length > 1 && (this.#samples[0] as { lsn: bigint }).lsn <= oldestReplay)
        this.#samples.shift()
    }
    const behind = this.replicas.some((r) => r.up && r.replay !== null && r.replay < this.#target)
    if (behind) {
      this.#schedule(this.#catchUpMs)
      this.#catchUpMs = Math.min(this.#catchUpMs * 2, this.#options.pollMs)
    } else {
      this.#schedule(this.#options.pollMs)
    }
  }

  async #pollReplica(replica: Replica): Promise<void> {
    try {
      const { rows } = await replica.pool.query<{ lsn: string | null }>({
        // Not in recovery: promoted, or not a replica at all; nothing says how far it is.
        text: 'SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END AS lsn',
        query_timeout: this.#options.timeoutMs,
        // pg reads query_timeout per query as well as per connection; its types say only the latter.
      } as pg.QueryConfig)
      const lsn = rows[0]?.lsn
      if (!lsn) throw new Error(`${replica.name} is not a streaming replica (not in recovery)`)
      replica.replay = parseLsn(lsn)
      replica.up = true
      replica.polled = true
    } catch (err) {
      this.markDown(replica, err as Error)
    }
  }
}

function nameOf(url: string): string {
  const u = new URL(url)
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`
}
