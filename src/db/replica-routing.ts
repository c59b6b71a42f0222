// Sends the read statements of public requests to a streaming replica (replicas.ts decides which
// may answer), everything else to the primary. The pool the ORM's adapter and the direct reads
// use is a RoutedPool: its query() looks at the request's context (AsyncLocalStorage, entered by
// src/http/replica-reads.ts for public reads only); connect() is the primary's, so every
// transaction, and all work outside a public read (writes, the worker, the change feed, webhooks,
// schedules, migrations, LISTEN), stays on the primary.
//
// The response cache and replicas (the cache trap): an instance empties its cache when content
// changes and refills it with the next reads. Were one of them answered by a replica that has not
// replayed the change, the stale answer would be cached until the next change. It cannot be:
// - a change ends the cache's generation and marks the replicas' target pending in the same
//   synchronous step (the same notification, or the write's onSend), and an answer is stored only
//   by a request whose generation began after the last change (response-cache.ts);
// - every statement of such a request started after that step, and each statement checks
//   eligibility as it starts: while the target is pending, or until a replica's replay position
//   has reached the target (the primary's position read after the commit), it goes to the
//   primary. A request that has used the primary stays there, so its reads never go back in time.
import { AsyncLocalStorage } from 'node:async_hooks'
import pg from 'pg'
import type { ReplicaConfig } from '../config.js'
import { type Replica, ReplicaSet } from './replicas.js'

interface ReadContext {
  /** undefined: no statement yet; null: the primary (for the rest of the request). */
  replica: Replica | null | undefined
}

const contexts = new AsyncLocalStorage<ReadContext>()

/** Runs `next` (the rest of a public read request) with its read statements sent to a replica when one may answer. */
export function readFromReplicas(next: () => void): void {
  contexts.run({ replica: undefined }, next)
}

// Only a statement that reads and neither writes nor locks goes to a replica: a SELECT, or a WITH
// whose parts are all SELECTs (lists, a section's subtree, related articles, sitemaps). Anything
// else (a recorded key use, a write a public route makes, FOR UPDATE/SHARE, a sequence, an
// advisory lock) must reach the primary; a word such as "update" anywhere in the text sends it
// there too, which is never wrong.
const readStart = /^\s*(select|with)\b/i
const writesOrLocks =
  /\b(insert|update|delete|merge|truncate|for\s+(share|key\s+share)|nextval|setval|pg_(?:try_)?advisory\w*|pg_notify|set_config)\b/i

function isPlainRead(text: unknown): boolean {
  return typeof text === 'string' && readStart.test(text) && !writesOrLocks.test(text)
}

/**
 * Whether a statement that failed on a replica runs again on the primary: yes unless the
 * statement itself is at fault (bad input, a timeout it would hit again).
 */
function retryOnPrimary(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return !(err instanceof pg.DatabaseError && typeof code === 'string' && (code.startsWith('22') || code === '57014'))
}

/** The replica's connection failed (not the statement): out until a poll reaches it again. */
function connectionLost(err: unknown): boolean {
  // Every connection of its pool busy for the connect timeout: the replica is busy, not down.
  if (err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message)) return false
  const code = (err as { code?: unknown }).code
  return !(err instanceof pg.DatabaseError) || (typeof code === 'string' && /^(08|57P)/.test(code))
}

type Query = (...args: unknown[]) => Promise<pg.QueryResult>

/**
 * A statement on a connection of the replica's pool, as pool.query runs it, except that it is
 * given up when the replica is found down while it waits: its connection is closed (never handed
 * to another read) and the caller tries the primary.
 */
async function readOn(replica: Replica, args: unknown[]): Promise<pg.QueryResult> {
  const client = await replica.pool.connect()
  let released = false
  // A checked-out connection has no pool listener: a connection that drops without an error
  // message (a host gone, a reset) would emit an 'error' nobody hears, which ends the process.
  const dropped = (err: Error) => fail(err)
  client.on('error', dropped)
  const release = (err?: Error) => {
    if (released) return
    released = true
    client.off('error', dropped)
    // As pool.query does: a connection whose statement failed is closed.
    client.release(err)
  }
  let fail: (err: Error) => void = () => {}
  return new Promise<pg.QueryResult>((resolve, reject) => {
    fail = (err) => {
      release(err)
      reject(err)
    }
    const giveUp = () => fail(new ReplicaLostError(replica.name))
    replica.waiting.add(giveUp)
    ;(client.query as Query)(...args)
      .then((result) => {
        release()
        resolve(result)
      }, fail)
      .finally(() => replica.waiting.delete(giveUp))
  })
}

class ReplicaLostError extends Error {
  constructor(name: string) {
    super(`read replica ${name} was found down while a read waited on it`)
  }
}

export class RoutedPool extends pg.Pool {
  readonly replicas: ReplicaSet

  constructor(options: pg.PoolConfig, settings: ReplicaConfig, onError: (err: Error) => void) {
    super(options)
    const primary = pg.Pool.prototype.query.bind(this) as Query
    const { connectionString: _primaryUrl, ...poolOptions } = options
    // A position is waited for no longer than a poll interval (1–5 s): a server that stopped
    // answering must not stall the polls (nor hold the target pending) for good.
    const timeoutMs = Math.max(1000, Math.min(settings.pollMs, 5000))
    this.replicas = new ReplicaSet({
      ...settings,
      poolOptions: { ...poolOptions, connectionTimeoutMillis: timeoutMs },
      timeoutMs,
      primaryLsn: async () =>
        (await primary({ text: 'SELECT pg_current_wal_insert_lsn()::text AS lsn', query_timeout: timeoutMs })).rows[0]
          .lsn,
      onError,
    })
    const replicas = this.replicas
    // Assigned rather than overridden: pg's query() has a dozen overloads to restate.
    this.query = ((...args: unknown[]) => {
      const context = contexts.getStore()
      if (!context || typeof args.at(-1) === 'function') return primary(...args)
      const first = args[0]
      if (!isPlainRead(typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text)) {
        context.replica = null
        return primary(...args)
      }
      if (context.replica && !replicas.eligible(context.replica)) context.replica = null
      else if (context.replica === undefined) context.replica = replicas.pick()
      const replica = context.replica
      if (!replica) {
        replicas.primaryReads++
        return primary(...args)
      }
      replica.reads++
      return readOn(replica, args).catch((err: unknown) => {
        if (!retryOnPrimary(err)) throw err
        if (connectionLost(err)) replicas.markDown(replica, err as Error)
        context.replica = null
        replica.reads--
        replicas.primaryReads++
        return primary(...args)
      })
    }) as pg.Pool['query']
  }
}
