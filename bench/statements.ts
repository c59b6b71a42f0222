// PostgreSQL's own time for the statements of the uncached reads, beside baseline (2)'s: the
// database's share of a read, which no HTTP layer can change. With pg_stat_statements loaded (it
// needs shared_preload_libraries) its mean execution time per statement; otherwise the statements
// an API server sends (captured by bench/sql-capture.ts, preloaded into a server started for this)
// are run again with EXPLAIN (ANALYZE, BUFFERS), the median of several runs. A read's "main"
// statement is its slowest one.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { baselineSql } from './baseline-pg-sql.js'
import type { BenchDatabase, Fixtures } from './database.js'
import { expectStatus } from './http.js'
import { firstPagePath, listVariants } from './scenarios.js'
import { type RunningServer, startApiServer, stopServer } from './servers.js'

export interface StatementTiming {
  read: string
  /** How many statements the read sent (through the API). */
  statements: number
  /** Execution time of all of them, and of the slowest, in ms. */
  apiMs: number
  mainMs: number
  /** The beginning of the slowest statement's text. */
  mainSql: string
  /** Shared buffers the slowest one hit and read (EXPLAIN only). */
  buffers: { hit: number; read: number } | null
  /** baseline (2)'s statement for the same read (first page, article by slug), in ms. */
  baselineMs: number | null
}

export interface StatementReport {
  method: 'pg_stat_statements' | 'explain'
  runs: number
  timings: StatementTiming[]
}

interface Captured {
  text: string
  values: unknown[]
}

const runs = 7
const isRead = (sql: string) => /^\s*(SELECT|WITH)\b/i.test(sql) && !/\b(INSERT|UPDATE|DELETE)\b/i.test(sql)
// The worker's polling (the change feed, webhook deliveries), which may fall between a request's statements.
const background = /\b(change_queue|change_log|scheduled_changes|webhook_deliveries)\b/
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

/** The reads measured, with the baseline statement each is compared with. */
function reads(fixtures: Fixtures) {
  const slug = fixtures.slugs[0] as string
  return [
    { read: 'first-page', path: firstPagePath, baseline: 'first-page' as const },
    { read: 'article-by-slug', path: `/v1/articles/${slug}`, baseline: 'slug' as const },
    ...listVariants(fixtures).map((v) => ({ read: v.name, path: v.path, baseline: null })),
  ]
}

/** The statements on articles the server sent while answering `path` (its second request: the first warms up). */
async function capture(server: RunningServer, log: string, path: string): Promise<Captured[]> {
  await expectStatus(`${server.origin}${path}`, 200)
  const from = (await stat(log)).size
  await expectStatus(`${server.origin}${path}`, 200)
  const added = (await readFile(log)).subarray(from).toString('utf8')
  return added
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Captured)
    .filter((s) => isRead(s.text) && !background.test(s.text) && !/^\s*SELECT 1\s*$/i.test(s.text))
}

