// Every registered route, every way of presenting (or not presenting) credentials.
import { readFile } from 'node:fs/promises'
import { test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Access } from '../../src/http/access.js'
import { grants, mayAccess, readsSyndicationOnly, type Scope, scopes } from '../../src/lib/principal.js'
import { specPath } from '../../src/spec.js'
import { build, createKey, createTestDatabase, json, testClock } from '../helper.js'

const scopeSets: Scope[][] = [['content:read'], ['content:preview'], ['content:write'], ['keys:manage']]

function concreteUrl(url: string): string {
  return url
    .replace(':idOrSlug', 'no-such-slug')
    .replace(':id', '00000000-0000-4000-8000-000000000000')
    .replace(':key', 'no-such-key')
}

test('access rules for every route', async (t) => {
  const clock = testClock()
  // Every route is tried with bad credentials from one address: no failure budget here
  // (auth-failures.test.ts tests it).
  const { app, db } = await build(t, { clock, env: { AUTH_FAILURE_MAX: '1000000' } })
  const routes = app.routeAccess.filter(
    (r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.url.startsWith('/docs'),
  )
  t.ok(routes.length >= 12, 'routes are enumerated')

  const spec = JSON.parse(await readFile(specPath, 'utf8')) as {
    paths: Record<string, Record<string, { security?: unknown[]; description?: string; responses: object }>>
  }
  for (const r of routes) {
    if (r.url === '/openapi.json') continue
    // A wildcard route is the hidden twin of a documented one whose parameter may hold slashes
    // (a section path): /v1/sections/* is documented as /v1/sections/{idOrPath}.
    const twin = r.url.endsWith('/*') ? r.url.slice(0, -1) : undefined
    const path = twin
      ? Object.keys(spec.paths).find((p) => p.startsWith(twin) && /^\{\w+\}$/.test(p.slice(twin.length)))
      : r.url.replace(/:(\w+)/g, '{$1}')
    const op = spec.paths[path ?? '']?.[r.method.toLowerCase()]
    t.ok(op, `${r.method} ${r.url} is in the spec`)
    if (!op || r.access === 'public') continue
    t.match(
      op.description,
      r.access === 'content:read' ? /PUBLIC_READ/ : new RegExp(`\`${r.access}\``),
      `${r.method} ${r.url} states its scope`,
    )
    t.ok(
      op.security?.some((s) => JSON.stringify(s).includes('bearerAuth')),
      `${r.method} ${r.url} lists bearerAuth`,
    )
    for (const status of ['401', '403', '429']) t.ok(status in op.responses, `${r.method} ${r.url} documents ${status}`)
  }

  const keys = Object.fromEntries(
    await Promise.all(scopeSets.map(async (s) => [s[0], await createKey(db, s)] as const)),
  ) as Record<Scope, Awaited<ReturnType<typeof createKey>>>
  const revoked = await createKey(db, ['content:write', 'keys:manage'])
  await db.prisma.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: clock() } })
  const expiring = await createKey(db, ['content:write', 'keys:manage'], {
    expiresAt: new Date(clock().getTime() + 60_000).toISOString(),
  })
  const unknown = `nd_${'0'.repeat(32)}_${'A'.repeat(43)}`

  const send = (r: { method: string; url: string }, authorization?: string) =>
    app.inject({
      method: r.method as 'GET',
      url: concreteUrl(r.url),
      headers: authorization === undefined ? {} : { authorization },
      ...(['POST', 'PATCH', 'PUT'].includes(r.method) ? { payload: {} } : {}),
    })

  for (const r of routes) {
    const name = `${r.method} ${r.url}`
    if (r.access === 'public') {
      const res = await send(r, 'Bearer nonsense')
      t.not(res.statusCode, 401, `${name} is public and ignores credentials`)
      continue
    }
    const anonymous = await send(r)
    if (r.access === 'content:read') {
      t.not(anonymous.statusCode, 401, `${name}: anonymous reads are allowed`)
    } else {
      t.equal(anonymous.statusCode, 401, `${name}: no key → 401`)
      t.match(anonymous.headers['www-authenticate'], /^Bearer/)
    }
    for (const [label, header] of [
      ['malformed header', 'Basic dXNlcjpwYXNz'],
      ['empty bearer', 'Bearer '],
      ['malformed key', 'Bearer nd_nope'],
      ['unknown key', `Bearer ${unknown}`],
      ['revoked key', revoked.headers.authorization],
    ] as const) {
      const res = await send(r, header)
      t.equal(res.statusCode, 401, `${name}: ${label} → 401`)
      t.match(res.headers['www-authenticate'], /^Bearer realm="newsdesk"/)
      t.equal(json(res).code, 'ND_UNAUTHORIZED')
    }
    t.not((await send(r, expiring.headers.authorization)).statusCode, 401, `${name}: a key before expiry works`)
    for (const scopeSet of scopeSets) {
      const key = keys[scopeSet[0] as Scope]
      const res = await send(r, key.headers.authorization)
      if (grants(scopeSet, r.access as Scope)) {
        t.notOk([401, 403].includes(res.statusCode), `${name}: ${scopeSet} is enough`)
      } else {
        t.equal(res.statusCode, 403, `${name}: ${scopeSet} is too low → 403`)
        t.match(json<{ detail: string }>(res).detail, r.access, 'the problem names the scope required')
      }
    }
  }

  clock.advance(120_000)
  for (const r of routes.filter((r) => r.access !== 'public')) {
    const res = await send(r, expiring.headers.authorization)
    t.equal(res.statusCode, 401, `${r.method} ${r.url}: expired key → 401`)
    t.match(json<{ detail: string }>(res).detail, /expired/)
  }
})

