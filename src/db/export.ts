// npm run db:export-to -- postgres://…: moves an embedded installation to a PostgreSQL server.
// The server's database gets its schema from the project's migrations, then every row of every
// table of the embedded database (keys, audit log and revisions included), copied in one
// transaction: a copy that fails leaves no copied row behind. The embedded folder is read under
// its lock, so never while a server has it open, and it is left as it was.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import type { Config } from '../config.js'
import { lockDataDir } from './data-dir-lock.js'
import { createPGlite, openDatabase } from './database.js'
import {
  copyOrder,
  copyRows,
  ident,
  listForeignKeys,
  listTables,
  type Query,
  qualified,
  readSequences,
  setSequence,
  tableList,
  tableNames,
  tablesWithRows,
} from './export.catalog.js'
import { applyMigrations, loadMigrationsList } from './migrations.js'

/** An export that cannot or must not go ahead; the message says why and what to do. */
export class ExportError extends Error {
  override name = 'ExportError'
}

export interface ExportOptions {
  /** Called as each table has been copied (inside the transaction, before the commit). */
  onTable?: (table: string, rows: number) => void
}

export interface ExportResult {
  /** The embedded folder that was read. */
  dataDir: string
  /** The target URL without its password. */
  target: string
  tables: { name: string; rows: number }[]
  rows: number
  sequences: number
}

const usage = 'give the URL of an empty database, e.g. postgres://user:password@host:5432/newsdesk'

/** The URL without its password, for messages. */
export function redactUrl(url: URL): string {
  const shown = new URL(url.href)
  if (shown.password) shown.password = '***'
  for (const name of ['password', 'sslpassword']) if (shown.searchParams.has(name)) shown.searchParams.set(name, '***')
  return shown.href
}

function parseTarget(url: string): URL {
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    // not a URL at all
  }
  // A host, or (a Unix socket) a host parameter: postgres:///newsdesk?host=/var/run/postgresql
  const host = parsed?.hostname || parsed?.searchParams.get('host')
  if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol) || !host) {
    // Not echoed: a URL that does not parse may still hold a password.
    throw new ExportError(`the target is not a PostgreSQL URL: ${usage}`)
  }
  return parsed
}

export async function exportToServer(
  config: Config['database'],
  url: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const targetUrl = parseTarget(url)
  const shown = redactUrl(targetUrl)
  if (config.kind === 'server') {
    throw new ExportError(
      'db:export-to copies the embedded database, but DATABASE_URL is set: unset it, so that DATA_DIR names the folder to copy',
    )
  }
  if (config.dataDir === 'memory://')
    throw new ExportError('an in-memory database (DATA_DIR=memory://) has nothing to export')
  const dir = resolve(config.dataDir)
  if (!existsSync(join(dir, 'PG_VERSION'))) throw new ExportError(`${dir} holds no embedded database`)
  const lock = await lockDataDir(dir)
  try {
    const target = await connect(targetUrl, shown)
    try {
      const query: Query = async (sql, params) => (await target.query(sql, params)).rows
      await refuseData(query, shown)
      const pglite = createPGlite(dir)
      try {
        await pglite.waitReady
        const source: Query = async (sql, params) => (await pglite.query<never>(sql, params)).rows
        await source("SET TimeZone TO 'UTC'")
        await checkSourceMigrations(source, dir)
        const migrating = await openDatabase({ kind: 'server', url: targetUrl.href, poolMax: 1 })
        try {
          await applyMigrations(migrating.adapterFactory)
        } finally {
          await migrating.close()
        }
        const result = await copy(source, query, await tablesWithRows(query), options)
        return { dataDir: dir, target: shown, ...result }
      } finally {
        await pglite.close()
      }
    } finally {
      await target.end().catch(() => {})
    }
  } finally {
    lock.release()
  }
}

async function connect(url: URL, shown: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url.href, connectionTimeoutMillis: 10_000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query("SET TimeZone TO 'UTC'")
    return client
  } catch (err) {
    await client.end().catch(() => {})
    const { code, message } = err as { code?: string; message: string }
    const database = decodeURIComponent(url.pathname.slice(1))
    if (code === '3D000') {
      throw new ExportError(
        `${shown}: database "${database}" does not exist; create it (e.g. createdb ${database}) and try again`,
      )
    }
    throw new ExportError(`cannot connect to ${shown}: ${message || code}`)
  }
}

async function checkSourceMigrations(source: Query, dir: string): Promise<void> {
  const applied = new Set(
    (
      await source<{ name: string }>(
        'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      ).catch(() => [])
    ).map((r) => r.name),
  )
  const known = (await loadMigrationsList()).migrationDirectories.map((m) => m.path)
  const unknown = [...applied].filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    throw new ExportError(
      `the embedded database ${dir} has migrations this version of Newsdesk does not know (${unknown.join(', ')}): ` +
        'export it with the version that last migrated it',
    )
  }
  const pending = known.filter((name) => !applied.has(name))
  if (pending.length > 0) {
    throw new ExportError(
      `the embedded database ${dir} lacks ${pending.length} migration(s) of this version (${pending.join(', ')}): ` +
        'run npm run db:migrate first',
    )
  }
}

