// npm run db:backup / db:restore: a round trip (back up, change, restore: the content is what it
// was) on embedded PGlite and on a PostgreSQL server, and every refusal: an existing file without
// --force, a database holding data without --force, a folder a process has open, a file that is
// not a backup, PostgreSQL's client tools missing.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { test } from 'tap'
import { openDatabase } from '../src/db/database.js'
import { serverUrl, withDatabase } from './db-url.js'
import { digest, type Query, runScript } from './scripts.helpers.js'

const db = runScript

// A change of every kind: a row added, one altered, one deleted.
const change = [
  `INSERT INTO sources (id, slug, name, name_key, kind, created_at, updated_at) VALUES (gen_random_uuid(), 'after-backup', 'After', 'after', 'agency', now(), now())`,
  `UPDATE articles SET headline = headline || ' (edited)' WHERE slug = (SELECT slug FROM articles ORDER BY slug LIMIT 1)`,
  'DELETE FROM teasers WHERE id = (SELECT id FROM teasers ORDER BY id LIMIT 1)',
]

test('embedded: back up, change, restore', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'newsdesk-backup-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  const dataDir = join(root, 'pglite')
  const env = { DATA_DIR: dataDir }
  const file = join(root, 'newsdesk.tar.gz')
  t.equal(db(['migrate'], env).code, 0)
  t.equal(db(['seed'], env).code, 0)
  t.equal(db(['create', '--name', 'Editor', '--scopes', 'content:write'], env, 'scripts/keys.ts').code, 0)
  t.equal(db(['backup', file], { DATA_DIR: join(root, 'none') }).code, 1, 'a folder without a database')
  t.match(db(['backup'], env).err, /Usage: npm run db:backup -- <file>/)

  const withDb = async <T>(work: (query: Query) => Promise<T>) => {
    const opened = await openDatabase({ kind: 'embedded', dataDir })
    try {
      return await work((sql) => opened.prisma.$queryRawUnsafe(sql))
    } finally {
      await opened.close()
    }
  }
  const before = await withDb(digest)

  const backup = db(['backup', file], env)
  t.equal(backup.code, 0, backup.err)
  t.match(backup.out, /^backed up embedded database .* into .*newsdesk\.tar\.gz \(\d+ bytes\)$/)
  const again = db(['backup', file], env)
  t.equal(again.code, 1)
  t.match(again.err, /exists; run db:backup with --force/)
  t.equal(db(['backup', file, '--force'], env).code, 0, '--force overwrites')

  await withDb(async (query) => {
    for (const sql of change) await query(sql)
  })
  const changed = await withDb(digest)
  t.not(JSON.stringify(changed), JSON.stringify(before), 'the change shows in the digest')

  const refused = db(['restore', file], env)
  t.equal(refused.code, 1)
  t.match(refused.err, /holds a database; run db:restore with --force/)

  // A process holding the folder: neither command touches it.
  const holder = await openDatabase({ kind: 'embedded', dataDir })
  const busyRestore = db(['restore', file, '--force'], env)
  const busyBackup = db(['backup', join(root, 'other.tar.gz')], env)
  await holder.close()
  t.equal(busyRestore.code, 1)
  t.match(busyRestore.err, /is open in process/)
  t.equal(busyBackup.code, 1)
  t.match(busyBackup.err, /is open in process/)
  t.notOk(existsSync(join(root, 'other.tar.gz')), 'no partial backup is left')

  const notBackup = join(root, 'not-a-backup.tar.gz')
  await writeFile(notBackup, 'SELECT 1;\n')
  t.match(db(['restore', notBackup, '--force'], env).err, /is not a backup of an embedded database/)
  t.match(db(['restore', join(root, 'missing.tar.gz'), '--force'], env).err, /does not exist/)
  t.same(await withDb(digest), changed, 'refused restores changed nothing')

  const restored = db(['restore', file, '--force'], env)
  t.equal(restored.code, 0, restored.err)
  t.same(await withDb(digest), before, 'the content is what it was when backed up')
  t.match(db(['migrate'], env).out, /is up to date$/, 'the restored database is migrated')

  // Restoring into a folder that does not exist yet (a new machine) needs no --force.
  const fresh = { DATA_DIR: join(root, 'new-machine') }
  t.equal(db(['restore', file], fresh).code, 0)
  const opened = await openDatabase({ kind: 'embedded', dataDir: join(root, 'new-machine') })
  t.same(await digest((sql) => opened.prisma.$queryRawUnsafe(sql)), before)
  await opened.close()

  t.match(db(['backup', file, '--force'], { DATA_DIR: 'memory://' }).err, /in-memory database/)
})

test('PostgreSQL server: back up with pg_dump, change, restore with pg_restore', { skip: !serverUrl }, async (t) => {
  const url = withDatabase(serverUrl as string, `newsdesk_backup_${process.pid}`)
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl as string, 'postgres') })
  await admin.connect()
  const name = new URL(url).pathname.slice(1)
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${name}`)
  t.teardown(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  })
  const root = await mkdtemp(join(tmpdir(), 'newsdesk-backup-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  const env = { DATABASE_URL: url }
  const file = join(root, 'newsdesk.dump')
  t.equal(db(['migrate'], env).code, 0)
  t.equal(db(['seed'], env).code, 0)
  t.equal(db(['create', '--name', 'Editor', '--scopes', 'content:write'], env, 'scripts/keys.ts').code, 0)
  const query: Query = async (sql) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query(sql)).rows
    } finally {
      await client.end()
    }
  }
  const before = await digest(query)

  const backup = db(['backup', file], env)
  t.equal(backup.code, 0, backup.err)
  t.match(backup.out, /^backed up the PostgreSQL server into .*newsdesk\.dump \(\d+ bytes\)$/)
  for (const sql of change) await query(sql)
  const changed = await digest(query)
  t.not(JSON.stringify(changed), JSON.stringify(before))

  t.match(db(['restore', file], env).err, /holds tables; run db:restore with --force/)
  const bad = join(root, 'bad.dump')
  await writeFile(bad, 'not a dump')
  const failed = db(['restore', bad, '--force'], env)
  t.equal(failed.code, 1)
  t.match(failed.err, /pg_restore failed/)
  t.same(await digest(query), changed, 'a failed restore changed nothing')

  const restored = db(['restore', file, '--force'], env)
  t.equal(restored.code, 0, restored.err)
  t.same(await digest(query), before, 'the content is what it was when backed up')
  t.match(db(['migrate'], env).out, /is up to date$/)

  // Without PostgreSQL's client tools on PATH: a clear message, no file.
  const noTools = join(root, 'bin')
  await mkdir(noTools)
  const missing = db(['backup', join(root, 'x.dump')], { ...env, PATH: noTools })
  t.equal(missing.code, 1)
  t.match(missing.err, /pg_dump was not found: .*client tools/)
  t.notOk(existsSync(join(root, 'x.dump')))
})
