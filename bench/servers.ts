// The servers under load, each its own process on a free port of 127.0.0.1: the API as built
// (dist/src/server.js, production settings; from the sources when the runner is) and the two baselines.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { projectRoot } from '../src/db/paths.js'
import type { BenchDatabase } from './database.js'
import type { LoadTarget } from './load.js'
import { type Child, entryArgs, freePort, RssSampler, startProcess, stopProcess, waitForHttp } from './processes.js'

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
  return { name, origin, child, rss: new RssSampler(child.pid), drainPath: readyPath }
}

export interface ApiServerOptions {
  db: BenchDatabase
  env: NodeJS.ProcessEnv
  /** false: RESPONSE_CACHE_MB=0, the response cache off. */
  cache: boolean
  /** A folder for --cpu-prof, or undefined. */
  profileDir?: string
}

/** The Node options `npm start` gives the server (package.json), so the benchmark runs it as deployed. */
async function startScriptNodeOptions(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }
  return pkg.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'))
}

/** Node arguments that run the API server as `npm start` does. */
export async function apiServerArgs(): Promise<string[]> {
  return [...(await startScriptNodeOptions()), ...entryArgs('src/server.ts')]
}

export async function startApiServer({ db, env, cache, profileDir }: ApiServerOptions): Promise<RunningServer> {
  const port = await freePort()
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []
  return start(
    `API server (${cache ? 'cached' : 'uncached'})`,
    [...profile, ...(await apiServerArgs())],
    {
      ...env,
      ...databaseEnv(db),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      // Production logging: JSON access log lines, to /dev/null; their cost is real.
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      MIGRATE_ON_START: 'false',
      SEED_ON_START: 'false',
      // Rate limiting stays on (its cost is real) with budgets the load cannot exhaust.
      RATE_LIMIT_MAX: '1000000',
      RATE_LIMIT_ANONYMOUS_MAX: '1000000',
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

export async function stopServer(server: RunningServer): Promise<void> {
  server.rss.stop()
  await stopProcess(server.child)
}
