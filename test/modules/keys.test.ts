import { createHash } from 'node:crypto'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Test, test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import type { Scope } from '../../src/lib/principal.js'
import {
  assertProblem,
  build,
  createKey,
  createTestDatabase,
  json,
  type Page,
  type Problem,
  testClock,
} from '../helper.js'

interface ApiKey {
  id: string
  prefix: string
  name: string
  scopes: string[]
  status: 'active' | 'revoked' | 'expired'
  rateLimit: number | null
  expiresAt: string | null
  lastUsedAt: string | null
  revokedAt: string | null
  createdBy: string | null
  createdAt: string
  updatedAt: string
}
interface CreatedKey extends ApiKey {
  secret: string
}
interface Res {
  statusCode: number
  headers: Record<string, unknown>
  body: string
}

const secretPattern = /^nd_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

function assertUnauthorized(t: Test, res: Res, detail: RegExp): Problem {
  const problem = assertProblem(t, res, 401, 'ND_UNAUTHORIZED')
  t.match(String(res.headers['www-authenticate']), /^Bearer/, 'WWW-Authenticate: Bearer')
  t.match(problem.detail, detail)
  return problem
}

/** Polls until the key's last_used_at is set (it is written in the background). */
async function lastUsedAt(db: Database, id: string): Promise<Date | null> {
  for (let i = 0; i < 50; i++) {
    const row = await db.prisma.apiKey.findUnique({ where: { id } })
    if (row?.lastUsedAt) return row.lastUsedAt
    await sleep(20)
  }
  return null
}

