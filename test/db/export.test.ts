// The export to a PostgreSQL server (src/db/export.ts) in this process: the copy order from the
// foreign keys, every refusal (the target left as it was), a copy failing part way (no copied row
// left), and a copy of tables of every kind a later migration could add. The command as a process,
// on content written through the API: test/scripts.export.test.ts.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'tap'
import { DataDirInUseError } from '../../src/db/data-dir-lock.js'
import { openDatabase } from '../../src/db/database.js'
import { copyOrder, type ForeignKey } from '../../src/db/export.catalog.js'
import { ExportError, exportToServer } from '../../src/db/export.js'
import { applyMigrations } from '../../src/db/migrations.js'
import { seed } from '../../src/seed/seed.js'
import { serverUrl } from '../db-url.js'
import { allTables, digest, emptyServerDatabase, type Query } from '../scripts.helpers.js'

const key = (table: string, references: string): ForeignKey => ({
  name: `${table}_${references}_fkey`,
  table,
  references,
  definition: '',
})

test('copy order: a table after those it references; keys no order satisfies are deferred', async (t) => {
  t.same(copyOrder(['b', 'a', 'c'], [key('a', 'b'), key('c', 'a'), key('b', 'elsewhere')]), {
    order: ['b', 'a', 'c'],
    deferred: [],
  })
  t.same(copyOrder(['sections', 'articles'], [key('sections', 'sections'), key('articles', 'sections')]), {
    order: ['sections', 'articles'],
    deferred: [key('sections', 'sections')],
  })
  const cycle = copyOrder(['x', 'y', 'z'], [key('x', 'y'), key('y', 'x'), key('z', 'x')])
  t.same(cycle, { order: ['x', 'y', 'z'], deferred: [key('x', 'y')] }, 'a cycle is broken at its first table')
})

// Tables a later migration could add, of the kinds the copy must handle whatever they hold: every
// column type in its exact form, a generated column, an identity column, a reference to a row
// inserted after it (a self-reference), more rows than one page, and no primary key at all.
const extraTables = [
  `CREATE TABLE zz_types (
    id int PRIMARY KEY, parent int REFERENCES zz_types(id), data bytea, doc jsonb, raw json, words text[],
    at timestamptz(6), day date, f float8, n numeric, doubled int GENERATED ALWAYS AS (id * 2) STORED,
    serial bigint GENERATED ALWAYS AS IDENTITY)`,
  'CREATE TABLE zz_no_key (v text, w int)',
]
const extraRows = [
  `INSERT INTO zz_types (id, parent, data, doc, raw, words, at, day, f, n)
    SELECT i, CASE WHEN i < 2500 THEN i + 1 END, decode(md5(i::text), 'hex') || '\\x00ff'::bytea,
      jsonb_build_object('i', i, 'nested', jsonb_build_array(1.5, 'two', null)), '{"b": 1,  "a": [ 2 ]}',
      ARRAY['a', 'b "c"', NULL, 'd,e'], '2026-11-30 12:34:56.123456+00'::timestamptz + i * interval '1 second',
      DATE '2026-01-01' + i, CASE WHEN i % 3 = 0 THEN 'NaN'::float8 ELSE 1.0 / i END, 12345678901234567890.123 / i
    FROM generate_series(1, 2500) i`,
  "INSERT INTO zz_no_key VALUES ('x', 1), ('x', 1), (NULL, NULL)",
]

