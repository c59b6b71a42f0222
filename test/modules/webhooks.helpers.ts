// Shared by the webhook tests: an app with injected DNS answers and its delivery task, a real
// HTTP receiver on 127.0.0.1, change events written as content writes write them, and
// verification as a receiver would do it at the app's time.
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Webhook as Verifier } from 'standardwebhooks'
import type { Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import { insertEvents, type NewEvent } from '../../src/modules/changes/changes.repository.js'
import type { Resolve } from '../../src/modules/webhooks/webhooks.address.js'
import { createDeliveryTask } from '../../src/modules/webhooks/webhooks.worker.js'
import { createKey, createTestDatabase, type TestDatabase } from '../helper.js'

export { assertProblem, json, missingId, type Problem, testClock } from '../helper.js'

export interface WebhookBody {
  id: string
  url: string
  description: string | null
  events: string[]
  filter: { source: string | null; tag: string | null; collection: string | null }
  receivesDrafts: boolean
  enabled: boolean
  disabledReason: string | null
  disabledAt: string | null
  consecutiveFailures: number
  previousSecretExpiresAt: string | null
  version: number
  createdBy: string | null
  updatedBy: string | null
  createdAt: string
  updatedAt: string
  secret?: string
}

export interface DeliveryBody {
  id: string
  webhookId: string
  eventId: string | null
  eventType: string
  status: 'pending' | 'succeeded' | 'failed'
  attempts: number
  nextAttemptAt: string | null
  lastAttemptAt: string | null
  createdAt: string
  attemptLog: {
    attemptedAt: string
    statusCode: number | null
    durationMs: number
    error: string | null
    responseBody: string | null
  }[]
}

/** DNS answers for the tests: public, private and unknown names. */
export const resolveHost: Resolve = async (hostname) => {
  const answers: Record<string, string> = {
    'hooks.example.com': '93.184.216.34',
    'internal.example.com': '10.0.0.5',
    'rebind.example.com': '127.0.0.1',
  }
  const address = answers[hostname] ?? (hostname === 'localhost' ? '127.0.0.1' : undefined)
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  return [{ address, family: 4 }]
}

/** The settings delivery tests run with: local receivers over http, attempts cut short quickly. */
export const deliveryEnv = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_TIMEOUT_MS: '300',
}

export interface HooksOptions {
  env?: NodeJS.ProcessEnv
  clock?: () => Date
  database?: TestDatabase
}

/** An app on its own database (or the one given), a webhooks:manage key, and the delivery task. */
export async function buildHooks(t: Test, options: HooksOptions = {}) {
  const database = options.database ?? (await createTestDatabase(t))
  // The tests run the delivery task themselves (task.run(), or a worker of their own), so the
  // app's background worker would only race them.
  const config = loadConfig({ LOG_LEVEL: 'silent', WEBHOOK_WORKER: 'false', ...options.env })
  const clock = options.clock ?? (() => new Date())
  const app = await buildApp({ config, db: database.db, clock, resolveHost })
  t.teardown(() => app.close())
  await app.ready()
  const manager = await createKey(database.db, ['webhooks:manage'])
  const task = createDeliveryTask(database.db.prisma, {
    clock,
    settings: config.webhooks,
    resolve: resolveHost,
    log: app.log,
  })
  const api = {
    create: (payload: object, headers = manager.headers) =>
      app.inject({ method: 'POST', url: '/v1/webhooks', headers, payload }),
    get: (id: string) => app.inject({ url: `/v1/webhooks/${id}`, headers: manager.headers }),
    patch: (id: string, payload: object, extra: Record<string, string> = {}) =>
      app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, headers: { ...manager.headers, ...extra }, payload }),
    post: (path: string) => app.inject({ method: 'POST', url: `/v1/webhooks/${path}`, headers: manager.headers }),
    deliveries: (id: string, query = '') =>
      app.inject({ url: `/v1/webhooks/${id}/deliveries${query}`, headers: manager.headers }),
  }
  return { app, db: database.db, database, config, manager, task, api }
}

export interface Receipt {
  headers: Record<string, string>
  body: string
}

export interface Answer {
  status: number
  body?: string
  delayMs?: number
}

/** An HTTP receiver on 127.0.0.1 answering each request (n: 1 for the first) as `answer` says. */
export async function startReceiver(t: Test, answer: (n: number, r: Receipt) => Answer = () => ({ status: 200 })) {
  const received: Receipt[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const receipt = { headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') }
      received.push(receipt)
      const { status, body = 'ok', delayMs = 0 } = answer(received.length, receipt)
      // Unreferenced: a receiver still waiting does not hold the test process open.
      if (delayMs > 0) await sleep(delayMs, undefined, { ref: false })
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain' }).end(body)
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
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, received }
}

/** A port nothing listens on (a receiver that is down). */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/down`
}

/** Verifies a delivery as a receiver whose clock reads `at` would (Standard Webhooks checks the timestamp). */
export function verifyAt(secret: string, receipt: Receipt, at: Date): unknown {
  const realNow = Date.now
  Date.now = () => at.getTime()
  try {
    return new Verifier(secret).verify(receipt.body, receipt.headers)
  } finally {
    Date.now = realNow
  }
}

/** A public source event, as a content write would record it. */
export function sourceEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    type: 'source.created',
    occurredAt: new Date(),
    resourceType: 'source',
    resourceId: randomUUID(),
    resourceSlug: 'reuters',
    resourceVersion: null,
    changedFields: ['name', 'slug'],
    surrogateKeys: ['sources'],
    public: true,
    sourceIds: [],
    tags: [],
    collectionIds: [],
    ...overrides,
  }
}

/** Writes events (and enqueues their deliveries) as a content write does, in one transaction. */
export async function writeEvents(db: Database, events: NewEvent[], now: Date): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    await insertEvents(tx, events, { keyId: null, requestId: null }, now)
  })
}