test('API keys', async (t) => {
  const { app, db } = await build(t)
  // Holds every scope, so it may grant any (see the scope escalation test below).
  const manager = await createKey(db, ['content:write', 'keys:manage'])
  const create = (payload: unknown, headers: Record<string, string> = manager.headers) =>
    app.inject({ method: 'POST', url: '/v1/keys', headers, payload: payload as object })
  const patch = (id: string, payload: unknown) =>
    app.inject({ method: 'PATCH', url: `/v1/keys/${id}`, headers: manager.headers, payload: payload as object })
  const revoke = (id: string) => app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: manager.headers })
  const get = (id: string) => app.inject({ url: `/v1/keys/${id}`, headers: manager.headers })
  const newKey = async (scopes: Scope[], extra: Record<string, unknown> = {}) => {
    const res = await create({ name: `key ${scopes.join(' ')}`, scopes, ...extra })
    t.equal(res.statusCode, 201, `created a ${scopes.join(' ')} key`)
    return json<CreatedKey>(res)
  }

  await t.test('create: the secret is returned once, with no-store, and works as a bearer token', async (t) => {
    const res = await create({ name: 'Frontend (production)', scopes: ['content:read'] })
    t.equal(res.statusCode, 201)
    t.match(String(res.headers['content-type']), /^application\/json/)
    t.equal(res.headers['cache-control'], 'no-store')
    const key = json<CreatedKey>(res)
    t.equal(res.headers.location, `/v1/keys/${key.id}`)
    t.match(key.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUIDv7 id')
    t.match(key.secret, secretPattern)
    t.equal(key.prefix, key.secret.slice(0, 35))
    t.equal(key.prefix, `nd_${key.id.replace(/-/g, '')}`)
    t.same(
      { ...key, secret: undefined, id: undefined, prefix: undefined, createdAt: undefined, updatedAt: undefined },
      {
        name: 'Frontend (production)',
        scopes: ['content:read'],
        status: 'active',
        rateLimit: null,
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
        createdBy: manager.id,
      },
    )
    t.equal(key.createdBy, manager.id, 'createdBy is the key that made it')
    t.equal(key.createdAt, key.updatedAt)

    const read = await app.inject({ url: '/v1/sources', headers: bearer(key.secret) })
    t.equal(read.statusCode, 200, 'the new content:read key reads')
    const write = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: bearer(key.secret),
      payload: { name: 'Nope', kind: 'agency' },
    })
    t.match(assertProblem(t, write, 403, 'ND_FORBIDDEN').detail, /content:write/)

    const admin = await newKey(['keys:manage'], { rateLimit: 50, expiresAt: '2999-01-01T00:00:00.000Z' })
    t.equal(admin.rateLimit, 50)
    t.equal(admin.expiresAt, '2999-01-01T00:00:00.000Z')
    t.equal(admin.status, 'active')
    const listed = await app.inject({ url: '/v1/keys', headers: bearer(admin.secret) })
    t.equal(listed.statusCode, 200, 'the new keys:manage key manages keys')
    t.equal(listed.headers['ratelimit-limit'], '50', "the key's own rate limit applies")

    const row = await db.prisma.apiKey.findUnique({ where: { id: admin.id } })
    t.equal(row?.createdById, manager.id, 'created_by_id is stored')
    t.same(row?.scopes, ['keys:manage'])

    const mixed = await newKey(['keys:manage', 'content:read', 'content:write'])
    t.same(mixed.scopes, ['content:read', 'content:write', 'keys:manage'], 'scopes in canonical order')

    assertUnauthorized(
      t,
      await app.inject({ url: '/v1/keys', headers: bearer(`${key.prefix}_${'A'.repeat(43)}`) }),
      /not valid/,
    )
  })

  await t.test('the secret never appears again: not in reads, not in the database', async (t) => {
    const key = await newKey(['content:read'])
    const secretPart = key.secret.slice(36)
    t.equal(key.secret, `${key.prefix}_${secretPart}`)

    const one = await get(key.id)
    t.equal(one.statusCode, 200)
    t.notOk('secret' in json(one))
    t.notOk('secretHash' in json(one))
    t.notMatch(one.body, secretPart)
    const { secret: _secret, ...withoutSecret } = key
    t.same(json(one), withoutSecret, 'GET returns the key as created, less the secret')

    const list = await app.inject({ url: '/v1/keys?limit=100', headers: manager.headers })
    t.equal(list.statusCode, 200)
    t.notMatch(list.body, secretPart)
    t.notMatch(list.body, /secret/i, 'no secret or secretHash in the list')
    t.ok(json<Page<ApiKey>>(list).data.some((k) => k.id === key.id))

    const row = await db.prisma.apiKey.findUnique({ where: { id: key.id } })
    t.ok(row)
    t.match(row?.secretHash, /^[0-9a-f]{64}$/)
    t.not(row?.secretHash, secretPart)
    t.not(row?.secretHash, key.secret)
    t.equal(row?.secretHash, createHash('sha256').update(secretPart).digest('hex'), 'a SHA-256 of the secret')
    t.notMatch(JSON.stringify(row), secretPart, 'no column holds the secret')
  })

  await t.test('the list is newest first, paginated, and never carries secrets', async (t) => {
    const made: string[] = []
    for (let i = 0; i < 5; i++) made.push((await newKey(['content:read'], { name: `paged ${i}` })).id)
    const full = json<Page<ApiKey>>(await app.inject({ url: '/v1/keys?limit=100', headers: manager.headers }))
    t.equal(full.page.nextCursor, null)
    const ids = full.data.map((k) => k.id)
    t.same(
      ids.filter((id) => made.includes(id)),
      [...made].reverse(),
      'newest first',
    )
    for (const [i, k] of full.data.entries()) {
      t.notOk('secret' in k || 'secretHash' in k, `item ${i} has no secret`)
      const next = full.data[i + 1]
      if (next) t.ok(k.createdAt >= next.createdAt, 'createdAt descends')
    }
    t.equal(ids.length, await db.prisma.apiKey.count())

    const walked: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res = await app.inject({
        url: `/v1/keys?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        headers: manager.headers,
      })
      t.equal(res.statusCode, 200)
      const page: Page<ApiKey> = json<Page<ApiKey>>(res)
      t.equal(page.data.length, 1)
      t.notMatch(res.body, /secret/i)
      walked.push(...page.data.map((k) => k.id))
      cursor = page.page.nextCursor
      if (cursor) t.match(res.headers.link, new RegExp(`/v1/keys\\?limit=1&cursor=${cursor}>; rel="next"$`))
      else t.notOk(res.headers.link, 'no Link header on the last page')
      pages++
    } while (cursor && pages < 100)
    t.same(walked, ids, 'limit=1 pages neither skip nor repeat')

    const bad = await app.inject({ url: '/v1/keys?status=active', headers: manager.headers })
    t.same(
      assertProblem(t, bad, 400, 'ND_VALIDATION_FAILED').errors?.map((e) => e.pointer),
      ['/status'],
    )
    assertProblem(
      t,
      await app.inject({ url: '/v1/keys?cursor=AAAA', headers: manager.headers }),
      400,
      'ND_INVALID_CURSOR',
    )
  })

  await t.test('create: server-owned fields, bad scopes and past expiry are rejected', async (t) => {
    const before = await db.prisma.apiKey.count()
    const owned = await create({
      name: 'Sneaky',
      scopes: ['content:read'],
      id: '019ac0de-7a1e-7000-8000-00000000b001',
      createdAt: '2020-01-01T00:00:00.000Z',
      secretHash: 'a'.repeat(64),
      secret: 'nd_019ac0de7a1e7000800000000000b001_xxx',
      lastUsedAt: '2020-01-01T00:00:00.000Z',
      revokedAt: null,
      createdBy: manager.id,
    })
    const problem = assertProblem(t, owned, 400, 'ND_VALIDATION_FAILED')
    t.same(
      problem.errors?.map((e) => e.pointer).sort(),
      ['/createdAt', '/createdBy', '/id', '/lastUsedAt', '/revokedAt', '/secret', '/secretHash'],
      'each server-owned field is named',
    )
    t.ok(problem.errors?.every((e) => e.in === 'body' && e.message === 'is not an allowed field'))

    const unknownScope = assertProblem(
      t,
      await create({ name: 'x', scopes: ['content:read', 'admin'] }),
      400,
      'ND_VALIDATION_FAILED',
    )
    t.same(
      unknownScope.errors?.map((e) => e.pointer),
      ['/scopes/1'],
    )
    const empty = assertProblem(t, await create({ name: 'x', scopes: [] }), 400, 'ND_VALIDATION_FAILED')
    t.same(
      empty.errors?.map((e) => e.pointer),
      ['/scopes'],
    )
    const missing = assertProblem(t, await create({}), 400, 'ND_VALIDATION_FAILED')
    t.same(missing.errors?.map((e) => e.pointer).sort(), ['/name', '/scopes'])
    assertProblem(t, await create({ name: 'x', scopes: ['content:read', 'content:read'] }), 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, await create({ name: 'x', scopes: 'content:read' }), 400, 'ND_VALIDATION_FAILED')
    const badDate = assertProblem(
      t,
      await create({ name: 'x', scopes: ['content:read'], expiresAt: 'tomorrow' }),
      400,
      'ND_VALIDATION_FAILED',
    )
    t.same(
      badDate.errors?.map((e) => e.pointer),
      ['/expiresAt'],
    )

    const past = await create({
      name: 'Expired at birth',
      scopes: ['content:read'],
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    })
    t.equal(past.statusCode, 400)
    t.match(String(past.headers['content-type']), /^application\/problem\+json/)
    const pastProblem = json<Problem>(past)
    t.same(
      pastProblem.errors?.map((e) => e.pointer),
      ['/expiresAt'],
    )
    t.match(pastProblem.detail, /expiresAt/)
    t.equal(pastProblem.code, 'ND_VALIDATION_FAILED', 'the same code as any other invalid field')
    t.equal(pastProblem.requestId, past.headers['x-request-id'])

    t.equal(await db.prisma.apiKey.count(), before, 'no rejected request created a key')
  })

  await t.test('PATCH renames and narrows, never widens', async (t) => {
    const key = await newKey(['content:write'])
    const renamed = await patch(key.id, { name: 'Ingest job' })
    t.equal(renamed.statusCode, 200)
    t.equal(json<ApiKey>(renamed).name, 'Ingest job')
    t.same(json<ApiKey>(renamed).scopes, ['content:write'])
    t.notOk('secret' in json(renamed))
    const pastExpiry = await patch(key.id, { expiresAt: new Date(Date.now() - 60_000).toISOString() })
    t.equal(pastExpiry.statusCode, 400, 'PATCH refuses a past expiry, as create does')
    t.same(
      json<Problem>(pastExpiry).errors?.map((e) => e.pointer),
      ['/expiresAt'],
    )

    const okWrite = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: bearer(key.secret),
      payload: { name: 'Before narrowing', kind: 'agency' },
    })
    t.equal(okWrite.statusCode, 201, 'the write key writes')

    const narrowed = await patch(key.id, { scopes: ['content:read'] })
    t.equal(narrowed.statusCode, 200)
    t.same(json<ApiKey>(narrowed).scopes, ['content:read'])
    t.same((await db.prisma.apiKey.findUnique({ where: { id: key.id } }))?.scopes, ['content:read'])
    const denied = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: bearer(key.secret),
      payload: { name: 'After narrowing', kind: 'agency' },
    })
    t.match(assertProblem(t, denied, 403, 'ND_FORBIDDEN').detail, /content:write/, 'the narrowed key cannot write')
    t.equal((await app.inject({ url: '/v1/sources', headers: bearer(key.secret) })).statusCode, 200, 'but reads')

    const rowBefore = await db.prisma.apiKey.findUnique({ where: { id: key.id } })
    const widen = assertProblem(t, await patch(key.id, { scopes: ['content:write'] }), 409, 'ND_CONFLICT')
    t.same(widen.widenedScopes, ['content:write'])
    const addManage = assertProblem(
      t,
      await patch(key.id, { name: 'Escalated', scopes: ['content:read', 'keys:manage'] }),
      409,
      'ND_CONFLICT',
    )
    t.same(addManage.widenedScopes, ['keys:manage'])
    t.match(addManage.detail, /keys:manage/)
    t.same(await db.prisma.apiKey.findUnique({ where: { id: key.id } }), rowBefore, 'the key is unchanged')
    t.equal((await app.inject({ url: '/v1/keys', headers: bearer(key.secret) })).statusCode, 403)

    const owned = await patch(key.id, { secretHash: 'a'.repeat(64), revokedAt: null })
    t.same(
      assertProblem(t, owned, 400, 'ND_VALIDATION_FAILED')
        .errors?.map((e) => e.pointer)
        .sort(),
      ['/revokedAt', '/secretHash'],
    )
    assertProblem(t, await patch(key.id, {}), 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, await patch('00000000-0000-4000-8000-000000000000', { name: 'x' }), 404, 'ND_NOT_FOUND')

    t.equal((await revoke(key.id)).statusCode, 204)
    const revokedRow = await db.prisma.apiKey.findUnique({ where: { id: key.id } })
    assertProblem(t, await patch(key.id, { name: 'Revived?' }), 409, 'ND_CONFLICT')
    assertProblem(t, await patch(key.id, { scopes: ['content:read'] }), 409, 'ND_CONFLICT')
    t.same(await db.prisma.apiKey.findUnique({ where: { id: key.id } }), revokedRow, 'a revoked key stays as it was')
  })

  await t.test('DELETE revokes from the next request on; revoking again changes nothing', async (t) => {
    const key = await newKey(['keys:manage'])
    t.equal((await app.inject({ url: '/v1/keys', headers: bearer(key.secret) })).statusCode, 200)

    const del = await revoke(key.id)
    t.equal(del.statusCode, 204)
    t.equal(del.body, '')
    assertUnauthorized(t, await app.inject({ url: '/v1/keys', headers: bearer(key.secret) }), /revoked/)
    assertUnauthorized(t, await app.inject({ url: '/v1/sources', headers: bearer(key.secret) }), /revoked/)

    const shown = json<ApiKey>(await get(key.id))
    t.equal(shown.status, 'revoked')
    t.type(shown.revokedAt, 'string')
    t.ok(Date.parse(shown.revokedAt ?? '') <= Date.now())

    const again = await revoke(key.id)
    t.equal(again.statusCode, 204)
    t.equal(json<ApiKey>(await get(key.id)).revokedAt, shown.revokedAt, 'revokedAt unchanged')

    assertProblem(t, await revoke('00000000-0000-4000-8000-000000000000'), 404, 'ND_NOT_FOUND')
    assertProblem(t, await get('00000000-0000-4000-8000-000000000000'), 404, 'ND_NOT_FOUND')
    assertProblem(t, await get('not-a-uuid'), 400, 'ND_VALIDATION_FAILED')
  })

  await t.test('lastUsedAt is recorded when a key is used', async (t) => {
    const key = await newKey(['content:read'])
    t.equal(key.lastUsedAt, null)
    t.equal((await db.prisma.apiKey.findUnique({ where: { id: key.id } }))?.lastUsedAt, null, 'unused so far')
    const before = Date.now()
    t.equal((await app.inject({ url: '/v1/sources', headers: bearer(key.secret) })).statusCode, 200)
    const used = await lastUsedAt(db, key.id)
    t.ok(used, 'last_used_at is set')
    t.ok((used?.getTime() ?? 0) >= before - 1, 'to the time of use')
    t.equal(json<ApiKey>(await get(key.id)).lastUsedAt, used?.toISOString())
  })

  await t.test('the keys API needs keys:manage', async (t) => {
    const noKey = await app.inject({ url: '/v1/keys' })
    assertUnauthorized(t, noKey, /keys:manage/)
    const writer = await createKey(db, ['content:write'])
    const forbidden = await app.inject({ url: '/v1/keys', headers: writer.headers })
    t.match(assertProblem(t, forbidden, 403, 'ND_FORBIDDEN').detail, /keys:manage/)
    const escalate = await create({ name: 'mine', scopes: ['keys:manage'] }, writer.headers)
    assertProblem(t, escalate, 403, 'ND_FORBIDDEN')
  })
})

test('API key expiry follows the clock', async (t) => {
  const clock = testClock()
  const { app, db } = await build(t, { clock })
  const manager = await createKey(db, ['keys:manage'])
  const expiresAt = new Date(clock().getTime() + 3600_000).toISOString()
  const res = await app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: manager.headers,
    payload: { name: 'Short-lived', scopes: ['keys:manage'], expiresAt },
  })
  t.equal(res.statusCode, 201)
  const key = json<CreatedKey>(res)
  t.equal(key.expiresAt, expiresAt)
  t.equal(key.status, 'active')

  const used = await app.inject({ url: `/v1/keys/${key.id}`, headers: bearer(key.secret) })
  t.equal(used.statusCode, 200, 'the key works before it expires')
  t.equal(json<ApiKey>(used).status, 'active')
  t.equal((await lastUsedAt(db, key.id))?.toISOString(), clock().toISOString(), 'lastUsedAt comes from the clock')

  clock.advance(2 * 3600_000)
  const expired = await app.inject({ url: `/v1/keys/${key.id}`, headers: bearer(key.secret) })
  assertUnauthorized(t, expired, /expired/)
  const shown = await app.inject({ url: `/v1/keys/${key.id}`, headers: manager.headers })
  t.equal(shown.statusCode, 200)
  t.equal(json<ApiKey>(shown).status, 'expired')
  t.equal(json<ApiKey>(shown).revokedAt, null)

  const past = await app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: manager.headers,
    payload: { name: 'Late', scopes: ['content:read'], expiresAt: new Date(clock().getTime() - 1000).toISOString() },
  })
  t.equal(past.statusCode, 400, 'the past is judged by the clock')
  t.same(
    json<Problem>(past).errors?.map((e) => e.pointer),
    ['/expiresAt'],
  )
  const later = await app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: manager.headers,
    payload: { name: 'Later', scopes: ['keys:manage'], expiresAt: new Date(clock().getTime() + 60_000).toISOString() },
  })
  t.equal(later.statusCode, 201)
})

test('API key secrets never reach the log', async (t) => {
  const { db } = await createTestDatabase(t)
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const app = await buildApp({ config: loadConfig({}), db, logger: { level: 'trace', stream } })
  t.teardown(() => app.close())
  await app.ready()
  const manager = await createKey(db, ['keys:manage'])

  const res = await app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: manager.headers,
    payload: { name: 'Logged?', scopes: ['keys:manage'] },
  })
  t.equal(res.statusCode, 201)
  const key = json<CreatedKey>(res)
  const secretPart = key.secret.slice(36)
  t.equal((await app.inject({ url: '/v1/keys', headers: bearer(key.secret) })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/keys/${key.id}`, headers: bearer(key.secret) })).statusCode, 200)
  t.equal(
    (await app.inject({ method: 'PATCH', url: `/v1/keys/${key.id}`, headers: bearer(key.secret), payload: {} }))
      .statusCode,
    400,
  )
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/keys/${key.id}`, headers: manager.headers })).statusCode, 204)
  t.equal((await app.inject({ url: '/v1/keys', headers: bearer(key.secret) })).statusCode, 401)
  t.equal((await app.inject({ url: '/v1/sources', headers: bearer(`${key.secret}x`) })).statusCode, 401)
  await lastUsedAt(db, key.id)

  t.ok(lines.length >= 8, 'every request was logged (one access line each)')
  t.ok(
    lines.some((l) => l.includes(key.id)),
    'the key id itself may be logged',
  )
  for (const token of [key.secret, secretPart, manager.token, manager.token.slice(36)]) {
    t.notOk(
      lines.some((l) => l.includes(token)),
      'no log line holds a token or its secret',
    )
  }
})

// Who may grant what, stated apart from the implementation: content scopes are ranked
// read < preview < write, and a key holding one holds every lower one; keys:manage implies nothing.
const contentRank: Record<string, number> = { 'content:read': 1, 'content:preview': 2, 'content:write': 3 }
function mayGrant(creator: readonly Scope[], requested: readonly Scope[]): boolean {
  const highest = Math.max(0, ...creator.map((s) => contentRank[s] ?? 0))
  return requested.every((s) => (s === 'keys:manage' ? creator.includes(s) : (contentRank[s] as number) <= highest))
}

/** Every non-empty subset of the scopes. */
function subsets(of: readonly Scope[]): Scope[][] {
  return Array.from({ length: 2 ** of.length - 1 }, (_, i) => of.filter((_s, bit) => (i + 1) & (1 << bit)))
}

test('a key cannot create a key with a scope it does not hold (creator × requested)', async (t) => {
  const { app, db } = await build(t)
  const all: Scope[] = ['content:read', 'content:preview', 'content:write', 'keys:manage']
  // Only keys:manage keys reach the route; every combination of content scopes beside it.
  const creators = subsets(all).filter((s) => s.includes('keys:manage'))
  const requests = subsets(all)
  t.equal(creators.length * requests.length, 120)
  const keysBefore = await db.prisma.apiKey.count()
  let refused = 0
  for (const creatorScopes of creators) {
    const creator = await createKey(db, creatorScopes)
    for (const scopes of requests) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/keys',
        headers: creator.headers,
        payload: { name: 'Minted', scopes },
      })
      const label = `[${creatorScopes.join(' ')}] creates [${scopes.join(' ')}]`
      if (mayGrant(creatorScopes, scopes)) {
        t.equal(res.statusCode, 201, `${label}: allowed`)
        continue
      }
      refused++
      const problem = assertProblem(t, res, 403, 'ND_SCOPE_NOT_HELD')
      const expected = scopes.filter((s) => !mayGrant(creatorScopes, [s]))
      t.same(problem.scopesNotHeld, expected, `${label}: refused, naming ${expected.join(', ')}`)
    }
  }
  t.equal(refused, 42, 'the refusals the table predicts')
  t.equal(await db.prisma.apiKey.count(), keysBefore + creators.length + 120 - refused, 'a refusal creates nothing')
  t.equal(
    await db.prisma.auditEntry.count({ where: { resourceType: 'key', action: 'create', keyId: { not: null } } }),
    120 - refused,
    'and audits nothing',
  )
})
