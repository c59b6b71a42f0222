// build(t): a fresh, migrated database and an app on it for one test file, torn down after.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Test } from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { type Database, openDatabase } from '../src/db/database.js'
import { applyMigrations } from '../src/db/migrations.js'
import { serverUrl, templateName, withDatabase } from './db-url.js'

export interface TestDatabase {
  db: Database
  url?: string
}

/** A new database for one test file: cloned from the migrated template, or in-memory PGlite. */
export async function createTestDatabase(t: Test): Promise<TestDatabase> {
  if (!serverUrl) {
    const db = await openDatabase({ kind: 'embedded', dataDir: 'memory://' })
    await applyMigrations(db.adapterFactory)
    t.teardown(() => db.close())
    return { db }
  }
  const name = `newsdesk_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(serverUrl)}"`)
  } finally {
    await admin.end()
  }
  const url = withDatabase(serverUrl, name)
  const db = await openDatabase({ kind: 'server', url, poolMax: 5 })
  t.teardown(async () => {
    await db.close()
    const cleanup = new pg.Client({ connectionString: serverUrl })
    await cleanup.connect()
    await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await cleanup.end()
  })
  return { db, url }
}

export interface BuildOptions {
  env?: NodeJS.ProcessEnv
  database?: TestDatabase
}

/** An app on its own database (or the one given), closed when the test ends. */
export async function build(t: Test, options: BuildOptions = {}) {
  const database = options.database ?? (await createTestDatabase(t))
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env })
  const app = await buildApp({ config, db: database.db })
  t.teardown(() => app.close())
  await app.ready()
  return { app, db: database.db, database }
}

/** Parses a JSON response body. */
export function json<T = Record<string, unknown>>(res: { body: string }): T {
  return JSON.parse(res.body) as T
}
