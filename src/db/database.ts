// Opens the database the configuration names: a pooled PostgreSQL server, or embedded PGlite
// persisted in a folder (or in memory). Both serve the same Prisma client and migrations.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import type { Config } from '../config.js'
import { PrismaClient } from '../generated/prisma/client.js'

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
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** Receives errors of idle pooled connections (a restarting server), which must not crash the process. */
  onConnectionError?: (err: Error) => void
}

export async function openDatabase(config: Config['database'], options: DatabaseOptions = {}): Promise<Database> {
  if (config.kind === 'server') return openServer(config.url, config.poolMax, options)
  return openEmbedded(config.dataDir)
}

function openServer(url: string, poolMax: number, options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
  })
  const onError = options.onConnectionError ?? (() => {})
  pool.on('error', onError)
  const adapterFactory = new PrismaPg(pool, { onPoolError: onError, onConnectionError: onError })
  const prisma = new PrismaClient({ adapter: adapterFactory })
  return {
    kind: 'server',
    prisma,
    adapterFactory,
    created: false,
    async ping() {
      await prisma.$queryRaw`SELECT 1`
    },
    async close() {
      await prisma.$disconnect()
      await pool.end()
    },
  }
}

/** A PGlite instance with the extensions the migrations create. */
export function createPGlite(dataDir: string): PGlite {
  return new PGlite(dataDir, { extensions: { pg_trgm } })
}

async function openEmbedded(dataDir: string): Promise<Database> {
  let created = true
  let pglite: PGlite
  if (dataDir === 'memory://') {
    pglite = createPGlite('memory://')
  } else {
    const dir = resolve(dataDir)
    created = !existsSync(join(dir, 'PG_VERSION'))
    await mkdir(dir, { recursive: true })
    pglite = createPGlite(dir)
  }
  await pglite.waitReady
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
    async close() {
      await prisma.$disconnect()
      // The adapter does not own the PGlite instance, and an open one keeps the process alive.
      await pglite.close()
    },
  }
}
