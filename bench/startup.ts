// Start-up time as an operator sees it: `npm start` in the project folder until /health/ready
// answers, beside the startupMs the server itself logs in its "Newsdesk ready" line. A runner
// started from the sources starts the server from the sources too (through tsx, not npm start).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { projectRoot } from '../src/db/paths.js'
import type { BenchDatabase } from './database.js'
import { freePort, fromSources, startProcess, stopProcess, waitForHttp } from './processes.js'
import { apiServerArgs } from './servers.js'

export interface StartupTiming {
  database: 'embedded' | 'server'
  /** From spawning `npm start` to the first 200 from /health/ready. */
  wallMs: number
  /** What the server logged as startupMs (from its process start to listening); null if not seen. */
  startupMs: number | null
  targetMs: number
  /** Embedded: the first start, which creates, migrates and seeds the database (not the measure). */
  firstStartWallMs?: number
}

async function timeNpmStart(
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<{ wallMs: number; startupMs: number | null }> {
  const port = await freePort()
  let startupMs: number | null = null
  let sawReady: () => void = () => {}
  const readyLogged = new Promise<void>((resolve) => {
    sawReady = resolve
  })
  const [command, args]: [string, string[]] = fromSources
    ? [process.execPath, await apiServerArgs()]
    : ['npm', ['start']]
  const started = performance.now()
  const child = startProcess(name, command, args, {
    cwd: projectRoot,
    env: { ...env, PORT: String(port), LOG_FORMAT: 'json' },
    onStdoutLine: (line) => {
      if (!line.startsWith('{')) return
      try {
        const entry = JSON.parse(line) as { msg?: unknown; startupMs?: unknown }
        if (typeof entry.msg === 'string' && entry.msg.startsWith('Newsdesk ready')) {
          startupMs = typeof entry.startupMs === 'number' ? entry.startupMs : null
          sawReady()
        }
      } catch {
        // not a log line
      }
    },
  })
  try {
    // Polled every 10 ms: the wall time is the operator's, to within a poll.
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, child, 120_000, 10)
    const wallMs = Math.round(performance.now() - started)
    await Promise.race([readyLogged, sleep(2000)])
    return { wallMs, startupMs }
  } finally {
    await stopProcess(child)
  }
}

/** (a) A second start on an embedded database made by a first one, default settings. */
export async function embeddedStartup(env: NodeJS.ProcessEnv): Promise<StartupTiming> {
  const dataDir = await mkdtemp(join(tmpdir(), 'newsdesk-bench-startup-'))
  try {
    const first = await timeNpmStart('npm start (new embedded database)', { ...env, DATA_DIR: dataDir })
    const second = await timeNpmStart('npm start (embedded database)', { ...env, DATA_DIR: dataDir })
    return { database: 'embedded', ...second, targetMs: 1500, firstStartWallMs: first.wallMs }
  } finally {
    // npm exits on SIGTERM before the server it started has closed its database (a checkpoint
    // still writing): retried until the folder is quiet.
    await rm(dataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 })
  }
}

/** (b) A start on the benchmark's server database (no migrations or seeding on a server by default). */
export async function serverStartup(env: NodeJS.ProcessEnv, db: BenchDatabase & { kind: 'server' }) {
  const timing = await timeNpmStart('npm start (server database)', { ...env, DATABASE_URL: db.url })
  return { database: 'server', ...timing, targetMs: 1000 } satisfies StartupTiming
}
