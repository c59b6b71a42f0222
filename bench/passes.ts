// The runs of one server each: measuring scenarios on a server (and stopping it), the baselines
// beside the API's answers, and the API on an embedded database for its memory.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../src/db/paths.js'
import { type BenchDatabase, type Fixtures, loadFixtures, openBenchDatabase, prepareDatabase } from './database.js'
import { expectStatus } from './http.js'
import { type LoadSettings, runScenario, type ScenarioResult } from './load.js'
import { articleBySlug, firstPage, firstPagePath, type Scenario } from './scenarios.js'
import {
  type RunningServer,
  startApiServer,
  startPgBaseline,
  startStackBaseline,
  startStaticBaseline,
  startWriteBaseline,
  stopServer,
} from './servers.js'
import { createArticle } from './writes.js'

export const log = (message: string) =>
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1).padStart(5)} s] ${message}\n`)

export async function measureOn(
  server: RunningServer,
  pass: ScenarioResult['pass'],
  scenarios: Scenario[],
  settings: LoadSettings,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = []
  // A server that dies under load fails the run with its own last words, not with a list of refused connections.
  const died = async () => {
    const { code, signal } = await server.child.exited
    return new Error(`${server.name} exited (${signal ?? `code ${code}`}) under load:\n${server.child.stderrTail()}`)
  }
  try {
    for (const scenario of scenarios) {
      const result = await runScenario(scenario, pass, server, settings, log).catch(async (err: unknown) => {
        throw server.child.hasExited() ? await died() : err
      })
      if (server.child.hasExited()) throw await died()
      results.push(result)
    }
  } finally {
    await stopServer(server)
  }
  return results
}

/** What the API answers, to check that baseline (2) answers the same, and to serve as baselines (1) and stack. */
export interface ApiSample {
  at: number
  firstPage: Buffer
  firstPageIds: string[]
  slug: string
  articleFields: string[]
}

type Summary = { id: string; publishedAt: string }

export async function sampleApi(origin: string, slug: string): Promise<ApiSample> {
  const page = await expectStatus(`${origin}${firstPagePath}`, 200)
  const article = await expectStatus(`${origin}/v1/articles/${slug}`, 200)
  return {
    at: Date.now(),
    firstPage: page.body,
    firstPageIds: page.json<{ data: Summary[] }>().data.map((a) => a.id),
    slug,
    articleFields: Object.keys(article.json<Record<string, unknown>>()),
  }
}

async function compareWithApi(origin: string, sample: ApiSample): Promise<Record<string, boolean>> {
  const page = (await expectStatus(`${origin}${firstPagePath}`, 200)).json<{ data: Summary[] }>().data
  const article = await expectStatus(`${origin}/v1/articles/${sample.slug}`, 200)
  // Scheduled articles that came due since the API was sampled lead the list now; the rest must match.
  const due = page.findIndex((a) => Date.parse(a.publishedAt) <= sample.at)
  const rest = page.slice(due < 0 ? page.length : due).map((a) => a.id)
  return {
    firstPageSameArticles: rest.length > 0 && rest.join() === sample.firstPageIds.slice(0, rest.length).join(),
    articleSameFields: Object.keys(article.json<Record<string, unknown>>()).join() === sample.articleFields.join(),
  }
}

export interface BaselineRun {
  env: NodeJS.ProcessEnv
  target: BenchDatabase
  sample: ApiSample
  fixtures: Fixtures
  settings: LoadSettings
  /** The run's key (baseline-write writes as it) and a word making its headlines its own. */
  key: { id: string; token: string }
  runId: string
  connections: number
  /** A temporary folder (removed by the caller) for the first page's bytes. */
  tmp: string
  notes: string[]
}

/**
 * Baseline (1), static Fastify serving the API's first page; baseline-stack, the same bytes through
 * the API's middleware; on a server database baseline (2), Fastify + pg reads, and baseline-write.
 */
export async function measureBaselines(run: BaselineRun) {
  const { env, target, sample, fixtures, settings, notes } = run
  const bodyFile = join(run.tmp, 'first-page.json')
  await writeFile(bodyFile, sample.firstPage)
  log('baseline (1): static Fastify with the first page')
  const staticServer = await startStaticBaseline(env, bodyFile, firstPagePath)
  const results = await measureOn(staticServer, 'baseline', [firstPage('baseline-static')], settings)
  log('baseline-stack: Fastify with the API’s logging, rate limit and headers, the same bytes')
  const stackServer = await startStackBaseline(env, bodyFile, firstPagePath)
  results.push(...(await measureOn(stackServer, 'baseline', [firstPage('baseline-stack')], settings)))

  if (target.kind !== 'server') {
    notes.push(
      'baselines (2) (Fastify + pg) and write skipped: they need a PostgreSQL server (BENCH_DATABASE_URL or DATABASE_URL)',
    )
    return { results, checks: {} }
  }
  log('baseline (2): Fastify + pg')
  const pgServer = await startPgBaseline(env, target.url, firstPagePath)
  const checks = await compareWithApi(pgServer.origin, sample)
  for (const [check, ok] of Object.entries(checks)) {
    if (!ok) notes.push(`baseline-pg check ${check} failed: it does not answer exactly what the API answers`)
  }
  const pgScenarios = [articleBySlug(fixtures, 'baseline-pg-slug'), firstPage('baseline-pg-first-page')]
  results.push(...(await measureOn(pgServer, 'baseline', pgScenarios, settings)))

  log('baseline-write: Fastify + pg, a create’s rows in one transaction')
  const writeServer = await startWriteBaseline(env, target.url, run.key.id)
  const setup = { token: run.key.token, fixtures, connections: run.connections, runId: `${run.runId}-baseline` }
  results.push(...(await measureOn(writeServer, 'baseline', [createArticle(setup, 'baseline-write')], settings)))
  return { results, checks }
}

/** The embedded database the RSS scenario reads: the benchmark's PGlite folder (a temporary one for --smoke). */
export async function embeddedTarget(target: BenchDatabase, smoke: boolean): Promise<BenchDatabase> {
  if (target.kind === 'embedded') return target
  if (smoke)
    return { kind: 'embedded', dataDir: await mkdtemp(join(tmpdir(), 'newsdesk-bench-embedded-')), temporary: true }
  return { kind: 'embedded', dataDir: join(projectRoot, '.data', 'bench-pglite'), temporary: false }
}

/**
 * The API as a newcomer runs it, on an existing embedded database (made once, with `articles`
 * synthetic articles at least, then reused): first page and slug reads, default settings (the
 * response cache on), for its RSS with PostgreSQL in the process.
 */
export async function measureEmbedded(run: {
  db: BenchDatabase & { kind: 'embedded' }
  env: NodeJS.ProcessEnv
  articles: number
  settings: LoadSettings
  notes: string[]
}): Promise<ScenarioResult[]> {
  const db = await openBenchDatabase(run.db)
  let fixtures: Fixtures
  try {
    await prepareDatabase(db, run.articles, log)
    fixtures = await loadFixtures(db, 2000)
  } finally {
    await db.close()
  }
  log(`API server on embedded PGlite (${run.db.dataDir}), response cache on`)
  const start = () => startApiServer({ db: run.db, env: run.env, cache: true, name: 'API server (embedded)' })
  // Once, on a busy machine, this server ended (code 0, nothing on stderr) before answering, and
  // never since: it is started again once, and a second failure is a note, not a failed run.
  const server = await start().catch(async (err: unknown) => {
    log(`${(err as Error).message.split('\n')[0]}; starting it again`)
    return start().catch((again: unknown) => {
      run.notes.push(`the embedded-database scenario did not run: ${(again as Error).message.split('\n')[0]}`)
      return null
    })
  })
  return server ? measureOn(server, 'embedded', [firstPage(), articleBySlug(fixtures)], run.settings) : []
}
