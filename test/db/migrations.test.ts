import { randomBytes } from 'node:crypto'
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import t, { type Test } from 'tap'
import { type Database, openDatabase } from '../../src/db/database.js'
import { applyMigrations, createMigration, MigrationError, pendingMigrations } from '../../src/db/migrations.js'
import { schemaPath, migrationsDir as shippedDir } from '../../src/db/paths.js'
import { serverUrl, withDatabase } from '../db-url.js'

/** A new, empty (unmigrated) database: on the test server, or in-memory PGlite. */
async function freshDatabase(t: Test): Promise<Database> {
  if (!serverUrl) {
    const db = await openDatabase({ kind: 'embedded', dataDir: 'memory://' })
    t.teardown(() => db.close())
    return db
  }
  const name = `newsdesk_migrations_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0`)
  } finally {
    await admin.end()
  }
  const db = await openDatabase({ kind: 'server', url: withDatabase(serverUrl, name), poolMax: 2 })
  t.teardown(async () => {
    await db.close()
    const cleanup = new pg.Client({ connectionString: serverUrl })
    await cleanup.connect()
    try {
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    } finally {
      await cleanup.end()
    }
  })
  return db
}

async function tableExists(db: Database, table: string): Promise<boolean> {
  const rows = await db.prisma.$queryRawUnsafe<{ name: string | null }[]>('SELECT to_regclass($1)::text AS name', table)
  return rows[0]?.name != null
}

/** A temporary folder (t.testdir: once per test) with a copy of prisma/migrations and the given files. */
async function scratchFolder(t: Test, files: Record<string, string> = {}) {
  const dir = t.testdir(files)
  const migrationsDir = join(dir, 'migrations')
  await cp(shippedDir, migrationsDir, { recursive: true })
  return { dir, migrationsDir }
}

const shippedMigrations = (await readdir(shippedDir, { withFileTypes: true }))
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()

t.test('applying migrations to a database', async (t) => {
  t.ok(shippedMigrations.length > 0, 'prisma/migrations holds migrations')
  const db = await freshDatabase(t)

  t.test('a fresh database gets every migration', async (t) => {
    t.same(await pendingMigrations(db.adapterFactory), shippedMigrations, 'all are pending before')
    t.notOk(await tableExists(db, 'sources'), 'no tables before')
    t.same(await applyMigrations(db.adapterFactory), shippedMigrations, 'applies every folder, in order')
    t.same(await pendingMigrations(db.adapterFactory), [], 'none pending after')
    for (const table of ['sources', 'articles', 'article_credits', 'tags', 'article_tags', 'collections', 'teasers']) {
      t.ok(await tableExists(db, table), `table ${table} exists`)
    }
    t.same(await applyMigrations(db.adapterFactory), [], 'a second run applies nothing')
  })

  t.test('a failing migration is rolled back and can run again once fixed', async (t) => {
    const { migrationsDir } = await scratchFolder(t)
    const broken = '99990101000000_broken'
    const script = join(migrationsDir, broken, 'migration.sql')
    await mkdir(join(migrationsDir, broken))
    await writeFile(script, 'CREATE TABLE broken_ok (id int);\nSELECT * FROM table_that_does_not_exist;\n')

    t.same(await pendingMigrations(db.adapterFactory, { migrationsDir }), [broken])
    const error = await applyMigrations(db.adapterFactory, { migrationsDir }).then(
      () => undefined,
      (err: unknown) => err,
    )
    t.type(error, MigrationError, 'rejects with a MigrationError')
    if (error instanceof MigrationError) {
      t.equal(error.migration, broken, '.migration names the failed migration')
      t.match(error.message, broken, 'the message names it')
      t.match(error.message, /table_that_does_not_exist/, 'and says what went wrong')
      t.notOk(error.message.includes('\n'), 'on one line, without the engine trace')
    }

    t.same(await db.prisma.source.findMany(), [], 'the database is still usable')
    t.notOk(await tableExists(db, 'broken_ok'), 'the failed script left no changes')

    // Failing again reports the same migration (the earlier failure does not block it).
    await t.rejects(applyMigrations(db.adapterFactory, { migrationsDir }), {
      name: 'MigrationError',
      migration: broken,
    })
    t.notOk(await tableExists(db, 'broken_ok'))

    await writeFile(script, 'CREATE TABLE broken_ok (id int);\n')
    t.same(await applyMigrations(db.adapterFactory, { migrationsDir }), [broken], 'the fixed migration is applied')
    t.ok(await tableExists(db, 'broken_ok'), 'and has its effect')
    t.same(await pendingMigrations(db.adapterFactory, { migrationsDir }), [])
    t.same(await applyMigrations(db.adapterFactory, { migrationsDir }), [])
  })
})

t.test('creating a migration', async (t) => {
  t.test('no schema changes: no migration', async (t) => {
    const { migrationsDir } = await scratchFolder(t)
    t.equal(await createMigration('nothing', { migrationsDir }), null)
    t.same((await readdir(migrationsDir)).sort(), (await readdir(shippedDir)).sort(), 'no folder was added')
  })

  t.test('a schema change becomes the next migration', async (t) => {
    const schema = await readFile(schemaPath, 'utf8')
    t.match(schema, 'model Tag {\n')
    const { dir, migrationsDir } = await scratchFolder(t, {
      'schema.prisma': schema.replace('model Tag {\n', 'model Tag {\n  note String?\n'),
    })
    const changedSchema = join(dir, 'schema.prisma')

    const now = new Date('2030-01-02T03:04:05.678Z')
    const folder = await createMigration('add_note', { migrationsDir, schemaPath: changedSchema, now })
    t.equal(folder, '20300102030405_add_note')
    t.match(folder, /^\d{14}_add_note$/)
    const sql = await readFile(join(migrationsDir, folder as string, 'migration.sql'), 'utf8')
    t.match(sql, /ALTER TABLE "tags" ADD COLUMN\s+"note" TEXT/, 'the migration adds the column')
    t.notMatch(sql, 'CREATE TABLE', 'and only that')
    t.match(await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8'), 'provider = "postgresql"')

    // With the new migration on disk the schema and history agree again.
    t.equal(await createMigration('again', { migrationsDir, schemaPath: changedSchema, now }), null)
  })

  t.test('an invalid name is refused', async (t) => {
    for (const name of ['Bad Name', '', 'add-note', 'x'.repeat(81)]) {
      await t.rejects(createMigration(name, { migrationsDir: '/nonexistent' }), MigrationError, JSON.stringify(name))
    }
  })
})
