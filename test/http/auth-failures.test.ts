// Failed authentications: limited per client IP (429 with Retry-After), and a token that just
// failed costs no second database lookup. Lookups are counted on the real database through a
// Prisma query extension on raw statements.
import { randomBytes } from 'node:crypto'
import { test } from 'tap'
import type { PrismaClient } from '../../src/db/database.js'
import { BoundedMap } from '../../src/lib/bounded-map.js'
import { assertProblem, build, createKey, createTestDatabase, testClock } from '../helper.js'

/**
 * A test database whose API key lookups are counted. The lookup is one raw statement on
 * api_keys; on this extended client (which has no direct reader of the pool) it runs as $queryRaw.
 */
async function countingDatabase(t: Parameters<typeof createTestDatabase>[0]) {
  const database = await createTestDatabase(t)
  const counter = { lookups: 0 }
  const prisma = database.db.prisma.$extends({
    query: {
      async $queryRaw({ args, query }) {
        if (/\bFROM api_keys\b/i.test(JSON.stringify(args))) counter.lookups++
        return query(args)
      },
    },
  }) as unknown as PrismaClient
  return { database: { ...database, db: { ...database.db, prisma } }, counter }
}

const env = { AUTH_FAILURE_MAX: '5', AUTH_FAILURE_WINDOW_MS: '60000' }
const wellFormed = () => `nd_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('base64url')}`
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

test('a repeated bad token costs one lookup; the IP is limited after its failure budget', async (t) => {
  const clock = testClock()
  const { database, counter } = await countingDatabase(t)
  const { app, writer } = await build(t, { database, clock, env })
  const attacker = '203.0.113.7'
  const token = wellFormed()
  const get = (headers: Record<string, string>, remoteAddress = attacker) =>
    app.inject({ url: '/v1/keys', headers, remoteAddress })

  counter.lookups = 0
  for (let i = 0; i < 5; i++) assertProblem(t, await get(bearer(token)), 401, 'ND_UNAUTHORIZED')
  t.equal(counter.lookups, 1, 'five tries of one token: one lookup (then the negative cache)')

  const limited = await get(bearer(token))
  const problem = assertProblem(t, limited, 429, 'ND_TOO_MANY_AUTH_FAILURES')
  t.equal(limited.headers['retry-after'], '60', 'Retry-After: the rest of the window')
  t.match(problem.detail, /retry in 60 seconds/)
  for (let i = 0; i < 200; i++) await get(bearer(wellFormed()))
  t.equal(counter.lookups, 1, 'a flood of other tokens from the limited IP reaches no database')
  t.equal((await get(writer.headers)).statusCode, 429, 'credentials from the limited IP wait for the window')
  t.equal((await app.inject({ url: '/v1/sources', remoteAddress: attacker })).statusCode, 200, 'anonymous reads do not')

  const elsewhere = await get(writer.headers, '198.51.100.1')
  t.equal(elsewhere.statusCode, 403, 'a valid key from another IP authenticates (and lacks keys:manage)')

  clock.advance(30_000)
  t.equal((await get(bearer(token))).headers['retry-after'], '30', 'Retry-After counts down')
  clock.advance(30_000)
  counter.lookups = 0
  assertProblem(t, await get(bearer(token)), 401, 'ND_UNAUTHORIZED')
  t.equal(counter.lookups, 1, 'after the window and the cache time the token is looked up again')
})

test('distinct bad tokens cost one lookup each, up to the budget; malformed ones none', async (t) => {
  const { database, counter } = await countingDatabase(t)
  const { app } = await build(t, { database, env: { ...env, AUTH_FAILURE_MAX: '50' } })
  counter.lookups = 0
  const statuses: number[] = []
  for (let i = 0; i < 80; i++) {
    const res = await app.inject({ url: '/v1/sources', headers: bearer(wellFormed()), remoteAddress: '192.0.2.9' })
    statuses.push(res.statusCode)
  }
  t.equal(statuses.filter((s) => s === 401).length, 50)
  t.equal(statuses.filter((s) => s === 429).length, 30)
  t.equal(counter.lookups, 50, 'no lookup once the IP is limited')

  const malformed = ['Bearer nope', 'Basic dXNlcjpwYXNz', 'Bearer', `Bearer nd_${'0'.repeat(32)}_short`]
  counter.lookups = 0
  for (const authorization of malformed) {
    const res = await app.inject({ url: '/v1/sources', headers: { authorization }, remoteAddress: '192.0.2.10' })
    assertProblem(t, res, 401, 'ND_UNAUTHORIZED')
  }
  t.equal(counter.lookups, 0, 'malformed credentials never reach the database')
})

