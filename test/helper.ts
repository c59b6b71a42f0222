// build(t): a fresh, migrated database and an app on it for one test file, torn down after.
import { randomBytes, randomInt } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { Test } from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { type Database, openDatabase } from '../src/db/database.js'
import { applyMigrations } from '../src/db/migrations.js'
import type { Problem as ProblemSchemaType } from '../src/http/schemas.js'
import type { Page } from '../src/lib/pagination.js'
import type { Scope } from '../src/lib/principal.js'
import { createKeysService } from '../src/modules/keys/keys.service.js'
import type { MediaStorage } from '../src/modules/media/media.storage.js'
import type { Resolve } from '../src/modules/webhooks/webhooks.address.js'
import { serverUrl, templateName, withDatabase } from './db-url.js'
import { checkEveryResponse } from './spec-check.js'

export interface TestDatabase {
  db: Database
  url?: string
}

/** A new database for one test file: cloned from the migrated template, or in-memory PGlite. */
export async function createTestDatabase(t: Test): Promise<TestDatabase> {
  if (!serverUrl) {
    const db = await openDatabase({ kind: 'embedded', dataDir: 'memory://' })
    await applyMigrations(db.adapterFactory)
    t.teardown(() => db.close())
    return { db }
  }
  const name = `newsdesk_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(serverUrl)}"`)
  } finally {
    await admin.end()
  }
  const url = withDatabase(serverUrl, name)
  const db = await openDatabase({ kind: 'server', url, poolMax: 5 })
  t.teardown(async () => {
    await db.close()
    const cleanup = new pg.Client({ connectionString: serverUrl })
    await cleanup.connect()
    await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await cleanup.end()
  })
  return { db, url }
}

export interface BuildOptions {
  env?: NodeJS.ProcessEnv
  database?: TestDatabase
  clock?: () => Date
  /** DNS answers for webhook addresses (the system resolver by default). */
  resolveHost?: Resolve
  /** Where media bytes go (a folder made for the test by default); tests pass one that fails. */
  mediaStorage?: MediaStorage
}

/** A clock the test moves by hand: time-dependent behaviour is tested without sleeping. */
export function testClock(start = new Date()) {
  let now = start.getTime()
  const clock = () => new Date(now)
  return Object.assign(clock, {
    advance(ms: number) {
      now += ms
    },
    set(date: Date) {
      now = date.getTime()
    },
  })
}

/** Creates an API key directly (as the command line does) and returns its token. */
export async function createKey(db: Database, scopes: Scope[], extra: { expiresAt?: string; rateLimit?: number } = {}) {
  const keys = createKeysService(db.prisma, { clock: () => new Date() })
  const key = await keys.createFromCli({ name: `test ${scopes.join(' ')}`, scopes, ...extra })
  return { id: key.id, token: key.secret, headers: { authorization: `Bearer ${key.secret}` } }
}

/** A media folder for one test file, removed when it ends. */
export async function mediaDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'newsdesk-media-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** An app on its own database (or the one given), closed when the test ends. */
export async function build(t: Test, options: BuildOptions = {}) {
  const database = options.database ?? (await createTestDatabase(t))
  const config = loadConfig({ LOG_LEVEL: 'silent', MEDIA_DIR: await mediaDir(t), ...options.env })
  const app = await buildApp({
    config,
    db: database.db,
    clock: options.clock,
    resolveHost: options.resolveHost,
    mediaStorage: options.mediaStorage,
  })
  t.teardown(() => app.close())
  await app.ready()
  if (process.env.CHECK_RESPONSES === '1') checkEveryResponse(app)
  const writer = await createKey(database.db, ['content:write'])
  return { app, db: database.db, database, writer, auth: writer.headers }
}

/** Parses a JSON response body. */
export function json<T = Record<string, unknown>>(res: { body: string }): T {
  return JSON.parse(res.body) as T
}

/** A problem body as the API sends it, with any extension members. */
export type Problem = ProblemSchemaType & Record<string, unknown>
export type { Page }

/** An inject response, as far as the assertions below read it. */
export interface Res {
  statusCode: number
  headers: Record<string, unknown>
  body: string
}

/** A well-formed id that no record has. */
export const missingId = '00000000-0000-4000-8000-000000000000'

/** A client address no other request of the run is likely to have used (rate limits count per IP). */
export const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

/** Asserts an RFC 9457 problem response with this status and code, and no stack trace. */
export function assertProblem(t: Test, res: Res, status: number, code: string): Problem {
  t.equal(res.statusCode, status, `status ${status}`)
  t.match(String(res.headers['content-type']), /^application\/problem\+json/)
  const body = json<Problem>(res)
  t.equal(body.status, status)
  t.equal(body.code, code)
  t.type(body.title, 'string')
  t.type(body.detail, 'string')
  t.match(body.type, /^https:\/\/newsdesk\.dev\/problems\//)
  t.equal(body.requestId, res.headers['x-request-id'])
  t.notMatch(res.body, /at .*\.(ts|js):\d+/, 'no stack trace')
  return body
}

/** The pointers a 400 names, sorted. */
export function pointers(t: Test, res: Res): string[] {
  const problem = assertProblem(t, res, 400, 'ND_VALIDATION_FAILED')
  return (problem.errors ?? []).map((e) => e.pointer).sort()
}
