// The real process: configuration errors, start-up on a fresh embedded database (migrate + seed),
// a restart that neither migrates nor seeds again, and graceful shutdown.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'tap'
import { freePort, ready, startServer, waitFor } from './processes.js'

/** MALLOC_ARENA_MAX as the process with this id runs with it (Linux: /proc); undefined when unset. */
async function arenaMax(pid: number | undefined): Promise<string | undefined> {
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8')
  return environ
    .split('\0')
    .find((entry) => entry.startsWith('MALLOC_ARENA_MAX='))
    ?.slice('MALLOC_ARENA_MAX='.length)
}

/** The command line of the process with this id (Linux: /proc), Node's options included. */
async function commandLine(pid: number | undefined): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean)
}

/** Where the server caps glibc's arenas itself: Linux, and a Node that can execute itself again. */
const capsArenas = process.platform === 'linux' && 'execve' in process

/** The warning of a server on the embedded database whose WebAssembly may reach V8's optimising compiler. */
const tierUpWarning = (l: Record<string, unknown>) => l.level === 40 && /--liftoff-only/.test(String(l.msg))

test('a bad configuration stops the process with one line naming the variable', async (t) => {
  const s = startServer({ PORT: 'abc' }, 0)
  const { code } = await s.exited
  t.equal(code, 1)
  const out = s.stderr().trim()
  t.equal(out.split('\n').length, 1, 'one line')
  t.match(out, /^Invalid configuration: PORT="abc"/)
})

test('a public URL template with an unknown placeholder stops the process, naming the variable', async (t) => {
  const s = startServer({ PUBLIC_ARTICLE_URL: 'https://www.example.com/{title}' }, 0)
  const { code } = await s.exited
  t.equal(code, 1)
  const out = s.stderr().trim()
  t.equal(out.split('\n').length, 1, 'one line')
  t.match(
    out,
    /^Invalid configuration: PUBLIC_ARTICLE_URL="https:\/\/www.example.com\/\{title\}" — expected only the placeholders/,
  )
})

test('fresh embedded database: migrate, seed, serve; restart keeps the data; graceful shutdown', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'newsdesk-server-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`

  const first = startServer({ DATA_DIR: dataDir }, port)
  t.teardown(() => first.child.kill('SIGKILL'))
  await waitFor(() => ready(first) || first.child.exitCode !== null, 'the server to start')
  t.ok(ready(first), 'ready')
  t.ok(
    first.lines.some((l) => /^applied \d+ migration\(s\)$/.test(String(l.msg))),
    'migrated the new database',
  )
  t.ok(
    first.lines.some((l) => l.msg === 'seeded example content'),
    'seeded it',
  )
  const printed = first.plain.filter((l) => /^nd_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/.test(l))
  t.equal(printed.length, 1, 'the first start prints one admin key')
  const adminKey = printed[0] as string
  t.notOk(JSON.stringify(first.lines).includes(adminKey), 'the key is not in any log line')
  const keys = await fetch(`${base}/v1/keys`, { headers: { authorization: `Bearer ${adminKey}` } })
  t.equal(keys.status, 200, 'the admin key works')
  const sources = (await (await fetch(`${base}/v1/sources`)).json()) as { data: { slug: string }[] }
  t.same(
    sources.data.map((s) => s.slug),
    ['armenpress', 'associated-press', 'hetq', 'panarmenian-net'],
  )

  // A request still arriving (its body half sent) when SIGTERM lands is answered before exit.
  const body = JSON.stringify({ name: 'Reuters', kind: 'agency' })
  const socket = net.connect(port, '127.0.0.1')
  await new Promise((r) => socket.once('connect', r))
  let response = ''
  socket.on('data', (d) => {
    response += d.toString()
  })
  socket.write(
    `POST /v1/sources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${adminKey}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
  )
  await new Promise((r) => setTimeout(r, 200))
  first.child.kill('SIGTERM')
  await waitFor(() => first.lines.some((l) => l.msg === 'shutting down'), 'shutdown to begin')
  socket.end(body.slice(5))
  const { code } = await first.exited
  t.equal(code, 0, 'exits cleanly')
  t.match(response, /^HTTP\/1\.1 201/, 'the in-flight request completed')

  // EMBEDDED_WASM_TIER_UP=true: Node's own compilers, and no warning about them.
  const second = startServer({ DATA_DIR: dataDir, EMBEDDED_WASM_TIER_UP: 'true' }, port)
  t.teardown(() => second.child.kill('SIGKILL'))
  await waitFor(() => ready(second) || second.child.exitCode !== null, 'the restart')
  if (process.platform === 'linux')
    t.notOk(
      (await commandLine(second.child.pid)).includes('--liftoff-only'),
      'EMBEDDED_WASM_TIER_UP=true: no --liftoff-only',
    )
  t.notOk(second.lines.some(tierUpWarning), 'EMBEDDED_WASM_TIER_UP=true: no warning')
  t.notOk(
    second.lines.some((l) => String(l.msg).startsWith('applied')),
    'nothing to migrate on restart',
  )
  t.notOk(
    second.lines.some((l) => l.msg === 'seeded example content'),
    'an existing database is not seeded again',
  )
  t.notOk(
    second.plain.some((l) => l.startsWith('nd_')),
    'no key is printed after the first start',
  )
  const after = (await (await fetch(`${base}/v1/sources`)).json()) as { data: { slug: string }[] }
  t.same(
    after.data.map((s) => s.slug),
    ['armenpress', 'associated-press', 'hetq', 'panarmenian-net', 'reuters'],
  )

  // A second signal does not wait for a request that never finishes.
  const stuck = net.connect(port, '127.0.0.1')
  await new Promise((r) => stuck.once('connect', r))
  stuck.write(
    `POST /v1/sources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${adminKey}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
  )
  await new Promise((r) => setTimeout(r, 200))
  second.child.kill('SIGTERM')
  await waitFor(() => second.lines.some((l) => l.msg === 'shutting down'), 'shutdown to begin')
  second.child.kill('SIGTERM')
  const forced = await second.exited
  t.not(forced.code, 0, 'the second signal forces exit')
  stuck.destroy()
})

