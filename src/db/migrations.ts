// Applies and creates migrations in the standard prisma/migrations format, through Prisma's
// WebAssembly schema engine, so `prisma migrate deploy` stays compatible with the history.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { createPGlite } from './database.js'
import { migrationsDir as defaultMigrationsDir, schemaPath as defaultSchemaPath } from './paths.js'
import { noFilters, openSchemaEngine, type SchemaFile } from './schema-engine.js'

export interface MigrationOptions {
  migrationsDir?: string
  schemaPath?: string
  log?: (message: string) => void
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration?: string,
  ) {
    super(message)
    this.name = 'MigrationError'
  }
}

const lockfileName = 'migration_lock.toml'

export async function loadMigrationsList(dir = defaultMigrationsDir): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: await readFile(join(dir, name, 'migration.sql'), 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (err: Error) => ({ tag: 'error' as const, value: err.message }),
        ),
      },
    })),
  )
  const lockContent = await readFile(join(dir, lockfileName), 'utf8').catch(() => null)
  return {
    baseDir: dir,
    lockfile: { path: lockfileName, content: lockContent },
    migrationDirectories,
    shadowDbInitScript: '',
  }
}

// The driver adapters run migration scripts wrongly: pglite-prisma-adapter (0.7.2) does not await
// PGlite's exec, so a failing migration was recorded as applied and its error went unhandled;
// @prisma/adapter-pg (7.10) splits the script on ';' and runs each piece on any pooled connection,
// so a failure left the statements before it applied. The schema engine gets adapters that send
// the whole script in one simple query, which PostgreSQL runs as one implicit transaction.
function wholeScripts(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  // The method of the adapter's client (a PGlite instance, a pg.Pool) that runs a script as one query.
  const method = factory instanceof PrismaPGlite ? 'exec' : factory instanceof PrismaPg ? 'query' : undefined
  if (!method) return factory
  const fix = (adapter: SqlDriverAdapter) => {
    const a = adapter as SqlDriverAdapter & {
      client: Record<typeof method, (script: string) => Promise<unknown>>
      onError(err: unknown): never
    }
    a.executeScript = async (script) => {
      try {
        await a.client[method](script)
      } catch (err) {
        a.onError(err)
      }
    }
    return adapter
  }
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => fix(await factory.connect()),
    connectToShadowDb: async () => fix(await factory.connectToShadowDb()),
  }
}

async function readSchema(path: string): Promise<SchemaFile> {
  return { path, content: await readFile(path, 'utf8') }
}

/** Runs `work` with a schema engine on the database, and frees the engine afterwards. */
async function withEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  options: MigrationOptions,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const schema = await readSchema(options.schemaPath ?? defaultSchemaPath)
  const engine = await openSchemaEngine(wholeScripts(adapterFactory), schema, options.log)
  try {
    return await work(engine)
  } finally {
    engine.free()
  }
}

// The engine reports failures as JSON or as text followed by a Rust span trace; keep the
// sentences a person needs ("No such table: nope"), on one line.
export function engineMessage(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err)
  try {
    text = (JSON.parse(text) as { message?: string }).message ?? text
  } catch {
    // not JSON
  }
  const lines = text.split('\n')
  const trace = lines.findIndex((line) => /^\s*\d+: /.test(line))
  return (trace >= 0 ? lines.slice(0, trace) : lines)
    .map((l) => l.trim())
    .filter((l) => l && l !== 'external connector error')
    .join(' ')
}

/**
 * Applies every pending migration. Returns the names applied now (empty when up to date).
 * PostgreSQL runs each migration script as one implicit transaction, so a failing migration
 * leaves no partial changes; it is then marked rolled back so that, once fixed, it can run again.
 */
