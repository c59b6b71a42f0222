// A crash between enqueue and delivery: the real server, killed (SIGKILL) while a delivery's
// attempt is in flight, leaves the delivery pending and claimed; after a restart on the same
// database it is sent again once the claim lapses (WEBHOOK_TIMEOUT_MS + 30 s), with the same
// webhook-id and a valid signature, and recorded as succeeded. On a PostgreSQL server and on an
// embedded PGlite data folder.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import http from 'node:http'
import type net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Webhook } from 'standardwebhooks'
import { type Test, test } from 'tap'
import { type Database, openDatabase } from '../src/db/database.js'
import { serverUrl } from './db-url.js'
import { createKey, createTestDatabase } from './helper.js'
import { freePort, type Running, startServer as startProcess } from './processes.js'

interface Receipt {
  headers: Record<string, string>
  body: string
  /** When the whole request had arrived (Date.now()). */
  at: number
}

interface Keys {
  manager: string
  writer: string
}

/** Where the server's data lives, its API keys, and a look at the deliveries while no server runs. */
interface Store {
  env: NodeJS.ProcessEnv
  keys(server: Running): Promise<Keys>
  deliveries(webhookId: string): Promise<Awaited<ReturnType<typeof readDeliveries>>>
}

const settings = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_ALLOW_HTTP: 'true',
  // An attempt's claim is held for this plus 30 s: the redelivery comes about 31 s after the crash.
  WEBHOOK_TIMEOUT_MS: '1000',
  WORKER_POLL_MS: '100',
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
  RATE_LIMIT_MAX: '1000000',
  RATE_LIMIT_ANONYMOUS_MAX: '1000000',
}

/** Starts the server on a free port; killed at the end of the test if still running. */
async function startServer(t: Test, env: NodeJS.ProcessEnv): Promise<Running> {
  const running = startProcess(env, await freePort())
  t.teardown(async () => {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL')
    await running.exited
  })
  return running
}

/** Waits for `check`, at most `ms`; a timeout names what was awaited and what the server said. */
async function waitFor(check: () => boolean, what: string, ms: number, server?: Running): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) {
      const said = server
        ? `\nstderr: ${server.stderr().slice(-2000)}\nlog: ${JSON.stringify(server.lines.slice(-5))}`
        : ''
      throw new Error(`timed out after ${ms} ms waiting for ${what}${said}`)
    }
    await sleep(20)
  }
}

async function ready(server: Running, what: string): Promise<void> {
  const up = () => server.lines.some((l) => String(l.msg).startsWith('Newsdesk ready'))
  await waitFor(() => up() || server.child.exitCode !== null, what, 90_000, server)
  if (!up()) throw new Error(`${what}: the server exited\n${server.stderr()}`)
}

