// The benchmark database: its own database (never the one the app runs on), migrated, seeded with
// the example content and filled with synthetic articles once, then reused while it has that shape.
// Everything a run writes is made with the run's own API key and deleted through it afterwards.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { type Database, openDatabase } from '../src/db/database.js'
import { applyMigrations } from '../src/db/migrations.js'
import { projectRoot } from '../src/db/paths.js'
import { createKeysService } from '../src/modules/keys/keys.service.js'
import { loadSeedContent, seed } from '../src/seed/seed.js'
import { mulberry32, SYNTHETIC_WORDS, seedSyntheticArticles } from '../src/seed/synthetic.js'
import type { BenchOptions } from './options.js'

export type BenchDatabase =
  | { kind: 'server'; url: string }
  | { kind: 'embedded'; dataDir: string /** a temporary folder, removed after the run */; temporary: boolean }

/** Public articles only (what anonymous readers see), columns prefixed with `alias`. */
const isPublic = (alias = '') =>
  `${alias}deleted_at IS NULL AND ${alias}status IN ('published', 'scheduled') AND ${alias}published_at <= now()
    AND (${alias}embargoed_until IS NULL OR ${alias}embargoed_until <= now())`
const benchKeyPrefix = 'newsdesk-bench '

export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** The URL without its password, for reports. */
export function describeDatabase(db: BenchDatabase): string {
  if (db.kind === 'embedded') return `embedded PGlite in ${db.dataDir}`
  const u = new URL(db.url)
  u.password = ''
  return u.toString()
}

export async function resolveBenchDatabase(options: BenchOptions): Promise<BenchDatabase> {
  const name = options.smoke ? 'newsdesk_bench_smoke' : 'newsdesk_bench'
  const url = options.benchDatabaseUrl ?? (options.databaseUrl ? withDatabase(options.databaseUrl, name) : undefined)
  if (url) {
    await ensureServerDatabase(url)
    return { kind: 'server', url }
  }
  if (options.smoke) {
    return { kind: 'embedded', dataDir: await mkdtemp(join(tmpdir(), 'newsdesk-bench-smoke-')), temporary: true }
  }
  return { kind: 'embedded', dataDir: join(projectRoot, '.data', 'bench-pglite'), temporary: false }
}

/** CREATE DATABASE through the server's maintenance database when the benchmark database is missing. */
async function ensureServerDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1))
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') })
  await admin.connect()
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)
  } finally {
    await admin.end()
  }
}

export function openBenchDatabase(db: BenchDatabase): Promise<Database> {
  return openDatabase(
    db.kind === 'server' ? { kind: 'server', url: db.url, poolMax: 4 } : { kind: 'embedded', dataDir: db.dataDir },
  )
}

export interface PrepareResult {
  syntheticArticles: number
  /** Synthetic articles added by this run (0: the database was reused as it was). */
  added: number
}

export async function prepareDatabase(
  db: Database,
  articles: number,
  log: (message: string) => void,
): Promise<PrepareResult> {
  const applied = await applyMigrations(db.adapterFactory)
  if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`)
  await seed(db.prisma)
  // Writes of runs that were killed before they could clean up (an hour old: not a run going on now).
  for (const id of await benchKeys(db, `AND created_at < now() - interval '1 hour'`)) await removeBenchWrites(db, id)
  const have = await syntheticCount(db)
  if (have >= articles) {
    await settleDatabase(db)
    return { syntheticArticles: have, added: 0 }
  }
  const missing = articles - have
  log(`adding ${missing} synthetic articles (once; later runs reuse them)`)
  const started = performance.now()
  let reported = 0
  await seedSyntheticArticles(db.prisma, {
    articles: missing,
    random: mulberry32(42),
    // A server takes several batches at once; PGlite has one connection.
    concurrency: db.kind === 'server' ? 3 : 1,
    onProgress: (written) => {
      if (written - reported >= 10_000 || written === missing) {
        reported = written
        log(`  ${written} / ${missing} in ${((performance.now() - started) / 1000).toFixed(0)} s`)
      }
    },
  })
  await settleDatabase(db)
  return { syntheticArticles: await syntheticCount(db), added: missing }
}

/**
 * The state autovacuum keeps a production database in, before anything is measured: fresh
 * statistics (plans for bulk-loaded tables are otherwise guesses), no dead rows left by a fill or
 * by a run's writes, and a visibility map that lets index-only scans skip the table. Without it
 * (autovacuum off, or not yet run) the month sitemap's statement read every row's heap page
 * through another index (through psql, rows and all: ~23 ms a run instead of ~10 ms).
 */
export async function settleDatabase(db: Database): Promise<void> {
  await db.prisma.$executeRawUnsafe('VACUUM (ANALYZE)')
}

async function syntheticCount(db: Database): Promise<number> {
  const [row] = await db.prisma.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM articles WHERE slug LIKE 'synthetic-%'`
  return Number(row?.n ?? 0)
}