export async function applyMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  options: MigrationOptions = {},
): Promise<string[]> {
  const migrationsList = await loadMigrationsList(options.migrationsDir)
  if (await upToDate(adapterFactory, migrationsList)) return []
  const diagnose = (engine: SchemaEngine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: noFilters })
  return withEngine(adapterFactory, options, async (engine) => {
    // A migration left failed by an earlier run blocks every later one; it changed nothing
    // (see above), so clear the mark and let it run again.
    for (const name of (await diagnose(engine)).failedMigrationNames) {
      await engine.markMigrationRolledBack({ migrationName: name })
    }
    try {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: noFilters })
      return appliedMigrationNames
    } catch (err) {
      const failed = (await diagnose(engine).catch(() => undefined))?.failedMigrationNames[0]
      if (failed) await engine.markMigrationRolledBack({ migrationName: failed }).catch(() => undefined)
      throw new MigrationError(
        failed
          ? `Migration ${failed} failed and was rolled back: ${engineMessage(err)}`
          : `Migrations failed: ${engineMessage(err)}`,
        failed,
      )
    }
  })
}

/**
 * True when the history table shows every migration on disk applied and none failed: the
 * common case at start-up, answered by one query instead of loading the schema engine (~0.35 s).
 * Anything else (no table yet, a failed or pending migration) goes to the engine.
 */
async function upToDate(adapterFactory: SqlMigrationAwareDriverAdapterFactory, list: MigrationList): Promise<boolean> {
  const adapter = await adapterFactory.connect()
  try {
    const result = await adapter.queryRaw({
      sql: `SELECT migration_name, finished_at IS NOT NULL AND rolled_back_at IS NULL AS applied
        FROM _prisma_migrations WHERE rolled_back_at IS NULL`,
      args: [],
      argTypes: [],
    })
    const applied = new Set<string>()
    for (const [name, ok] of result.rows) {
      if (ok !== true) return false
      applied.add(String(name))
    }
    return list.migrationDirectories.every((m) => applied.has(m.path))
  } catch {
    return false
  } finally {
    await adapter.dispose().catch(() => undefined)
  }
}

/** Names of migrations present on disk but not yet applied to the database. */
export async function pendingMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  options: MigrationOptions = {},
): Promise<string[]> {
  const migrationsList = await loadMigrationsList(options.migrationsDir)
  return withEngine(adapterFactory, options, async (engine) => {
    const { history } = await engine.diagnoseMigrationHistory({
      migrationsList,
      optInToShadowDatabase: false,
      filters: noFilters,
    })
    return history?.diagnostic === 'databaseIsBehind' ? history.unappliedMigrationNames : []
  })
}

function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

/**
 * Creates the next migration from the difference between the migration history and the schema,
 * as `prisma migrate dev --create-only` does: the history is replayed on a scratch in-memory
 * database, which the engine then compares with prisma/schema.prisma.
 * Returns the new migration's folder name, or null when the schema has no changes.
 */
export async function createMigration(
  name: string,
  options: MigrationOptions & { now?: Date } = {},
): Promise<string | null> {
  if (!/^[a-z0-9_]{1,80}$/.test(name)) {
    throw new MigrationError('A migration name uses lower-case letters, digits and underscores only')
  }
  const dir = options.migrationsDir ?? defaultMigrationsDir
  const schema = await readSchema(options.schemaPath ?? defaultSchemaPath)
  const scratch = createPGlite('memory://')
  try {
    const adapter = new PrismaPGlite(scratch)
    await applyMigrations(adapter, options)
    return await withEngine(adapter, options, async (engine) => {
      const result = await engine.diff({
        from: { tag: 'schemaDatasource', files: [schema], configDir: dir },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters: noFilters,
      })
      const sql = (result.stdout ?? '').trim()
      if (sql === '' || sql === '-- This is an empty migration.') return null
      const folder = `${timestamp(options.now ?? new Date())}_${name}`
      await mkdir(join(dir, folder), { recursive: true })
      await writeFile(join(dir, folder, 'migration.sql'), `${sql}\n`)
      await writeFile(
        join(dir, lockfileName),
        '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
      )
      return folder
    })
  } finally {
    await scratch.close()
  }
}

/** Drops every table, type and migration record the schema engine manages. */
export async function resetDatabase(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  options: MigrationOptions = {},
): Promise<void> {
  await withEngine(adapterFactory, options, (engine) => engine.reset({ filter: noFilters }))
}
