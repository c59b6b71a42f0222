// Opens the database the configuration names: a pooled PostgreSQL server, or embedded PGlite
// persisted in a folder (or in memory). Both serve the same Prisma client and migrations.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import type { Config, ReplicaConfig } from '../config.js'
import { PrismaClient } from '../generated/prisma/client.js'
import { listenOnServer } from './change-listener.js'
import { type DataDirLock, lockDataDir } from './data-dir-lock.js'
import { registerDirectReader, registerDirectTransactions } from './direct.js'
import { NonRetainingClient } from './non-retaining-client.js'
import { RoutedPool } from './replica-routing.js'
import type { ReplicaSet } from './replicas.js'
import { poolTypes } from './timestamps.js'

export type { PrismaClient }

export interface Database {
  kind: 'server' | 'embedded'
  prisma: PrismaClient
  /** The driver adapter, for the schema engine (migrations). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory
  /** True when an embedded data folder was created by this call. */
  created: boolean
  /** Throws when the database does not answer. */
  ping(): Promise<void>
  /**
   * Subscribes to the content change notifications the database sends when a transaction that
   * changed content commits (see the body_html_and_change_notifications migration).
   */
  listenForChanges(handlers: ChangeHandlers): Promise<ChangeSubscription>
  /** The read replicas public reads may use (DATABASE_REPLICA_URLS), when there are any. */
  replicas?: ReplicaSet
  close(): Promise<void>
  /** The connection pool as it is now, for metrics (read-only). */
  poolStats?(): PoolStats
}

/** Connections of the pool (embedded: the one PGlite connection) and its errors since opening. */
export interface PoolStats {
  max: number
  total: number
  /** Unknown for the embedded database (one connection, shared in process). */
  idle: number | null
  /** Callers waiting for a connection. */
  waiting: number
  /** Errors of pooled connections (those passed to onConnectionError). */
  errors: number
}

/** The channel the content triggers notify on. */
export const changeChannel = 'newsdesk_content'

export interface ChangeHandlers {
  /** Content changed (called once per committed transaction that changed content). */
  onChange(): void
  /**
   * The subscription went down (false) or is up again (true). Changes made while it was down
   * were not seen: a listener must treat coming back up as a change.
   */
  onState(connected: boolean): void
  onError?(err: Error): void
}

export interface ChangeSubscription {
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** Receives errors of idle pooled connections (a restarting server), which must not crash the process. */
  onConnectionError?: (err: Error) => void
}

export async function openDatabase(config: Config['database'], options: DatabaseOptions = {}): Promise<Database> {
  if (config.kind === 'server') return openServer(config.url, config.poolMax, options, config.replicas)
  return openEmbedded(config.dataDir, config.cacheMb)
}

function openServer(url: string, poolMax: number, options: DatabaseOptions, replicas?: ReplicaConfig): Database {
  let errors = 0
  const onError = (err: Error) => {
    errors++
    options.onConnectionError?.(err)
  }
  const poolOptions: pg.PoolConfig = {
    connectionString: url,
    // No JIT compilation. The API's statements are short; when the planner's row estimate is off (a
    // month's range per pending month of the sitemap index, a common-word search) the cost passes
    // jit_above_cost and every execution spends 100–200 ms compiling for milliseconds of work. An
    // `options` parameter in DATABASE_URL replaces this (e.g. `?options=-c%20jit%3Don`).
    options: '-c jit=off',
    // A transaction left open by a stalled caller ends after a minute instead of holding its row
    // locks (and a pooled connection) for good: writes run as back-to-back statements, so a gap
    // that long between two of them means something went wrong.
    idle_in_transaction_session_timeout: 60_000,
    max: poolMax,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    // Timestamps read without pg's regular expressions (timestamps.ts); every other type as pg reads it.
    types: poolTypes,
    // Connections that let go of the statement that opened them (non-retaining-client.ts).
    Client: NonRetainingClient,
  }
  // With replicas, the pool sends public reads to them (src/db/replica-routing.ts).
  const pool = replicas?.urls.length ? new RoutedPool(poolOptions, replicas, onError) : new pg.Pool(poolOptions)
  pool.on('error', onError)
  // One set of named statements for the adapter and the direct reads: a statement is prepared
  // once per connection, whichever sends it.
  const statementName = preparedStatementNames(maxPreparedStatements)
  const adapterFactory = new PrismaPg(pool, {
    onPoolError: onError,
    onConnectionError: onError,
    statementNameGenerator: statementName,
  })
  const prisma = new PrismaClient({ adapter: adapterFactory })
  registerDirectReader(prisma, async (text, values) => {
    const name = statementName({ sql: text })
    return (await pool.query({ ...(name ? { name } : {}), text, values })).rows
  })
  registerDirectTransactions(prisma, async (work) => {
    const client = await pool.connect()
    // A connection whose ROLLBACK failed is closed rather than handed to the next caller.
    let broken: Error | undefined
    // Checked out, it has no pool listener: a connection that drops without an error message
    // would emit an 'error' nobody hears, which ends the process. Its statement fails instead.
    const dropped = (err: Error) => {
      broken = err
      onError(err)
    }
    client.on('error', dropped)
    try {
      await client.query('BEGIN')
      const result = await work((text, values) => {
        const name = statementName({ sql: text })
        return client.query({ ...(name ? { name } : {}), text, values })
      })
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch((failed: Error) => {
        broken = failed
      })
      throw err
    } finally {
      client.off('error', dropped)
      client.release(broken)
    }
  })
  return {
    kind: 'server',
    prisma,
    adapterFactory,
    created: false,
    async ping() {
      await prisma.$queryRaw`SELECT 1`
    },
    listenForChanges: (handlers) => listenOnServer(url, handlers),
    poolStats: () => ({
      max: poolMax,
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      errors,
    }),
    ...(pool instanceof RoutedPool ? { replicas: pool.replicas } : {}),
    async close() {
      await prisma.$disconnect()
      if (pool instanceof RoutedPool) await pool.replicas.close()
      await pool.end()
    },
  }
}