async function explain(client: pg.Client, statement: Captured) {
  const times: number[] = []
  let buffers = { hit: 0, read: 0 }
  for (let i = 0; i <= runs; i++) {
    const { rows } = await client.query<{ 'QUERY PLAN': [{ 'Execution Time': number; Plan: Record<string, number> }] }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement.text}`,
      statement.values,
    )
    const [plan] = (rows[0] as NonNullable<(typeof rows)[0]>)['QUERY PLAN']
    // The first run warms the buffers and the catalog caches: not counted.
    if (i > 0) times.push(plan['Execution Time'])
    buffers = { hit: plan.Plan['Shared Hit Blocks'] ?? 0, read: plan.Plan['Shared Read Blocks'] ?? 0 }
  }
  return { ms: median(times), buffers }
}

/** True when pg_stat_statements is loaded (shared_preload_libraries) and created in this database. */
async function statStatementsLoaded(client: pg.Client): Promise<boolean> {
  try {
    await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1')
    return true
  } catch {
    return false
  }
}

/** Mean execution times of this database's statements run `runs` times or more since `work` began, slowest first. */
async function statStatements(client: pg.Client, work: () => Promise<void>): Promise<{ ms: number; sql: string }[]> {
  await client.query('SELECT pg_stat_statements_reset()')
  await work()
  const { rows } = await client.query<{ ms: number; sql: string }>(
    `SELECT mean_exec_time AS ms, query AS sql FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls >= $1
       AND query ~* '^\\s*(SELECT|WITH)\\M' AND query !~* $2
     ORDER BY mean_exec_time DESC`,
    [runs, `pg_stat_statements|EXPLAIN|${background.source.replace(/\\b/g, '\\y')}`],
  )
  return rows
}

async function byExplain(client: pg.Client, server: RunningServer, log: string, fixtures: Fixtures) {
  const sql = await baselineSql(client)
  const timings: StatementTiming[] = []
  for (const { read, path, baseline } of reads(fixtures)) {
    const measured = []
    for (const statement of await capture(server, log, path)) {
      measured.push({ ...(await explain(client, statement)), sql: statement.text })
    }
    const main = measured.reduce((m, s) => (s.ms > m.ms ? s : m), { ms: 0, sql: '', buffers: { hit: 0, read: 0 } })
    const base =
      baseline === 'first-page'
        ? await explain(client, { text: sql.firstPageSql, values: [] })
        : baseline === 'slug'
          ? await explain(client, { text: sql.articleSql, values: [fixtures.slugs[0]] })
          : null
    timings.push({
      read,
      statements: measured.length,
      apiMs: measured.reduce((sum, s) => sum + s.ms, 0),
      mainMs: main.ms,
      mainSql: oneLine(main.sql),
      buffers: main.buffers,
      baselineMs: base?.ms ?? null,
    })
  }
  return timings
}

async function byStatStatements(client: pg.Client, server: RunningServer, fixtures: Fixtures) {
  const sql = await baselineSql(client)
  const repeat = async (work: () => Promise<unknown>) => {
    for (let i = 0; i < runs; i++) await work()
  }
  const timings: StatementTiming[] = []
  for (const { read, path, baseline } of reads(fixtures)) {
    const api = await statStatements(client, () => repeat(() => expectStatus(`${server.origin}${path}`, 200)))
    const base =
      baseline === null
        ? []
        : await statStatements(client, () =>
            repeat(() =>
              baseline === 'first-page'
                ? client.query(sql.firstPageSql)
                : client.query(sql.articleSql, [fixtures.slugs[0]]),
            ),
          )
    timings.push({
      read,
      statements: api.length,
      apiMs: api.reduce((sum, s) => sum + s.ms, 0),
      mainMs: api[0]?.ms ?? 0,
      mainSql: oneLine(api[0]?.sql ?? ''),
      buffers: null,
      baselineMs: base[0]?.ms ?? null,
    })
  }
  return timings
}

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 120)

/**
 * Starts an API server (response cache off) whose statements are captured, measures the reads'
 * statements and baseline (2)'s, and stops it. A server database only: nothing else may run on it meanwhile.
 */
export async function measureStatements(run: {
  env: NodeJS.ProcessEnv
  target: BenchDatabase & { kind: 'server' }
  fixtures: Fixtures
}): Promise<StatementReport> {
  const dir = await mkdtemp(join(tmpdir(), 'newsdesk-bench-sql-'))
  const log = join(dir, 'statements.jsonl')
  await writeFile(log, '')
  const client = new pg.Client({ connectionString: run.target.url })
  await client.connect()
  let server: RunningServer | undefined
  try {
    server = await startApiServer({ db: run.target, env: run.env, cache: false, sqlLog: log, name: 'API server (SQL)' })
    if (await statStatementsLoaded(client)) {
      return { method: 'pg_stat_statements', runs, timings: await byStatStatements(client, server, run.fixtures) }
    }
    return { method: 'explain', runs, timings: await byExplain(client, server, log, run.fixtures) }
  } finally {
    if (server) await stopServer(server)
    await client.end()
    await rm(dir, { recursive: true, force: true })
  }
}
