// npm run bench [-- options]: the benchmark, in a fixed order — prepare the benchmark database;
// the API uncached (every scenario, writes cleaned up after); the API with its response cache
// (hot reads); baseline (1) static Fastify; baseline (2) Fastify + pg; `npm start` timings — then
// the table, the targets and the results files. Every server is its own process; this one drives
// the load. See bench/README.md.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Database } from '../src/db/database.js'
import { projectRoot } from '../src/db/paths.js'
import {
  type BenchDatabase,
  createBenchKey,
  describeDatabase,
  type Fixtures,
  loadFixtures,
  openBenchDatabase,
  prepareDatabase,
  removeBenchWrites,
  resolveBenchDatabase,
} from './database.js'
import { expectStatus } from './http.js'
import { type LoadSettings, runScenario, type ScenarioResult } from './load.js'
import { prepareBenchMedia, removeBenchMedia } from './media.js'
import { type BenchOptions, parseOptions, UsageError, usage } from './options.js'
import { fromSources, killAllNow, stopAll } from './processes.js'
import { environment, evaluateTargets, markdown, type Report, withRatios, writeResults } from './report.js'
import { apiScenarios, articleBySlug, cachedScenarios, firstPage, firstPagePath, type Scenario } from './scenarios.js'
import { type RunningServer, startApiServer, startPgBaseline, startStaticBaseline, stopServer } from './servers.js'
import { embeddedStartup, type StartupTiming, serverStartup } from './startup.js'

