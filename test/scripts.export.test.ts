// npm run db:export-to as the operator runs it: an embedded folder with content written through
// the API (articles, revisions, keys, audit, a media record, a webhook, the change feed) is copied
// into a new PostgreSQL database, and every table of the two compares equal, row for row. On the
// server, a key made on the embedded side signs in, new rows get fresh ids, and the copy added no
// change-feed rows. The refusals of the command line itself and of a folder in use are here; the
// rest (and a copy failing part way): test/db/export.test.ts.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/database.js'
import { applyMigrations } from '../src/db/migrations.js'
import { seed } from '../src/seed/seed.js'
import { serverUrl } from './db-url.js'
import { createKey, json } from './helper.js'
import { uploaded } from './modules/media.helpers.js'
import { resolveHost } from './modules/webhooks.helpers.js'
import { allTables, digest, emptyServerDatabase, type Query, runScript } from './scripts.helpers.js'

const env = { RATE_LIMIT_ANONYMOUS_MAX: '1000000', RATE_LIMIT_MAX: '1000000', LOG_LEVEL: 'silent' }

test('db:export-to: an embedded installation moves to a PostgreSQL server', { skip: !serverUrl }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'newsdesk-export-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  const dataDir = join(root, 'pglite')
  const config = loadConfig({ ...env, DATA_DIR: dataDir, MEDIA_DIR: join(root, 'media') })

  // The source: the example content, then writes of every kind through the API.
  const source = await openDatabase(config.database)
  await applyMigrations(source.adapterFactory)
  await seed(source.prisma)
  const app = await buildApp({ config, db: source, resolveHost })
  await app.ready()
  const admin = await createKey(source, ['content:write', 'keys:manage', 'webhooks:manage'])
  const call = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
    const res = await app.inject({ method, url, headers: admin.headers, payload })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return json(res)
  }
  const article = await call('POST', '/v1/articles', {
    headline: 'Exported',
    body: 'Moved to a server.',
    source: 'panarmenian-net',
    credits: [{ source: 'associated-press' }],
    tags: ['iraq', 'syria'],
    bylines: ['A. Writer'],
  })
  await call('PATCH', `/v1/articles/${article.id}`, { headline: 'Exported, edited' })
  await call('POST', `/v1/articles/${article.id}/publish`, {})
  const desk = await call('POST', '/v1/keys', { name: 'Desk', scopes: ['content:write'] })
  await uploaded(app, admin.headers)
  await call('POST', '/v1/webhooks', { url: 'https://hooks.example.com/newsdesk', events: ['article.published'] })
  await app.close()
  await source.close()

  const embedded = async <T>(work: (query: Query) => Promise<T>) => {
    const opened = await openDatabase(config.database)
    try {
      await opened.prisma.$executeRawUnsafe("SET TimeZone TO 'UTC'")
      return await work((sql) => opened.prisma.$queryRawUnsafe(sql))
    } finally {
      await opened.close()
    }
  }
  const { tables, before } = await embedded(async (query) => {
    const tables = await allTables(query)
    return { tables, before: await digest(query, tables) }
  })
  const { url, client } = await emptyServerDatabase(t, 'cli')
  const server: Query = async (sql) => (await client.query(sql)).rows

  const exportTo = (...args: string[]) => runScript(['export-to', ...args], { DATA_DIR: dataDir })
  const refused = (res: ReturnType<typeof runScript>, message: RegExp, what: string) => {
    t.equal(res.code, 1, `${what}: exit code 1`)
    t.match(res.err, message, what)
    t.notMatch(res.err, /\n/, `${what}: one line, no stack`)
  }
  refused(exportTo(), /^Usage: npm run db:export-to -- postgres:\/\/user:password@host:5432\/database/, 'no URL')
  const mysql = 'mysql://root@localhost/newsdesk' // path-check: not a file path
  refused(exportTo(mysql), /^the target is not a PostgreSQL URL/, 'another URL')
  refused(exportTo(url, '--force'), /^db:export-to has no --force/, '--force')
  const holder = await openDatabase(config.database)
  const busy = exportTo(url)
  await holder.close()
  refused(busy, /^The embedded database .* is open in process \d+/, 'a folder a process has open')
  t.same(await allTables(server), [], 'the refusals left the target empty')

  const done = exportTo(url)
  t.equal(done.code, 0, done.err)
  t.match(done.out, /^api_keys: 2 rows$/m, 'progress per table')
  t.match(done.out, /^ {2}articles: 6 rows$/m)
  t.match(
    done.out,
    new RegExp(
      `exported embedded database ${dataDir} to ${url.replace(/[.?]/g, '\\$&')}: \\d+ rows in ${tables.length} tables`,
    ),
  )
  t.match(done.out, /next: start the server with DATABASE_URL set to that URL/)

  const after = await digest(server, tables)
  t.same(after, before, 'every table holds what the embedded database holds')
  t.equal(after.change_events, before.change_events, 'the copy wrote no change event')
  for (const table of [
    'articles',
    'tags',
    'collections',
    'teasers',
    'api_keys',
    'audit_entries',
    'article_revisions',
    'media',
    'webhooks',
    'change_events',
  ]) {
    t.ok(Number(String(after[table]).split(':')[0]) > 0, `${table} has rows`)
  }
  t.same(await embedded((query) => digest(query, tables)), before, 'the embedded database is left as it was')

  // An app on the server: keys made on the embedded side sign in, and new rows get fresh ids.
  const events = async () =>
    (await server('SELECT count(*)::int AS n, max(id)::int AS last FROM change_events'))[0] as {
      n: number
      last: number
    }
  const copied = await events()
  const serverDb = await openDatabase({ kind: 'server', url, poolMax: 2 })
  const serverApp = await buildApp({ config: loadConfig({ ...env, DATABASE_URL: url }), db: serverDb, resolveHost })
  t.teardown(async () => {
    await serverApp.close()
    await serverDb.close()
  })
  await serverApp.ready()
  const edited = await serverApp.inject({
    method: 'PATCH',
    url: `/v1/articles/${article.id}`,
    headers: { authorization: `Bearer ${desk.secret}` },
    payload: { headline: 'Edited on the server' },
  })
  t.equal(edited.statusCode, 200, 'a key created on the embedded side works on the server')
  t.equal(json(edited).version, 4, 'the revision history continues')
  t.equal(
    (await serverApp.inject({ url: '/v1/keys', headers: admin.headers })).statusCode,
    200,
    'and so does the admin key',
  )
  const now = await events()
  t.equal(now.n, copied.n + 1, 'the edit wrote one change event')
  t.equal(now.last, copied.last + 1, 'with the next id after the copied ones')
})
