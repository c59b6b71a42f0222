// The real server process for the tests that start it: `src/server.ts` through tsx (or the built
// server that `npm start` runs), its JSON log lines collected, on a free loopback port.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'

export interface Running {
  child: ChildProcess
  port: number
  /** http://127.0.0.1:<port> */
  base: string
  lines: Record<string, unknown>[]
  /** Standard output lines that are not JSON log lines (the first-start banner with its admin key). */
  plain: string[]
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** The Node arguments of `npm start` (package.json): its options and the built server's file. */
export function startScriptArgs(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }
  const [command, ...args] = pkg.scripts.start.split(/\s+/)
  if (command !== 'node') throw new Error(`the start script does not run node: ${pkg.scripts.start}`)
  return args
}

/**
 * Starts src/server.ts as `npm start` runs it (or, with `built`, the built server with the start
 * script's own arguments), with only PATH, HOST, PORT and LOG_FORMAT besides `env`.
 */
export function startServer(env: NodeJS.ProcessEnv, port: number, built = false): Running {
  const args = built ? startScriptArgs() : ['--import', 'tsx', 'src/server.ts']
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: Record<string, unknown>[] = []
  const plain: string[] = []
  let err = ''
  let buffer = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    for (const line of parts) {
      if (line.startsWith('{')) lines.push(JSON.parse(line))
      else if (line.trim()) plain.push(line.trim())
    }
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return { child, port, base: `http://127.0.0.1:${port}`, lines, plain, stderr: () => err, exited }
}

/** Polls `check` every 50 ms until it holds; throws naming `what` after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 60000): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The server has logged that it listens. */
export const ready = (s: Running) => s.lines.some((l) => String(l.msg).startsWith('Newsdesk ready'))

/** The admin key a first start on a new embedded database prints, if it printed one. */
export const printedKey = (s: Running) => s.plain.find((l) => /^nd_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/.test(l))