const log = (message: string) =>
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1).padStart(5)} s] ${message}\n`)

/** Undone on every way out: the run's writes (while its key exists) and temporary folders. */
const pending: { writes?: { db: BenchDatabase; keyId: string }; media?: BenchDatabase; dirs: string[] } = { dirs: [] }

async function withDatabase<T>(target: BenchDatabase, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openBenchDatabase(target)
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}

/** Deletes what the write scenarios wrote, and the run's key; servers on the database must be stopped. */
async function removeWrites(): Promise<void> {
  const writes = pending.writes
  if (!writes) return
  pending.writes = undefined
  const removed = await withDatabase(writes.db, (db) => removeBenchWrites(db, writes.keyId))
  log(`removed the ${removed} articles this run wrote`)
}

async function cleanUp(): Promise<void> {
  await stopAll()
  await removeWrites()
  const media = pending.media
  pending.media = undefined
  if (media) await withDatabase(media, removeBenchMedia)
  for (const dir of pending.dirs.splice(0)) await rm(dir, { recursive: true, force: true })
}

/** What the API answers, to check that baseline (2) answers the same, and to serve as baseline (1). */
interface ApiSample {
  at: number
  firstPage: Buffer
  firstPageIds: string[]
  slug: string
  articleFields: string[]
}

type Summary = { id: string; publishedAt: string }

async function sampleApi(origin: string, slug: string): Promise<ApiSample> {
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

async function measureOn(
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

/** Baseline (1), static Fastify serving the API's first page; baseline (2), Fastify + pg, on a server database. */
async function measureBaselines(run: {
  env: NodeJS.ProcessEnv
  target: BenchDatabase
  sample: ApiSample
  fixtures: Fixtures
  settings: LoadSettings
  notes: string[]
}): Promise<{ results: ScenarioResult[]; checks: Record<string, boolean> }> {
  const { env, target, sample, fixtures, settings, notes } = run
  log('baseline (1): static Fastify with the first page')
  const tmp = await mkdtemp(join(tmpdir(), 'newsdesk-bench-'))
  pending.dirs.push(tmp)
  const bodyFile = join(tmp, 'first-page.json')
  await writeFile(bodyFile, sample.firstPage)
  const staticServer = await startStaticBaseline(env, bodyFile, firstPagePath)
  const results = await measureOn(staticServer, 'baseline', [firstPage('baseline-static')], settings)

  if (target.kind !== 'server') {
    notes.push('baseline (2) (Fastify + pg) skipped: it needs a PostgreSQL server (BENCH_DATABASE_URL or DATABASE_URL)')
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
  return { results, checks }
}

async function main(options: BenchOptions): Promise<void> {
  const startedAt = new Date()
  const settings: LoadSettings = {
    warmup: options.warmup,
    duration: options.duration,
    connections: options.connections,
  }
  // The API servers' media folder: the rendition scenario's original is put there.
  const mediaDir = await mkdtemp(join(tmpdir(), 'newsdesk-bench-media-'))
  pending.dirs.push(mediaDir)
  const env = { ...options.childEnv, MEDIA_DIR: mediaDir }
  const profileDir = options.profile ? join(projectRoot, 'bench', 'profiles') : undefined
  const notes: string[] = []
  if (fromSources)
    notes.push('the servers ran from the sources through tsx, not as built: numbers for checking, not comparing')

  const target = await resolveBenchDatabase(options)
  if (target.kind === 'embedded' && target.temporary) pending.dirs.push(target.dataDir)
  log(`benchmark database: ${describeDatabase(target)}`)
  // Everything that needs the database directly happens before a server opens it: an embedded
  // database has one process at a time.
  const { prepared, fixtures, key, media } = await withDatabase(target, async (db) => {
    const prepared = await prepareDatabase(db, options.articles, log)
    const fixtures = await loadFixtures(db, 2000)
    const key = await createBenchKey(db)
    pending.writes = { db: target, keyId: key.id }
    pending.media = target
    const media = await prepareBenchMedia(db, mediaDir)
    return { prepared, fixtures, key, media }
  })
  log(`${prepared.syntheticArticles} synthetic articles; ${fixtures.slugs.length} slugs to read in turn`)

  log('API server, response cache off (RESPONSE_CACHE_MB=0)')
  const uncached = await startApiServer({ db: target, env, cache: false, profileDir })
  const sample = await sampleApi(uncached.origin, fixtures.slugs[0] as string)
  const scenarios = apiScenarios({
    fixtures,
    token: key.token,
    connections: options.connections,
    runId: startedAt.getTime().toString(36),
    deepPages: options.deepPages,
  })
  const serverRss: (number | null)[] = []
  const results = await measureOn(uncached, 'uncached', scenarios, settings)
  serverRss.push(uncached.rss.max)
  // The writes go before anything else reads: the database keeps its shape for the next run.
  await removeWrites()

  log('API server, response cache on (default)')
  const cached = await startApiServer({ db: target, env, cache: true, profileDir })
  results.push(...(await measureOn(cached, 'cached', cachedScenarios(fixtures, media), settings)))
  serverRss.push(cached.rss.max)

  const baselines = await measureBaselines({ env, target, sample, fixtures, settings, notes })
  results.push(...baselines.results)
  const baselineChecks = baselines.checks

  log('start-up: npm start until /health/ready answers')
  const startup: StartupTiming[] = [await embeddedStartup(env)]
  if (target.kind === 'server') startup.push(await serverStartup(env, target))
  else notes.push('start-up on a server database skipped: no PostgreSQL server configured')

  const rows = withRatios(results)
  const known = serverRss.filter((mb): mb is number => mb !== null)
  const maxServerRssMB = known.length ? Math.max(...known) : null
  const finishedAt = new Date()
  const { slugs, postgresVersion, ...otherFixtures } = fixtures
  const report: Report = {
    mode: options.smoke ? 'smoke' : 'full',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    settings: { ...settings, articles: options.articles, deepPages: options.deepPages },
    database: {
      description: describeDatabase(target),
      kind: target.kind,
      syntheticArticles: prepared.syntheticArticles,
      addedThisRun: prepared.added,
    },
    fixtures: { ...otherFixtures, slugs: slugs.length },
    environment: environment(postgresVersion, target.kind === 'embedded'),
    rows,
    baselineChecks,
    startup,
    maxServerRssMB,
    targets: evaluateTargets(rows, startup, maxServerRssMB),
    notes,
  }
  const outDir =
    options.out ??
    (options.smoke ? await mkdtemp(join(tmpdir(), 'newsdesk-bench-results-')) : join(projectRoot, 'bench', 'results'))
  const written = await writeResults(report, outDir)
  process.stdout.write(`${markdown(report)}`)
  log(`results: ${written.join(', ')}`)
  await cleanUp()
}

let options: BenchOptions | 'help'
try {
  options = parseOptions(process.argv.slice(2), process.env)
} catch (err) {
  if (!(err instanceof UsageError)) throw err
  process.stderr.write(`${err.message}\n${usage}\n`)
  process.exit(1)
}
if (options === 'help') {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}

// No server outlives the runner: killed on exit whatever the reason, stopped and cleaned up on a signal.
process.on('exit', killAllNow)
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the servers and removing this run's writes`)
    cleanUp()
      .catch((err: unknown) => log(`clean-up failed: ${(err as Error).message}`))
      .finally(() => process.exit(code))
  })
}

try {
  await main(options)
} catch (err) {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  await cleanUp().catch((cleanupErr: unknown) => log(`clean-up failed: ${(cleanupErr as Error).message}`))
  process.exit(1)
}
