// The servers under load, each its own process on a free port of 127.0.0.1: the API as built
// (the bundle `npm start` runs, production settings; from the sources when the runner is) and the two baselines.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { projectRoot } from '../src/db/paths.js'
import type { BenchDatabase } from './database.js'
import type { LoadTarget } from './load.js'
import {
  type Child,
  entryArgs,
  freePort,
  fromSources,
  preloadArgs,
  RssSampler,
  startProcess,
  stopProcess,
  waitForHttp,
} from './processes.js'

export interface RunningServer extends LoadTarget {
  name: string
  child: Child
}

function databaseEnv(db: BenchDatabase): NodeJS.ProcessEnv {
  return db.kind === 'server' ? { DATABASE_URL: db.url } : { DATA_DIR: db.dataDir }
}

async function start(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyPath: string,
  port: number,
): Promise<RunningServer> {
  const origin = `http://127.0.0.1:${port}`
  const child = startProcess(name, process.execPath, args, { env, cwd: projectRoot })
  try {
    await waitForHttp(`${origin}${readyPath}`, child)
  } catch (err) {
    await stopProcess(child)
    throw err
  }
  return { name, origin, pid: child.pid, child, rss: new RssSampler(child.pid), drainPath: readyPath }
}

/** What the API servers and baseline-stack share: production logging and rate limiting. */
const productionEnv: NodeJS.ProcessEnv = {
  NODE_ENV: 'production',
  // Production logging: JSON access log lines, to /dev/null; their cost is real.
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
  // Rate limiting stays on (its cost is real) with budgets the load cannot exhaust: the largest
  // budgets the configuration accepts, in its shortest window. Over the default minute, the cached
  // pass's ~25k req/s from one client IP used up 1,000,000 and drew 429s on a fast machine.
  RATE_LIMIT_MAX: '1000000',
  RATE_LIMIT_ANONYMOUS_MAX: '1000000',
  RATE_LIMIT_WINDOW_MS: '1000',
}

export interface ApiServerOptions {
  db: BenchDatabase
  env: NodeJS.ProcessEnv
  /** false: RESPONSE_CACHE_MB=0, the response cache off. */
  cache: boolean
  /** A folder for --cpu-prof, or undefined. */
  profileDir?: string
  /** A file the server appends every SQL statement it sends to (bench/sql-capture.ts), or undefined. */
  sqlLog?: string
  /** A name for messages; default: by the cache setting. */
  name?: string
}

/** The Node options and entry file `npm start` runs (package.json), so the benchmark runs the server as deployed. */
async function startScript(): Promise<{ options: string[]; entry: string }> {
  const pkg = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }
  const words = pkg.scripts.start.split(/\s+/)
  const entry = words.at(-1)
  if (!entry?.endsWith('.js'))
    throw new Error(`the start script does not end with the server's file: ${pkg.scripts.start}`)
  return { options: words.filter((word) => word.startsWith('--')), entry: join(projectRoot, entry) }
}

/** Node arguments that run the API server as `npm start` does (from the sources when the runner is). */
export async function apiServerArgs(): Promise<string[]> {
  const { options, entry } = await startScript()
  return [...options, ...(fromSources ? entryArgs('src/server.ts') : [entry])]
}

export async function startApiServer(options: ApiServerOptions): Promise<RunningServer> {
  const { db, env, cache, profileDir, sqlLog } = options
  const port = await freePort()
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []
  const capture = sqlLog ? preloadArgs('bench/sql-capture.ts') : []
  return start(
    options.name ?? `API server (${cache ? 'cached' : 'uncached'})`,
    [...profile, ...capture, ...(await apiServerArgs())],
    {
      ...env,
      ...(sqlLog ? { BENCH_SQL_LOG: sqlLog } : {}),
      ...databaseEnv(db),
      ...productionEnv,
      HOST: '127.0.0.1',
      PORT: String(port),
      MIGRATE_ON_START: 'false',
      SEED_ON_START: 'false',
      MEDIA_UPLOAD_MAX: '100000',
      // Sitemaps list absolute URLs: the API's own (the index) and the articles' public ones.
      PUBLIC_URL: 'https://api.example.com',
      PUBLIC_ARTICLE_URL: publicArticleUrl,
      ...(cache ? {} : { RESPONSE_CACHE_MB: '0' }),
    },
    '/health/ready',
    port,
  )
}

/** The articles' public URL template: the API and the hand-written baseline render the same one. */
const publicArticleUrl = 'https://www.example.com/news/{yyyy}/{mm}/{slug}'

export async function startStaticBaseline(env: NodeJS.ProcessEnv, bodyFile: string, readyPath: string) {
  const port = await freePort()
  const args = [...entryArgs('bench/baseline-static.ts'), '--port', String(port), '--body', bodyFile]
  return start('baseline-static', args, env, readyPath, port)
}

/** The API's production stack around the same bytes: its logging, rate limit and header settings. */
export async function startStackBaseline(env: NodeJS.ProcessEnv, bodyFile: string, readyPath: string) {
  const port = await freePort()
  const args = [...entryArgs('bench/baseline-stack.ts'), '--port', String(port), '--body', bodyFile]
  return start('baseline-stack', args, { ...env, ...productionEnv }, readyPath, port)
}

export async function startPgBaseline(env: NodeJS.ProcessEnv, databaseUrl: string, readyPath: string) {
  const port = await freePort()
  const args = [...entryArgs('bench/baseline-pg.ts'), '--port', String(port)]
  return start(
    'baseline-pg',
    args,
    { ...env, DATABASE_URL: databaseUrl, PUBLIC_ARTICLE_URL: publicArticleUrl },
    readyPath,
    port,
  )
}

/** Fastify + pg writing a create's rows as the bench key (so that they are removed with the run's writes). */
export async function startWriteBaseline(env: NodeJS.ProcessEnv, databaseUrl: string, keyId: string) {
  const port = await freePort()
  const args = [...entryArgs('bench/baseline-write.ts'), '--port', String(port)]
  return start(
    'baseline-write',
    args,
    { ...env, DATABASE_URL: databaseUrl, BENCH_KEY_ID: keyId },
    '/health/ready',
    port,
  )
}

export async function stopServer(server: RunningServer): Promise<void> {
  server.rss.stop()
  await stopProcess(server.child)
}