/**
 * Refuses a target that holds tables of something else, or data: rows other than those the migrations themselves write (the
 * change feed's state row), which a database migrated by db:migrate and never used holds. Those
 * are found by migrating an in-memory database, only when the target has rows at all.
 */
async function refuseData(target: Query, shown: string): Promise<void> {
  const names = await tableNames(target)
  if (names.length > 0 && !names.includes('_prisma_migrations')) {
    // The migrations would refuse too ("the database schema is not empty").
    throw new ExportError(
      `${shown} holds tables (${names.join(', ')}) that Newsdesk's migrations did not make: ${usage}`,
    )
  }
  if (names.includes('_prisma_migrations')) await refuseNewerMigrations(target, shown)
  const found = await tablesWithRows(target)
  if (found.size === 0) return
  const many = [...found].filter(([, digest]) => digest === null)
  if (many.length > 0) throw holdsData(shown, many)
  const fresh = createPGlite('memory://')
  let baseline: Map<string, string | null>
  try {
    await applyMigrations(new PrismaPGlite(fresh))
    const query: Query = async (sql, params) => (await fresh.query<never>(sql, params)).rows
    await query("SET TimeZone TO 'UTC'")
    baseline = await tablesWithRows(query)
  } finally {
    await fresh.close()
  }
  const data = [...found].filter(([table, digest]) => digest === null || digest !== baseline.get(table))
  if (data.length > 0) throw holdsData(shown, data)
}

/** A target migrated by a newer version of Newsdesk: its schema is not the one this version copies into. */
async function refuseNewerMigrations(target: Query, shown: string): Promise<void> {
  const applied = await target<{ name: string }>('SELECT migration_name AS name FROM _prisma_migrations')
  const known = new Set((await loadMigrationsList()).migrationDirectories.map((m) => m.path))
  const unknown = applied.map((r) => r.name).filter((name) => !known.has(name))
  if (unknown.length > 0) {
    throw new ExportError(
      `${shown} has migrations this version of Newsdesk does not know (${unknown.join(', ')}): ${usage}`,
    )
  }
}

function holdsData(shown: string, tables: [string, unknown][]): ExportError {
  return new ExportError(
    `${shown} holds data (in ${tables.map(([table]) => table).join(', ')}); db:export-to never merges nor overwrites: ${usage}`,
  )
}

/**
 * The copy itself, in one transaction on the target. `migrated`: the rows the target held just
 * after its migrations (the migrations' own, checked in refuseData), which the source's replace.
 */
async function copy(source: Query, target: Query, migrated: Map<string, string | null>, options: ExportOptions) {
  const tables = await listTables(source)
  const byName = new Map(tables.map((t) => [t.name, t]))
  const { order, deferred } = copyOrder(
    tables.map((t) => t.name),
    (await listForeignKeys(target)).filter((k) => byName.has(k.table) && byName.has(k.references)),
  )
  const sequences = await readSequences(source)
  const copied: { name: string; rows: number }[] = []
  let current: string | undefined
  await target('BEGIN')
  try {
    // No other session writes while the copy runs; reads go on.
    await target(`LOCK TABLE ${tableList(order)} IN EXCLUSIVE MODE`)
    if (!sameRows(await tablesWithRows(target), migrated)) {
      throw new ExportError(
        'another session wrote into the target database while the export began; use a database no one else uses',
      )
    }
    // Triggers would derive again what the copy brings (lists, month figures, search vectors) or
    // notify listeners of content changes: the copy is the data as it was. Foreign keys are not
    // triggers of this kind and stay checked.
    for (const table of order) await target(`ALTER TABLE ${qualified(table)} DISABLE TRIGGER USER`)
    for (const key of deferred) await target(`ALTER TABLE ${qualified(key.table)} DROP CONSTRAINT ${ident(key.name)}`)
    for (const table of [...order].reverse()) {
      if (migrated.has(table)) await target(`DELETE FROM ${qualified(table)}`)
    }
    for (const name of order) {
      current = name
      const rows = await copyRows(source, target, byName.get(name) as (typeof tables)[number])
      copied.push({ name, rows })
      options.onTable?.(name, rows)
    }
    current = undefined
    for (const key of deferred) {
      await target(`ALTER TABLE ${qualified(key.table)} ADD CONSTRAINT ${ident(key.name)} ${key.definition}`)
    }
    for (const table of order) await target(`ALTER TABLE ${qualified(table)} ENABLE TRIGGER USER`)
    // Sequences last: setval is not undone by a rollback, and nothing can fail after it but the commit.
    for (const sequence of sequences) await setSequence(target, sequence)
    await target('COMMIT')
  } catch (err) {
    await target('ROLLBACK').catch(() => {})
    if (err instanceof ExportError) throw err
    const where = current ? ` at table ${current}` : ''
    throw new ExportError(
      `the copy failed${where} and was rolled back, so the target holds no copied data (only the migrated schema): ${(err as Error).message}`,
    )
  }
  return { tables: copied, rows: copied.reduce((sum, t) => sum + t.rows, 0), sequences: sequences.length }
}

function sameRows(a: Map<string, string | null>, b: Map<string, string | null>): boolean {
  return a.size === b.size && [...a].every(([table, digest]) => digest !== null && b.get(table) === digest)
}