/**
 * Distinct statements prepared by name on each pooled connection. A statement is parsed and
 * planned once per connection, then (plan_cache_mode auto) runs on a generic plan when that is
 * as good: a read by slug spends ~1 ms planning and ~0.15 ms executing otherwise. The API sends a
 * bounded set of statement shapes; past the cap, new shapes run unnamed (planned every time), so
 * a connection never holds more than this many.
 */
const maxPreparedStatements = 500

function preparedStatementNames(max: number): (query: { sql: string }) => string {
  const names = new Map<string, string>()
  return ({ sql }) => {
    let name = names.get(sql)
    if (name === undefined && names.size < max) {
      name = `nd_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`
      names.set(sql, name)
    }
    // No name: pg sends an unnamed statement.
    return name as string
  }
}

/** PGlite's shared buffers unless EMBEDDED_CACHE_MB says otherwise. */
const defaultCacheMb = 32

/**
 * A PGlite instance with the extensions the migrations create. Its shared buffers (PostgreSQL's
 * page cache) are `cacheMb`, not PostgreSQL's 128 MB: they live in the WebAssembly memory, which
 * never shrinks, so a server reading its archive grew to 360–570 MB. The operating system's file
 * cache still holds the data files behind them. On a folder of 40,000 rows: 302 MB at start with
 * 128 MB, 182 MB with 16 MB.
 */
export function createPGlite(dataDir: string, cacheMb = defaultCacheMb, loadDataDir?: Blob): PGlite {
  return new PGlite(dataDir, {
    ...(loadDataDir ? { loadDataDir } : {}),
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${cacheMb}MB`],
  })
}

/**
 * PGlite in a folder, locked against every other process (see data-dir-lock.ts: DataDirInUseError
 * when one has it open), or in memory, which no other process can reach.
 */
async function openEmbedded(dataDir: string, cacheMb?: number): Promise<Database> {
  let created = true
  let pglite: PGlite
  let lock: DataDirLock | undefined
  if (dataDir === 'memory://') {
    pglite = createPGlite('memory://', cacheMb)
  } else {
    const dir = resolve(dataDir)
    created = !existsSync(join(dir, 'PG_VERSION'))
    await mkdir(dir, { recursive: true })
    lock = await lockDataDir(dir)
    pglite = createPGlite(dir, cacheMb)
  }
  try {
    await pglite.waitReady
  } catch (err) {
    lock?.release()
    throw err
  }
  const adapterFactory = new PrismaPGlite(pglite)
  const prisma = new PrismaClient({ adapter: adapterFactory })
  return {
    kind: 'embedded',
    prisma,
    adapterFactory,
    created,
    async ping() {
      await prisma.$queryRaw`SELECT 1`
    },
    async listenForChanges(handlers) {
      // One connection, in this process: a notification arrives as the committing query returns.
      const unlisten = await pglite.listen(changeChannel, () => handlers.onChange())
      handlers.onState(true)
      return { close: () => unlisten() }
    },
    poolStats: () => ({ max: 1, total: 1, idle: null, waiting: 0, errors: 0 }),
    async close() {
      try {
        await prisma.$disconnect()
        // The adapter does not own the PGlite instance, and an open one keeps the process alive.
        await pglite.close()
      } finally {
        lock?.release()
      }
    },
  }
}
