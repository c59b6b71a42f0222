// Shared by the tests of the db:* commands: running a script as its own process, and digests of
// table contents that tell whether two databases (or one at two moments) hold the same rows.
import { spawnSync } from 'node:child_process'
import pg from 'pg'
import type { Test } from 'tap'
import { serverUrl, withDatabase } from './db-url.js'

/** Runs a script of the project through tsx with only PATH and `env` set; its exit code and output. */
export function runScript(args: string[], env: NodeJS.ProcessEnv, script = 'scripts/db.ts') {
  const res = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  })
  return { code: res.status, out: res.stdout.trim(), err: res.stderr.trim() }
}

export type Query = (sql: string) => Promise<Record<string, unknown>[]>

/** The tables a backup must bring back, keys and audit included. */
export const contentTables = [
  'sources',
  'articles',
  'tags',
  'collections',
  'teasers',
  'api_keys',
  'audit_entries',
  'article_revisions',
]

/** Every table of the application (all of public but the migration history), from the catalog. */
export async function allTables(query: Query): Promise<string[]> {
  const rows = await query(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1",
  )
  return rows.map((r) => String(r.tablename))
}

/**
 * Every row of each table, as one digest per table ("<count>:<md5>"). Rows are compared in their
 * text form, which depends on the session's time zone: two databases are compared in the same one.
 */
export async function digest(query: Query, tables = contentTables): Promise<Record<string, unknown>> {
  const columns = tables
    .map(
      (t) =>
        `(SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM "${t}" x) AS "${t}"`,
    )
    .join(', ')
  return (await query(`SELECT ${columns}`))[0] as Record<string, unknown>
}

/**
 * A new, empty database on the test server (TEST_DATABASE_URL) named nd_export_<pid>_<suffix>,
 * dropped when the test ends; its URL, and a client on it in UTC (for digests).
 */
export async function emptyServerDatabase(t: Test, suffix: string): Promise<{ url: string; client: pg.Client }> {
  const name = `nd_export_${process.pid}_${suffix}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${name}`)
  const url = withDatabase(serverUrl as string, name)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query("SET TimeZone TO 'UTC'")
  t.teardown(async () => {
    await client.end()
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  })
  return { url, client }
}