test('refusals, a copy failing part way, and tables of every kind', { skip: !serverUrl }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'newsdesk-export-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  const config = { kind: 'embedded', dataDir: join(root, 'pglite') } as const
  const embedded = async <T>(work: (query: Query) => Promise<T>) => {
    const opened = await openDatabase(config)
    try {
      await opened.prisma.$executeRawUnsafe("SET TimeZone TO 'UTC'")
      return await work((sql) => opened.prisma.$queryRawUnsafe(sql))
    } finally {
      await opened.close()
    }
  }
  const source = await openDatabase(config)
  await applyMigrations(source.adapterFactory)
  await seed(source.prisma)
  for (const sql of [...extraTables, ...extraRows]) await source.prisma.$executeRawUnsafe(sql)
  await source.close()

  const { url, client } = await emptyServerDatabase(t, 'unit')
  const server: Query = async (sql) => (await client.query(sql)).rows
  const refuses = (promise: Promise<unknown>, message: RegExp, what: string) =>
    t.rejects(promise, message, what).then(() => promise.catch((err) => t.type(err, ExportError)))

  for (const bad of ['', 'newsdesk', 'http://db.example/newsdesk', 'postgres://']) {
    await refuses(exportToServer(config, bad), /is not a PostgreSQL URL: give the URL of an empty database/, bad)
  }
  // A URL that does not parse is not echoed: it may hold a password.
  const unparsed = exportToServer(config, 'postgres://newsdesk:s3cr#t@db:5432/nd')
  await refuses(unparsed, /^the target is not a PostgreSQL URL/, 'a password with an unescaped #')
  t.notMatch(String(await unparsed.catch((e) => e)), /s3cr/, 'the password of a URL that does not parse is not shown')
  const socket = await exportToServer(config, 'postgres:///newsdesk?host=/nonexistent&password=hunter3').catch((e) => e)
  t.match(String(socket), /password=\*\*\*/, 'a password parameter is masked')
  t.notMatch(String(socket), /hunter3/, 'a password parameter is not shown')
  const newer = await emptyServerDatabase(t, 'newer')
  await newer.client.query(`CREATE TABLE _prisma_migrations (id text PRIMARY KEY, migration_name text NOT NULL)`)
  await newer.client.query(`INSERT INTO _prisma_migrations VALUES ('x', '29990101000000_future')`)
  await refuses(
    exportToServer(config, newer.url),
    /has migrations this version of Newsdesk does not know \(29990101000000_future\)/,
    'a target migrated by a newer version',
  )
  await refuses(exportToServer({ kind: 'server', url, poolMax: 1 }, url), /DATABASE_URL is set/, 'a server configured')
  await refuses(exportToServer({ kind: 'embedded', dataDir: 'memory://' }, url), /in-memory/, 'memory://')
  await refuses(
    exportToServer({ kind: 'embedded', dataDir: join(root, 'none') }, url),
    /holds no embedded database/,
    'no database',
  )
  await refuses(
    exportToServer(config, 'postgres://postgres@127.0.0.1:1/newsdesk'),
    /^cannot connect to postgres:\/\/postgres@127\.0\.0\.1:1\/newsdesk: .*ECONNREFUSED/,
    'an unreachable server',
  )
  await refuses(
    exportToServer(config, 'postgres:///newsdesk?host=/nonexistent'),
    /^cannot connect to postgres:\/\/\/newsdesk\?host=\/nonexistent: /,
    'a Unix socket URL is a URL (here of no server)',
  )
  const missing = new URL(url)
  missing.password = 'hunter2'
  missing.pathname = '/nd_export_missing'
  const err = await exportToServer(config, missing.href).catch((e: Error) => e)
  t.match(err, {
    message: /database "nd_export_missing" does not exist; create it \(e\.g\. createdb nd_export_missing\)/,
  })
  t.match(err, { message: /:\*\*\*@/ })
  t.notMatch(String(err), /hunter2/, 'the password is not shown')

  const holder = await openDatabase(config)
  await t.rejects(exportToServer(config, url), DataDirInUseError, 'a folder a process has open')
  await holder.close()

  await embedded((query) =>
    query(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
      VALUES ('future', '0', '29990101000000_future', now(), now(), 1)`),
  )
  await refuses(
    exportToServer(config, url),
    /does not know \(29990101000000_future\): export it with the version/,
    'a newer database',
  )
  const last = await embedded(async (query) => {
    await query("DELETE FROM _prisma_migrations WHERE id = 'future'")
    const [row] = await query('SELECT max(migration_name) AS name FROM _prisma_migrations')
    await query(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${row?.name}'`)
    return String(row?.name)
  })
  await refuses(
    exportToServer(config, url),
    new RegExp(`lacks 1 migration\\(s\\) of this version \\(${last}\\): run npm run db:migrate first`),
    'an older database',
  )
  await embedded((query) =>
    query(`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = '${last}'`),
  )

  await client.query('CREATE TABLE other (x int)')
  await refuses(
    exportToServer(config, url),
    /holds tables \(other\) that Newsdesk's migrations did not make/,
    'tables of something else',
  )
  t.same(await allTables(server), ['other'], 'the target is not migrated')
  await client.query('DROP TABLE other')

  // From here the target is migrated (as by db:migrate) and unused: the export accepts it.
  const migrated = await openDatabase({ kind: 'server', url, poolMax: 1 })
  await applyMigrations(migrated.adapterFactory)
  await migrated.close()
  for (const sql of extraTables) await client.query(sql)
  const tables = await allTables(server)
  const unused = await digest(server, tables)

  await client.query(`INSERT INTO tags (id, slug, name, type, created_at, updated_at)
    VALUES (gen_random_uuid(), 'already-here', 'Already here', 'subject', now(), now())`)
  const holding = await digest(server, tables)
  await refuses(exportToServer(config, url), /holds data \(in tags\); db:export-to never merges nor overwrites/, 'data')
  t.same(await digest(server, tables), holding, 'a target holding data is left as it was')
  await client.query("DELETE FROM tags WHERE slug = 'already-here'")

  // A failure part way: the target rejects teasers, copied after most tables.
  await client.query('ALTER TABLE teasers ADD CONSTRAINT reject_teasers CHECK (false)')
  const copied: string[] = []
  await refuses(
    exportToServer(config, url, { onTable: (table) => copied.push(table) }),
    /^the copy failed at table teasers and was rolled back, so the target holds no copied data \(only the migrated schema\): .*reject_teasers/,
    'a copy failing part way',
  )
  t.ok(copied.includes('articles'), 'tables before it were copied, then rolled back')
  t.same(await digest(server, tables), unused, 'no copied row is left')
  const disabled = "SELECT count(*)::int AS n FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'"
  t.same(await server(disabled), [{ n: 0 }], 'every trigger is enabled')
  await client.query('ALTER TABLE teasers DROP CONSTRAINT reject_teasers')

  const result = await exportToServer(config, url)
  const before = await embedded((query) => digest(query, tables))
  const after = await digest(server, tables)
  t.same(after, before, 'every table holds what the embedded database holds')
  t.equal(after.zz_types, before.zz_types)
  t.equal(result.tables.find((table) => table.name === 'zz_types')?.rows, 2500, 'more rows than one page')
  t.equal(
    result.rows,
    result.tables.reduce((sum, table) => sum + table.rows, 0),
  )
  t.same(await server(disabled), [{ n: 0 }], 'every trigger is enabled again')
  t.same(
    await server("SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conname = 'zz_types_parent_fkey'"),
    [{ d: 'FOREIGN KEY (parent) REFERENCES zz_types(id)' }],
    'the self-reference is checked again',
  )
  t.same(
    await server('INSERT INTO zz_types (id) VALUES (9999) RETURNING serial::int'),
    [{ serial: 2501 }],
    'identity continues',
  )
  await refuses(
    exportToServer(config, url),
    /holds data \(in zz_types\)/,
    'a second export (a table of more rows than migrations write)',
  )
})