test('SHUTDOWN_DRAIN_MS: after SIGTERM readiness answers 503 while requests are still served, then the server exits', async (t) => {
  const port = await freePort()
  // An operator's MALLOC_ARENA_MAX is kept as it is.
  const s = startServer({ DATA_DIR: 'memory://', SHUTDOWN_DRAIN_MS: '2500', MALLOC_ARENA_MAX: '4' }, port)
  t.teardown(() => s.child.kill('SIGKILL'))
  await waitFor(() => ready(s) || s.child.exitCode !== null, 'the server to start')
  t.equal((await fetch(`${s.base}/health/ready`)).status, 200)
  if (process.platform === 'linux') t.equal(await arenaMax(s.child.pid), '4', "the operator's MALLOC_ARENA_MAX")
  // With the arenas left as they are, the process is still started again for --liftoff-only.
  if (capsArenas)
    t.ok((await commandLine(s.child.pid)).includes('--liftoff-only'), 'the embedded database: --liftoff-only')
  const signalled = Date.now()
  s.child.kill('SIGTERM')
  await waitFor(() => s.lines.some((l) => l.msg === 'shutting down'), 'shutdown to begin')
  const readiness = await fetch(`${s.base}/health/ready`)
  t.equal(readiness.status, 503, 'not ready from the moment shutdown begins')
  t.match(readiness.headers.get('content-type'), /^application\/problem\+json/)
  t.equal(((await readiness.json()) as { code: string }).code, 'ND_SHUTTING_DOWN')
  t.equal((await fetch(`${s.base}/v1/sources`)).status, 200, 'still serving during the drain')
  t.equal(s.lines.find((l) => l.msg === 'shutting down')?.drainMs, 2500)
  const { code } = await s.exited
  t.equal(code, 0, 'exits cleanly')
  t.ok(Date.now() - signalled >= 2400, 'after the drain period')
})

test('the built server npm start runs (dist/server): migrates, seeds, serves reads, the spec and Swagger UI, then exits cleanly', async (t) => {
  const port = await freePort()
  const s = startServer({ DATA_DIR: 'memory://', SHUTDOWN_DRAIN_MS: '0' }, port, true)
  t.teardown(() => s.child.kill('SIGKILL'))
  await waitFor(() => ready(s) || s.child.exitCode !== null, 'the built server to start')
  t.ok(ready(s), 'ready')
  if (capsArenas) {
    t.equal(await arenaMax(s.child.pid), '2', 'the same process, running with two malloc arenas')
    const args = await commandLine(s.child.pid)
    t.ok(args.includes('--liftoff-only'), "and the embedded database's WebAssembly on V8's baseline compiler")
    t.ok(args.indexOf('--liftoff-only') < args.findIndex((a) => a.endsWith('server.js')), 'as an option of Node')
    t.notOk(s.lines.some(tierUpWarning), 'no warning')
  } else {
    t.ok(s.lines.some(tierUpWarning), 'where Node cannot start itself again, a warning names --liftoff-only')
  }
  const sources = (await (await fetch(`${s.base}/v1/sources`)).json()) as { data: { slug: string }[] }
  t.same(
    sources.data.map((x) => x.slug),
    ['armenpress', 'associated-press', 'hetq', 'panarmenian-net'],
    'seeded: the migrations and seed files were found from the bundle',
  )
  const article = await fetch(`${s.base}/v1/articles?limit=1`)
  t.equal(article.status, 200)
  const spec = (await (await fetch(`${s.base}/openapi.json`)).json()) as { openapi: string; paths: object }
  t.match(spec.openapi, /^3\./)
  t.ok(Object.keys(spec.paths).length > 50, 'the whole spec')
  // Swagger UI's page and its assets: @fastify/static, external to the bundle, finds its files.
  const docs = await fetch(`${s.base}/docs/`)
  t.equal(docs.status, 200)
  t.match(await docs.text(), /swagger/i)
  const css = await fetch(`${s.base}/docs/static/swagger-ui.css`)
  t.equal(css.status, 200)
  t.ok((await css.text()).length > 10_000, 'the stylesheet itself')
  t.equal((await fetch(`${s.base}/v1/articles/no-such-article`)).status, 404)
  s.child.kill('SIGTERM')
  const { code } = await s.exited
  t.equal(code, 0, 'exits cleanly')
  t.equal(s.stderr(), '', 'nothing on standard error')
})
