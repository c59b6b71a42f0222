// npm run bench [-- options]: the benchmark, in a fixed order — prepare the benchmark database;
// the API uncached (every scenario, writes cleaned up after); the API with its response cache
// (hot reads); baseline (1) static Fastify; baseline-stack (the API's middleware, the same bytes);
// baseline (2) Fastify + pg; baseline-write; the reads' statement times; the API on an embedded
// database; `npm start` timings — then the table, the targets and the results files. Every server
// is its own process; this one drives the load. See bench/README.md.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Database } from '../src/db/database.js'
import { projectRoot } from '../src/db/paths.js'
import {
  type BenchDatabase,
  createBenchKey,
  describeDatabase,
  loadFixtures,
  openBenchDatabase,
  prepareDatabase,
  removeBenchWrites,
  resolveBenchDatabase,
  settleDatabase,
} from './database.js'
import type { LoadSettings } from './load.js'
import { prepareBenchMedia, removeBenchMedia } from './media.js'
import { type BenchOptions, parseOptions, UsageError, usage } from './options.js'
import { embeddedTarget, log, measureBaselines, measureEmbedded, measureOn, sampleApi } from './passes.js'
import { fromSources, killAllNow, stopAll } from './processes.js'
import { environment, markdown, type Report, writeResults } from './report.js'
import { apiScenarios, cachedScenarios } from './scenarios.js'
import { startApiServer } from './servers.js'
import { embeddedStartup, type StartupTiming, serverStartup } from './startup.js'
import { measureStatements, type StatementReport } from './statements.js'
import { evaluateTargets, withRatios } from './targets.js'

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

/**
 * Deletes what the write scenarios wrote, and (unless `keepKey`: baseline-write writes as it
 * later) the run's key; servers on the database must be stopped.
 */
async function removeWrites(keepKey = false): Promise<void> {
  const writes = pending.writes
  if (!writes) return
  if (!keepKey) pending.writes = undefined
  const removed = await withDatabase(writes.db, (db) => removeBenchWrites(db, writes.keyId, keepKey))
  log(`removed the ${removed} articles written so far`)
}

async function cleanUp(): Promise<void> {
  await stopAll()
  await removeWrites()
  const media = pending.media
  pending.media = undefined
  if (media) await withDatabase(media, removeBenchMedia)
  for (const dir of pending.dirs.splice(0))
    await rm(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 })
}

async function temporaryDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  pending.dirs.push(dir)
  return dir
}

interface Measured {
  rows: Report['rows']
  statements: StatementReport | null
  baselineChecks: Record<string, boolean>
  startup: StartupTiming[]
}

/** Every pass, in order, after the database is prepared. */
async function measureAll(options: BenchOptions, target: BenchDatabase, notes: string[]) {
  const startedAt = Date.now()
  const settings: LoadSettings = {
    warmup: options.warmup,
    duration: options.duration,
    connections: options.connections,
    drainCapMs: options.smoke ? 500 : 5000,
  }
  // The API servers' media folder: the rendition scenario's original is put there.
  const mediaDir = await temporaryDir('newsdesk-bench-media-')
  const env = { ...options.childEnv, MEDIA_DIR: mediaDir }
  const profileDir = options.profile ? join(projectRoot, 'bench', 'profiles') : undefined
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
  const runId = startedAt.toString(36)
  const setup = { fixtures, token: key.token, connections: options.connections, runId, deepPages: options.deepPages }
  const results = await measureOn(uncached, 'uncached', apiScenarios(setup), settings)
  // The writes go before anything else reads: the database keeps its shape for the next run,
  // and is settled again (their dead rows vacuumed) for the passes after.
  await removeWrites(true)
  await withDatabase(target, settleDatabase)

  log('API server, response cache on (default)')
  const cached = await startApiServer({ db: target, env, cache: true, profileDir })
  results.push(...(await measureOn(cached, 'cached', cachedScenarios(fixtures, media), settings)))

  const tmp = await temporaryDir('newsdesk-bench-')
  const baselines = await measureBaselines({
    env,
    target,
    sample,
    fixtures,
    settings,
    key,
    runId,
    tmp,
    notes,
    connections: options.connections,
  })
  results.push(...baselines.results)
  await removeWrites()

  let statements: StatementReport | null = null
  if (target.kind === 'server') {
    log('statement time: the uncached reads’ statements beside baseline (2)’s')
    statements = await measureStatements({ env, target, fixtures })
  } else notes.push('statement times skipped: they need a PostgreSQL server')

  const embedded = await embeddedTarget(target, options.smoke)
  if (embedded.kind === 'embedded' && embedded.temporary && embedded !== target) pending.dirs.push(embedded.dataDir)
  const articles = target.kind === 'embedded' ? options.articles : Math.min(options.articles, 3000)
  results.push(
    ...(await measureEmbedded({
      db: embedded as BenchDatabase & { kind: 'embedded' },
      env,
      articles,
      settings,
      notes,
    })),
  )

  log('start-up: npm start until /health/ready answers')
  const startup: StartupTiming[] = [await embeddedStartup(env)]
  if (target.kind === 'server') startup.push(await serverStartup(env, target))
  else notes.push('start-up on a server database skipped: no PostgreSQL server configured')
  const measured: Measured = { rows: withRatios(results), statements, baselineChecks: baselines.checks, startup }
  return { measured, prepared, fixtures, settings }
}

async function main(options: BenchOptions): Promise<void> {
  const startedAt = new Date()
  const notes: string[] = []
  if (fromSources)
    notes.push('the servers ran from the sources through tsx, not as built: numbers for checking, not comparing')
  const target = await resolveBenchDatabase(options)
  if (target.kind === 'embedded' && target.temporary) pending.dirs.push(target.dataDir)
  log(`benchmark database: ${describeDatabase(target)}`)
  const { measured, prepared, fixtures, settings } = await measureAll(options, target, notes)
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
    ...measured,
    targets: evaluateTargets(measured.rows, measured.startup, measured.statements, target.kind === 'server'),
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