async function benchKeys(db: Database, condition: string): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT id::text AS id FROM api_keys WHERE name LIKE '${benchKeyPrefix}%' ${condition}`,
  )
  return rows.map((r) => r.id)
}

export interface Fixtures {
  /** Public article slugs in a fixed pseudo-random order, spread over the whole archive. */
  slugs: string[]
  searchCommon: { term: string; matches: number }
  searchRare: { term: string; matches: number }
  /** A publisher and a tag with many articles in common. */
  filter: { source: string; tag: string; matches: number }
  /** The root section with the most public articles, in it or below it. */
  sectionFront: { section: string; matches: number }
  /** Existing records new articles refer to, so writes add no sources or tags. */
  writeRefs: { source: string; agency: string; tags: string[] }
  postgresVersion: string
}

async function publicMatches(db: Database, term: string): Promise<number> {
  const [row] = await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(
    `SELECT count(*) AS n FROM articles WHERE ${isPublic()} AND search_vector @@ websearch_to_tsquery('simple', $1)`,
    term,
  )
  return Number(row?.n ?? 0)
}

export async function loadFixtures(db: Database, slugCount: number): Promise<Fixtures> {
  const q = db.prisma
  const slugs = (
    await q.$queryRawUnsafe<{ slug: string }[]>(
      `SELECT slug FROM articles WHERE ${isPublic()} ORDER BY md5(slug) LIMIT $1`,
      slugCount,
    )
  ).map((r) => r.slug)
  if (slugs.length === 0) throw new Error('the benchmark database has no public articles')

  // Every synthetic English body is made of these words: the most frequent of a few is a common term.
  let searchCommon = { term: '', matches: -1 }
  for (const term of SYNTHETIC_WORDS.slice(0, 3)) {
    const matches = await publicMatches(db, term)
    if (matches > searchCommon.matches) searchCommon = { term, matches }
  }
  // Words of the example articles' headlines that synthetic text never uses: the first one found in
  // a handful of articles is a rare term (a needle in the archive).
  const synthetic = new Set(SYNTHETIC_WORDS)
  const candidates = (await loadSeedContent()).articles
    .flatMap((a) => a.headline.toLowerCase().match(/[a-z]{5,}/g) ?? [])
    .filter((w) => !synthetic.has(w))
  let searchRare = { term: candidates[0] ?? 'intelligence', matches: Number.POSITIVE_INFINITY }
  for (const term of candidates) {
    const matches = await publicMatches(db, term)
    if (matches >= 1 && matches <= 50) {
      searchRare = { term, matches }
      break
    }
    if (matches < searchRare.matches) searchRare = { term, matches }
  }

  const [pair] = await q.$queryRawUnsafe<{ source: string; tag: string; n: bigint }[]>(
    `SELECT s.slug AS source, t.slug AS tag, count(*) AS n
     FROM articles a JOIN sources s ON s.id = a.source_id
       JOIN article_tags x ON x.article_id = a.id JOIN tags t ON t.id = x.tag_id
     WHERE ${isPublic('a.')}
     GROUP BY s.slug, t.slug ORDER BY n DESC, s.slug, t.slug LIMIT 1`,
  )
  if (!pair) throw new Error('the benchmark database has no tagged public articles')
  const [front] = await q.$queryRawUnsafe<{ section: string; n: bigint }[]>(
    `SELECT r.path AS section, count(DISTINCT a.id) AS n
     FROM sections r JOIN sections s ON s.path = r.path OR s.path LIKE r.path || '/%'
       JOIN article_sections x ON x.section_id = s.id JOIN articles a ON a.id = x.article_id
     WHERE r.depth = 1 AND ${isPublic('a.')}
     GROUP BY r.path ORDER BY n DESC, r.path LIMIT 1`,
  )
  const [agency] = await q.$queryRawUnsafe<{ slug: string }[]>(
    `SELECT slug FROM sources WHERE kind = 'agency' ORDER BY slug LIMIT 1`,
  )
  const tags = (await q.$queryRawUnsafe<{ slug: string }[]>('SELECT slug FROM tags ORDER BY slug LIMIT 2')).map(
    (r) => r.slug,
  )
  const [version] = await q.$queryRawUnsafe<{ server_version: string }[]>('SHOW server_version')
  return {
    slugs,
    searchCommon,
    searchRare: { ...searchRare, matches: Number.isFinite(searchRare.matches) ? searchRare.matches : 0 },
    filter: { source: pair.source, tag: pair.tag, matches: Number(pair.n) },
    // A database seeded before synthetic articles had sections has none: its section front is empty (0).
    sectionFront: { section: front?.section ?? 'world', matches: Number(front?.n ?? 0) },
    writeRefs: { source: pair.source, agency: agency?.slug ?? pair.source, tags },
    postgresVersion: version?.server_version ?? 'unknown',
  }
}

/** A content:write key for the write scenarios, with a budget the load cannot exhaust. */
export async function createBenchKey(db: Database): Promise<{ id: string; token: string }> {
  const keys = createKeysService(db.prisma, { clock: () => new Date() })
  const key = await keys.createFromCli({
    name: `${benchKeyPrefix}${new Date().toISOString()}`,
    scopes: ['content:write'],
    rateLimit: 1_000_000,
  })
  return { id: key.id, token: key.secret }
}

/**
 * Deletes what the run with this key wrote — its articles (their revisions, tags, credits and old
 * slugs go with them), its uploaded media records (their files are in the run's temporary media
 * folder), their audit entries — and the key (unless `keepKey`: more writes follow), so the
 * database keeps its shape.
 */
export async function removeBenchWrites(db: Database, keyId: string, keepKey = false): Promise<number> {
  const q = db.prisma
  const [, , articles] = await q.$transaction([
    q.$executeRaw`DELETE FROM audit_entries
      WHERE key_id = ${keyId}::uuid OR (resource_type = 'key' AND resource_id = ${keyId} AND NOT ${keepKey})`,
    q.$executeRaw`DELETE FROM idempotency_records WHERE key_id = ${keyId}::uuid`,
    q.$executeRaw`DELETE FROM articles WHERE created_by_id = ${keyId}::uuid`,
    q.$executeRaw`DELETE FROM media WHERE created_by_id = ${keyId}::uuid`,
    q.$executeRaw`DELETE FROM api_keys WHERE id = ${keyId}::uuid AND NOT ${keepKey}`,
  ])
  return articles
}