test('with PUBLIC_READ off, reads need a key', async (t) => {
  const { app, db } = await build(t, { env: { PUBLIC_READ: 'false' } })
  const res = await app.inject('/v1/sources')
  t.equal(res.statusCode, 401)
  t.match(json<{ detail: string }>(res).detail, /content:read/)
  const reader = await createKey(db, ['content:read'])
  t.equal((await app.inject({ url: '/v1/sources', headers: reader.headers })).statusCode, 200)
  const manager = await createKey(db, ['keys:manage'])
  t.equal((await app.inject({ url: '/v1/sources', headers: manager.headers })).statusCode, 403)
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'health stays public')
})

test('a route without an access rule cannot be registered', async (t) => {
  const { db } = await createTestDatabase(t)
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), db })
  t.teardown(() => app.close())
  t.throws(() => app.get('/v1/forgotten', async () => 'open'), /declares no access rule/)
})

test('scope implication', async (t) => {
  const table: [Access, Scope[]][] = [
    ['content:read', ['content:read', 'content:preview', 'content:write']],
    [
      'content:syndicate',
      ['content:syndicate', 'content:read', 'content:embargoed', 'content:preview', 'content:write'],
    ],
    ['content:embargoed', ['content:embargoed', 'content:preview', 'content:write']],
    ['content:preview', ['content:preview', 'content:write']],
    ['content:write', ['content:write']],
    ['keys:manage', ['keys:manage']],
    ['metrics:read', ['metrics:read']],
  ]
  for (const [required, holders] of table) {
    for (const s of scopes) t.equal(grants([s], required as Scope), holders.includes(s), `${s} grants ${required}?`)
  }
  // content:syndicate opens the read routes without granting content:read: its reads are the partners' view.
  t.ok(mayAccess(['content:syndicate'], 'content:read'))
  t.notOk(mayAccess(['content:syndicate'], 'content:preview'))
  t.ok(readsSyndicationOnly(['content:syndicate']))
  t.ok(readsSyndicationOnly(['content:syndicate', 'keys:manage']))
  t.notOk(readsSyndicationOnly(['content:syndicate', 'content:read']))
  // A partner under an embargo agreement reads the syndication view unless it also holds content:read.
  t.ok(mayAccess(['content:embargoed'], 'content:read'))
  t.ok(readsSyndicationOnly(['content:embargoed']))
  t.notOk(readsSyndicationOnly(['content:embargoed', 'content:read']))
  t.notOk(readsSyndicationOnly(['content:write']))
  t.notOk(readsSyndicationOnly(['keys:manage']))
})
