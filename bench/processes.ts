// Child processes of a benchmark run: every server (ours and the baselines) runs in its own
// process group, so that stopping it also stops whatever it started (npm start → sh → node), and
// every one still running is killed when the runner exits, fails or is interrupted.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { projectRoot } from '../src/db/paths.js'
import { request } from './http.js'

/**
 * The runner starts the code it was started as: built (npm run bench, from dist/: the server as
 * deployed, for realistic numbers) or from the sources through tsx (the smoke test: the current
 * code, whatever state dist/ is in).
 */
export const fromSources = import.meta.url.endsWith('.ts')

/** Node arguments that run one of the project's entry points, given by its source path ('src/server.ts'). */
export function entryArgs(source: string): string[] {
  return fromSources
    ? ['--import', 'tsx', join(projectRoot, source)]
    : [join(projectRoot, 'dist', source.replace(/\.ts$/, '.js'))]
}

/** Node arguments that preload one of the project's modules (node --import), given by its source path. */
export function preloadArgs(source: string): string[] {
  const [file] = entryArgs(source).slice(-1)
  return [...(fromSources ? ['--import', 'tsx'] : []), '--import', pathToFileURL(file as string).href]
}

export interface Child {
  name: string
  pid: number
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  hasExited(): boolean
  /** The end of what the process wrote to stderr, for error messages. */
  stderrTail(): string
}

export interface StartOptions {
  env: NodeJS.ProcessEnv
  cwd: string
  /** Receives stdout line by line; without it stdout goes to /dev/null (request logs cost the server, not us). */
  onStdoutLine?: (line: string) => void
}

const running = new Set<Child>()

export function startProcess(name: string, command: string, args: string[], options: StartOptions): Child {
  const proc: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', options.onStdoutLine ? 'pipe' : 'ignore', 'pipe'],
  })
  let tail = ''
  proc.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000)
  })
  if (options.onStdoutLine && proc.stdout) {
    const onLine = options.onStdoutLine
    let partial = ''
    proc.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) onLine(line)
    })
  }
  let done = false
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      done = true
      running.delete(child)
      resolve({ code, signal })
    })
    proc.on('error', (err) => {
      done = true
      running.delete(child)
      tail += `\n${err.message}`
      resolve({ code: null, signal: null })
    })
  })
  if (proc.pid === undefined) throw new Error(`could not start ${name} (${command})`)
  const child: Child = { name, pid: proc.pid, exited, hasExited: () => done, stderrTail: () => tail.trim() }
  running.add(child)
  return child
}

function signalGroup(child: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid, signal)
  } catch {
    // the group is gone already
  }
}

/** SIGTERM (a graceful shutdown), then SIGKILL if the process group is still there after `graceMs`. */
export async function stopProcess(child: Child, graceMs = 12_000): Promise<void> {
  if (child.hasExited()) return
  signalGroup(child, 'SIGTERM')
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs)
  await child.exited
  clearTimeout(timer)
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child, 3000)))
}

/** For process.on('exit'), where only synchronous work runs. */
export function killAllNow(): void {
  for (const child of running) signalGroup(child, 'SIGKILL')
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Polls `url` until it answers 200; fails early, with its stderr, when the process exits instead. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000, intervalMs = 20): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (child.hasExited()) {
      const { code, signal } = await child.exited
      throw new Error(`${child.name} exited (${signal ?? `code ${code}`}) before answering:\n${child.stderrTail()}`)
    }
    const status = await request(url, { timeoutMs: 2000 }).then(
      (res) => res.status,
      () => 0,
    )
    if (status === 200) return
    if (performance.now() > deadline) {
      throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s:\n${child.stderrTail()}`)
    }
    await sleep(intervalMs)
  }
}

/** Resident memory of a process in MB from /proc (Linux); null where /proc is not available. */
function rssMB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) / 1024 : null
  } catch {
    return null
  }
}

/** Clock ticks per second of /proc/<pid>/stat's times: `getconf CLK_TCK`, else Linux's usual 100. */
const clockTicks = (() => {
  try {
    const ticks = Number(
      execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    )
    return ticks > 0 ? ticks : 100
  } catch {
    return 100
  }
})()

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null where it is not available. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The fields after the command name (in parentheses, which may contain spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return null
  }
}

/** Samples a process's RSS every 250 ms: the maximum since the last mark() and over its life. */
export class RssSampler {
  private windowMax: number | null = null
  private lifeMax: number | null = null
  private readonly timer: NodeJS.Timeout

  constructor(private readonly pid: number) {
    this.sample()
    this.timer = setInterval(() => this.sample(), 250)
    this.timer.unref()
  }

  private sample(): void {
    const mb = rssMB(this.pid)
    if (mb === null) return
    this.windowMax = Math.max(this.windowMax ?? 0, mb)
    this.lifeMax = Math.max(this.lifeMax ?? 0, mb)
  }

  /** The maximum since the previous mark (sampled once more now), and a new window from here. */
  mark(): number | null {
    this.sample()
    const max = this.windowMax
    this.windowMax = null
    return max
  }

  get max(): number | null {
    return this.lifeMax
  }

  stop(): void {
    this.sample()
    clearInterval(this.timer)
  }
}