async function exitOf(server: Running, ms: number) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the server did not exit within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([server.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** POSTs to the server; the test fails on any status but `expected`. */
async function post<T>(server: Running, key: string, path: string, body: object, expected = 201): Promise<T> {
  const res = await fetch(`${server.base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (res.status !== expected) throw new Error(`POST ${path}: ${res.status} ${text}`)
  return JSON.parse(text) as T
}

/** A receiver on 127.0.0.1 answering each request with `answer`'s status, or never ('hang'). */
async function startReceiver(t: Test, answer: (r: Receipt) => number | 'hang') {
  const received: Receipt[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const receipt = {
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      }
      received.push(receipt)
      const status = answer(receipt)
      if (status !== 'hang') res.writeHead(status, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  const { port } = server.address() as net.AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, received }
}

function readDeliveries(db: Database, webhookId: string) {
  return db.prisma.webhookDelivery.findMany({ where: { webhookId }, include: { attemptLog: true } })
}

/** A fresh database on the PostgreSQL server, cloned from the migrated template; keys made directly. */
async function serverStore(t: Test): Promise<Store> {
  const { db, url } = await createTestDatabase(t)
  const manager = await createKey(db, ['webhooks:manage'])
  const writer = await createKey(db, ['content:write'])
  return {
    env: { DATABASE_URL: url, MIGRATE_ON_START: 'false', SEED_ON_START: 'false' },
    keys: async () => ({ manager: manager.token, writer: writer.token }),
    deliveries: (webhookId) => readDeliveries(db, webhookId),
  }
}

/**
 * An embedded data folder, migrated and seeded by the first start as `npm start` does. One process
 * at a time may open it, so the keys are made through the API with the admin key that first start
 * prints, and the deliveries are read while no server runs.
 */
async function embeddedStore(t: Test): Promise<Store> {
  const dataDir = await mkdtemp(join(tmpdir(), 'newsdesk-crash-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  return {
    env: { DATA_DIR: dataDir },
    async keys(server) {
      const admin = server.plain.find((l) => /^nd_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/.test(l))
      if (!admin) throw new Error(`the first start printed no admin key: ${server.plain.join('\n')}`)
      const key = async (scope: string) =>
        (await post<{ secret: string }>(server, admin, '/v1/keys', { name: scope, scopes: [scope] })).secret
      return { manager: await key('webhooks:manage'), writer: await key('content:write') }
    },
    async deliveries(webhookId) {
      const db = await openDatabase({ kind: 'embedded', dataDir })
      try {
        return await readDeliveries(db, webhookId)
      } finally {
        await db.close()
      }
    },
  }
}

test('a delivery in flight when the server is killed is delivered after a restart', async (t) => {
  const started = Date.now()
  const marks: string[] = []
  const mark = (what: string) => marks.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`)
  const store = serverUrl ? await serverStore(t) : await embeddedStore(t)
  const env = { ...settings, ...store.env }

  // The first request hangs, and the server is killed the moment it has arrived: the attempt's
  // WEBHOOK_TIMEOUT_MS must not run out first (it would record a failed attempt).
  let crashing: Running | undefined
  const receiver = await startReceiver(t, () => {
    if (!crashing) return 200
    crashing.child.kill('SIGKILL')
    return 'hang'
  })

  const first = await startServer(t, env)
  await ready(first, 'the first start')
  mark('first start ready')
  if (process.platform === 'linux' && 'execve' in process) {
    // src/server.ts keeps WebAssembly on V8's baseline compiler on the embedded database only.
    const args = (await readFile(`/proc/${first.child.pid}/cmdline`, 'utf8')).split('\0')
    t.equal(args.includes('--liftoff-only'), !serverUrl, `--liftoff-only ${serverUrl ? 'not ' : ''}on the command line`)
  }
  const keys = await store.keys(first)
  const webhook = { url: receiver.url, events: ['article.*'] }
  const hook = await post<{ id: string; secret: string }>(first, keys.manager, '/v1/webhooks', webhook)
  const draft = { headline: 'Delivered after a crash', body: 'The worker died mid-attempt.' }
  const article = await post<{ id: string }>(first, keys.writer, '/v1/articles', draft)
  crashing = first
  await post(first, keys.writer, `/v1/articles/${article.id}/publish`, {}, 200)
  await waitFor(() => receiver.received.length > 0, 'the delivery to reach the receiver', 15_000, first)
  const hung = receiver.received[0] as Receipt
  t.same(await exitOf(first, 10_000), { code: null, signal: 'SIGKILL' }, 'killed mid-attempt')
  crashing = undefined
  mark('killed')
  const deliveryId = hung.headers['webhook-id']
  t.match(
    JSON.parse(hung.body),
    { type: 'article.published', resource: { type: 'article', id: article.id } },
    'the attempt cut short carried the publication',
  )

  const [row, ...others] = await store.deliveries(hook.id)
  t.equal(others.length, 0, 'one delivery')
  t.match(
    row,
    { id: deliveryId, status: 'pending', attempts: 0, lastAttemptAt: null, attemptLog: [] },
    'after the crash the delivery is still pending, with no attempt recorded',
  )
  const lockedUntil = row?.lockedUntil?.getTime() ?? 0
  t.ok(lockedUntil > hung.at, 'still claimed by the dead process')

  const second = await startServer(t, env)
  await ready(second, 'the restart')
  mark('restart ready')
  await waitFor(() => receiver.received.length > 1, 'the delivery after the restart', 60_000, second)
  const again = receiver.received[1] as Receipt
  mark('delivered again')
  t.equal(again.headers['webhook-id'], deliveryId, 'the same webhook-id as the attempt cut short')
  t.ok(again.at >= lockedUntil, 'sent again once the claim lapsed')
  const event = new Webhook(hook.secret).verify(again.body, again.headers)
  t.match(event, { type: 'article.published', resource: { type: 'article', id: article.id } }, 'signed')

  const recorded = async () => {
    const page = await fetch(`${second.base}/v1/webhooks/${hook.id}/deliveries`, {
      headers: { authorization: `Bearer ${keys.manager}` },
    })
    return ((await page.json()) as { data: { status: string }[] }).data
  }
  let deliveries = await recorded()
  for (const until = Date.now() + 10_000; deliveries[0]?.status === 'pending' && Date.now() < until; ) {
    await sleep(50)
    deliveries = await recorded()
  }
  // The attempt the crash cut short left no record: only the one that succeeded counts.
  t.match(
    deliveries,
    [{ id: deliveryId, status: 'succeeded', attempts: 1, attemptLog: [{ statusCode: 200 }] }],
    'recorded as succeeded',
  )
  t.equal(deliveries.length, 1, 'one delivery')
  t.equal(receiver.received.length, 2, 'sent twice in all: at least once')

  second.child.kill('SIGTERM')
  t.equal((await exitOf(second, 15_000)).code, 0, 'stops cleanly')
  mark('stopped')
  t.comment(`${serverUrl ? 'PostgreSQL' : 'PGlite'}: ${marks.join(', ')}`)
})