test('valid keys are not slowed: every request is authenticated as before, and counts no failure', async (t) => {
  const { database, counter } = await countingDatabase(t)
  const { app, db } = await build(t, { database, env: { ...env, AUTH_FAILURE_MAX: '1' } })
  const reader = await createKey(db, ['content:read'])
  const ip = '192.0.2.20'
  counter.lookups = 0
  for (let i = 0; i < 20; i++) {
    const res = await app.inject({ url: '/v1/sources', headers: reader.headers, remoteAddress: ip })
    t.equal(res.statusCode, 200)
  }
  t.equal(counter.lookups, 20, 'one lookup per request, as before')
  const forbidden = await app.inject({ method: 'POST', url: '/v1/sources', headers: reader.headers, remoteAddress: ip })
  assertProblem(t, forbidden, 403, 'ND_FORBIDDEN')
  const after = await app.inject({ url: '/v1/sources', headers: reader.headers, remoteAddress: ip })
  t.equal(after.statusCode, 200, 'a 403 (valid key, missing scope) is not a failed authentication')

  const revoked = await createKey(db, ['content:read'])
  await db.prisma.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } })
  assertProblem(
    t,
    await app.inject({ url: '/v1/sources', headers: revoked.headers, remoteAddress: ip }),
    401,
    'ND_UNAUTHORIZED',
  )
  t.equal(
    (await app.inject({ url: '/v1/sources', headers: reader.headers, remoteAddress: ip })).statusCode,
    429,
    'one failure is this budget: the IP is limited',
  )
})

test('the negative cache and the failure counts are bounded', async (t) => {
  const map = new BoundedMap<number>(3)
  for (let i = 0; i < 10; i++) map.set(`k${i}`, i, 1000)
  t.equal(map.size, 3, 'never more entries than the bound')
  t.equal(map.get('k9', 0), 9)
  t.equal(map.get('k6', 0), undefined, 'the oldest went first')
  map.set('k7', 7, 1000)
  map.set('k10', 10, 1000)
  t.equal(map.get('k7', 0), 7, 'rewriting an entry makes it the newest')
  t.equal(map.get('k8', 0), undefined)
  t.equal(map.get('k7', 1000), undefined, 'expired entries are gone')
})

test('an expired key whose expiry is extended works at once: it is never remembered as invalid', async (t) => {
  const clock = testClock()
  const { app, db } = await build(t, { clock, env })
  const manager = await createKey(db, ['keys:manage'])
  const expiring = await createKey(db, ['content:read'], {
    expiresAt: new Date(clock().getTime() + 1000).toISOString(),
  })
  clock.advance(2000)
  assertProblem(t, await app.inject({ url: '/v1/articles', headers: expiring.headers }), 401, 'ND_UNAUTHORIZED')
  const extended = await app.inject({
    method: 'PATCH',
    url: `/v1/keys/${expiring.id}`,
    headers: manager.headers,
    payload: { expiresAt: new Date(clock().getTime() + 3_600_000).toISOString() },
  })
  t.equal(extended.statusCode, 200, 'expiry extended')
  t.equal((await app.inject({ url: '/v1/articles', headers: expiring.headers })).statusCode, 200, 'the key works again')
})

test('behind one proxy (TRUST_PROXY=1) a client cannot pick its address with X-Forwarded-For', async (t) => {
  const { app } = await build(t, { env: { ...env, TRUST_PROXY: '1' } })
  const proxy = '10.0.0.2'
  // The proxy appends the address it saw; whatever the client put before it is not believed.
  const from = (client: string, forged: string) =>
    app.inject({
      url: '/v1/keys',
      headers: { ...bearer(wellFormed()), 'x-forwarded-for': `${forged}, ${client}` },
      remoteAddress: proxy,
    })
  const statuses: number[] = []
  for (let i = 0; i < 8; i++) statuses.push((await from('198.51.100.20', `203.0.113.${i}`)).statusCode)
  t.same(statuses, [401, 401, 401, 401, 401, 429, 429, 429], 'one client, whatever it forges, has one budget')
  t.equal((await from('198.51.100.21', '203.0.113.1')).statusCode, 401, 'another client behind the proxy has its own')
})
