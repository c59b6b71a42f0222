// The response cache of public reads: hits, what is never cached, invalidation by writes (on the
// writing instance and, through the database's notifications, on every other one), expiry at the
// next scheduled change, the notification connection going down, and the memory budget.
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { test } from 'tap'
import { ResponseCache } from '../../src/http/response-cache-store.js'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, createTestDatabase, json, type Page, type TestDatabase, testClock } from '../helper.js'
import { client, env, seedSlug } from '../modules/articles.helpers.js'

const firstPage = '/v1/articles?limit=5&fields=slug,headline'
type App = Awaited<ReturnType<typeof build>>['app']

/**
 * Waits until every change committed so far has reached the app's cache. On a server the
 * notifications arrive asynchronously (the writer instance also drops its cache at once, so a
 * write's notification may land after the next read was cached, and empty it again). They arrive
 * in commit order: a marker sent now comes last, and the count goes quiet once it is in. Quiet
 * means 250 ms: on a loaded machine (CI, tests in parallel) the marker was seen to land more than
 * 50 ms after the write's own notification, and a read cached in between was emptied again.
 */
async function settle(app: App, database: TestDatabase) {
  const count = () => app.responseCache.stats().invalidations
  const before = count()
  await database.db.prisma.$executeRawUnsafe(`NOTIFY newsdesk_content`)
  const started = Date.now()
  let last = before
  let quietSince = Date.now()
  while (Date.now() - started < 5000) {
    await new Promise((r) => setTimeout(r, 5))
    if (count() !== last) {
      last = count()
      quietSince = Date.now()
    } else if (last !== before && Date.now() - quietSince >= 250) {
      return
    }
  }
}

/** A database with the example content, written before any app listens to it. */
async function seeded(t: Parameters<typeof createTestDatabase>[0]) {
  const database = await createTestDatabase(t)
  await seed(database.db.prisma)
  return database
}

test('public reads are served from memory until content changes', async (t) => {
  const clock = testClock()
  const database = await seeded(t)
  const { app, auth } = await build(t, { env, clock, database })
  const api = client(app, auth)

  const miss = await app.inject(firstPage)
  t.equal(miss.statusCode, 200)
  t.notOk(miss.headers.age, 'a miss has no Age')
  const before = app.responseCache.stats()
  clock.advance(3_000)
  const hit = await app.inject(firstPage)
  t.equal(hit.statusCode, 200)
  t.equal(hit.headers.age, '3', 'a hit tells downstream caches how long it was kept')
  t.equal(hit.body, miss.body)
  for (const name of ['etag', 'cache-control', 'last-modified', 'surrogate-key', 'content-type', 'vary']) {
    t.equal(hit.headers[name], miss.headers[name], `${name} kept`)
  }
  t.ok(hit.headers['x-request-id'] && hit.headers['x-request-id'] !== miss.headers['x-request-id'])
  t.ok(hit.headers['ratelimit-remaining'], 'rate limits still count hits')
  t.equal(app.responseCache.stats().hits, before.hits + 1)

  const revalidated = await app.inject({ url: firstPage, headers: { 'if-none-match': String(miss.headers.etag) } })
  t.equal(revalidated.statusCode, 304, 'If-None-Match is answered from the cached ETag')

  // Each URL is its own entry: the single article too.
  await app.inject(`/v1/articles/${seedSlug}`)
  const article = await app.inject(`/v1/articles/${seedSlug}`)
  t.ok(article.headers.age, 'an article is cached')
  t.equal(article.headers.etag, '"v1"')

  // A change through the API ends every entry before the write is answered.
  const id = json<Article>(article).id
  const patched = await api.patch(id, { headline: 'A new headline' })
  t.equal(patched.statusCode, 200)
  const fresh = await app.inject(`/v1/articles/${seedSlug}`)
  t.notOk(fresh.headers.age, 'the write emptied the cache')
  t.equal(json<Article>(fresh).headline, 'A new headline')
  t.equal(fresh.headers.etag, '"v2"')
  const page = await app.inject(firstPage)
  t.notOk(page.headers.age)
  t.ok(json<Page<SparseArticle>>(page).data.some((a) => a.headline === 'A new headline'))

  // A failed write changes nothing and keeps the cache.
  await settle(app, database)
  await app.inject(firstPage)
  const refused = await api.patch(id, { headline: '' })
  t.equal(refused.statusCode, 400)
  t.ok((await app.inject(firstPage)).headers.age, 'a refused write keeps the entries')
})

test('preview callers, errors and a zero budget are never cached', async (t) => {
  const { app, auth } = await build(t, { env, database: await seeded(t) })
  await app.inject({ url: firstPage, headers: auth })
  const preview = await app.inject({ url: firstPage, headers: auth })
  t.notOk(preview.headers.age, 'preview reads always go to the database')
  t.equal(preview.headers['cache-control'], 'private, no-store')
  const publicRead = await app.inject(firstPage)
  t.notOk(publicRead.headers.age, 'a preview read does not fill the public entry')
  t.notMatch(publicRead.body, /"status":"draft"/)

  await app.inject('/v1/articles/no-such-article')
  const missing = await app.inject('/v1/articles/no-such-article')
  t.equal(missing.statusCode, 404)
  t.notOk(missing.headers.age, '404s are not cached (the article may be created next)')
  const bad = await app.inject('/v1/articles?limit=0')
  t.equal(bad.statusCode, 400)

  const off = await build(t, { env: { ...env, RESPONSE_CACHE_MB: '0' } })
  await off.app.inject(firstPage)
  t.notOk((await off.app.inject(firstPage)).headers.age, 'RESPONSE_CACHE_MB=0 turns the cache off')
  t.same(off.app.responseCache.stats().entries, 0)
})

test('entries end when a scheduled article falls due or a teaser window turns', async (t) => {
  const clock = testClock(new Date('2026-03-01T08:00:00Z'))
  const database = await seeded(t)
  const { app, auth } = await build(t, { env, clock, database })
  const api = client(app, auth)
  const scheduled = await api.draft({ headline: 'Due at nine', body: 'Text.' })
  const res = await api.action(scheduled.id, 'publish', { publishAt: '2026-03-01T09:00:00.000Z' })
  t.equal(res.statusCode, 200)
  await settle(app, database)

  const early = await app.inject(firstPage)
  t.notMatch(early.body, /Due at nine/)
  clock.set(new Date('2026-03-01T08:59:59.999Z'))
  t.ok((await app.inject(firstPage)).headers.age, 'still cached just before')
  clock.set(new Date('2026-03-01T09:00:00.000Z'))
  const due = await app.inject(firstPage)
  t.notOk(due.headers.age, 'the entry ended at the publish time')
  t.match(due.body, /Due at nine/)

  // A teaser window opening is the same kind of change.
  const add = await app.inject({
    method: 'POST',
    url: '/v1/collections/top-stories/teasers',
    headers: auth,
    payload: { text: 'From ten', url: 'https://example.com/ten', startsAt: '2026-03-01T10:00:00.000Z', position: 0 },
  })
  t.equal(add.statusCode, 201)
  await settle(app, database)
  const box = '/v1/collections/top-stories/teasers'
  t.notMatch((await app.inject(box)).body, /From ten/)
  clock.set(new Date('2026-03-01T09:59:00.000Z'))
  t.ok((await app.inject(box)).headers.age)
  clock.set(new Date('2026-03-01T10:00:00.000Z'))
  t.match((await app.inject(box)).body, /From ten/, 'the window opened: the box was read again')
})

// PostgreSQL notifies the other instance when the write commits, and that notification travels on
// its own connection: it may reach B a few milliseconds after A has answered the write. So B's
// reads are checked until they show the write, within a bound far below any max-age, and never
// from its memory once they do.
test('two instances: a write on one is seen on the other as soon as its notification arrives', async (t) => {
  const database = await seeded(t)
  const a = await build(t, { env, database })
  const b = await build(t, { env, database })
  // Real sockets, as two servers behind a load balancer.
  const urlA = await a.app.listen({ host: '127.0.0.1', port: 0 })
  const urlB = await b.app.listen({ host: '127.0.0.1', port: 0 })
  const get = async (base: string, path: string) => {
    const res = await fetch(base + path)
    return { status: res.status, age: res.headers.get('age'), body: await res.text() }
  }
  const article = json<Article>({ body: (await get(urlB, `/v1/articles/${seedSlug}`)).body })
  t.ok((await get(urlB, `/v1/articles/${seedSlug}`)).age, 'B serves the article from memory')
  t.ok((await get(urlA, `/v1/articles/${seedSlug}`)).body)

  for (let i = 1; i <= 5; i++) {
    const patched = await fetch(`${urlA}/v1/articles/${article.id}`, {
      method: 'PATCH',
      headers: { ...a.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ headline: `Edited on A, round ${i}` }),
    })
    t.equal(patched.status, 200)
    const answered = Date.now()
    const headline = `Edited on A, round ${i}`
    let seen = await get(urlB, `/v1/articles/${seedSlug}`)
    while (JSON.parse(seen.body).headline !== headline && Date.now() - answered < 1000) {
      await sleep(2)
      seen = await get(urlB, `/v1/articles/${seedSlug}`)
    }
    t.equal(
      JSON.parse(seen.body).headline,
      headline,
      `round ${i}: B shows A's write ${Date.now() - answered} ms after it`,
    )
    t.equal(seen.age, null, 'read from the database, not from memory')
    await settle(b.app, database)
    await get(urlB, `/v1/articles/${seedSlug}`)
    t.ok((await get(urlB, `/v1/articles/${seedSlug}`)).age, 'and caches it again')
  }

  // A change made outside the API (SQL) reaches both caches through the database's notification.
  await get(urlA, firstPage)
  await get(urlB, firstPage)
  await database.db.prisma.$executeRaw`UPDATE articles SET headline = 'Changed by SQL' WHERE id = ${article.id}::uuid`
  for (const base of [urlA, urlB]) {
    const started = Date.now()
    let body = ''
    while (!body.includes('Changed by SQL') && Date.now() - started < 2000) body = (await get(base, firstPage)).body
    t.match(body, /Changed by SQL/, `${base === urlA ? 'A' : 'B'} dropped its entry within ${Date.now() - started} ms`)
  }
})

test('the cache is off while change notifications are down, and back on after', {
  skip: !process.env.TEST_DATABASE_URL && 'needs a PostgreSQL server',
}, async (t) => {
  const database = await seeded(t)
  const { app } = await build(t, { env, database })
  await app.inject(firstPage)
  t.ok((await app.inject(firstPage)).headers.age)

  // Cut the listening connection from the server side, as a failover or a restart would.
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  t.teardown(() => admin.end())
  const { rowCount } = await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
  )
  t.equal(rowCount, 1, 'one listening connection per instance')
  const wait = async (connected: boolean) => {
    const started = Date.now()
    while (app.responseCache.stats().connected !== connected && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 20))
    }
    return app.responseCache.stats().connected === connected
  }
  t.ok(await wait(false), 'the loss is noticed')
  // While down, reads go to the database (a change now would not be heard).
  await admin.query(`UPDATE articles SET headline = 'Changed while deaf' WHERE slug = $1`, [seedSlug])
  const down = await app.inject(firstPage)
  t.notOk(down.headers.age)
  t.match(down.body, /Changed while deaf/)
  t.ok(await wait(true), 'the connection is reopened')
  await app.inject(firstPage)
  t.ok((await app.inject(firstPage)).headers.age, 'cached again')
})

test('a cached Link never names the host a request sent', async (t) => {
  const database = await seeded(t)
  const url = '/v1/articles?limit=1&fields=slug'
  const attacker = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }

  // Behind a trusted proxy, without PUBLIC_URL: relative links, the same for every Host.
  const { app } = await build(t, { env: { ...env, TRUST_PROXY: 'true' }, database })
  const poisoned = await app.inject({ url, headers: attacker })
  t.equal(poisoned.statusCode, 200)
  t.notOk(poisoned.headers.age, 'the first answer is a miss, then stored')
  const next = await app.inject({ url, headers: { host: 'api.news.example' } })
  t.ok(next.headers.age, 'the second is served from the cache')
  t.equal(next.headers.link, poisoned.headers.link, 'two Hosts, one Link')
  t.match(String(next.headers.link), /^<\/v1\/articles\?limit=1&fields=slug&cursor=[A-Za-z0-9_-]+>; rel="next", /)
  t.match(String(next.headers.link), /, <\/v1\/feeds\/articles\.rss>; rel="alternate"; type="application\/rss\+xml"/)
  t.notMatch(String(next.headers.link), /evil/)
  t.equal(next.body, poisoned.body)

  // With PUBLIC_URL: absolute under it, whatever the Host.
  const configured = await build(t, { env: { ...env, PUBLIC_URL: 'https://api.news.example/' }, database })
  const first = await configured.app.inject({ url, headers: attacker })
  const second = await configured.app.inject({ url, headers: { host: 'localhost' } })
  t.ok(second.headers.age, 'served from the cache')
  for (const res of [first, second]) {
    t.match(String(res.headers.link), /^<https:\/\/api\.news\.example\/v1\/articles\?limit=1&fields=slug&cursor=/)
  }
})

test('ResponseCache: generations, a read that raced a change, the memory budget', async (t) => {
  let now = 0
  let horizonQueries = 0
  const cache = new ResponseCache({
    maxBytes: 64 * 1024,
    clock: () => new Date(now),
    nextScheduledChange: async () => {
      horizonQueries++
      return new Date(1000)
    },
  })
  t.equal(await cache.prepare(), false, 'off until notifications are connected')
  cache.setConnected(true)
  t.equal(await cache.prepare(), true)
  t.equal(await cache.prepare(), true)
  t.equal(horizonQueries, 1, 'one horizon query per generation')

  // A read that started before a change must not be stored after it.
  const started = cache.generation
  cache.invalidate()
  cache.set('/a', started, Buffer.from('old'), {})
  t.equal(cache.get('/a'), undefined, 'a read of the previous generation is dropped')
  t.ok(await cache.prepare())
  cache.set('/a', cache.generation, Buffer.from('new'), { etag: '"x"' })
  t.equal(cache.get('/a')?.body.toString(), 'new')

  now = 1000
  t.equal(await cache.prepare(), false, 'the scheduled change ends the generation')
  t.equal(cache.get('/a'), undefined)

  // Least recently used entries go first once the budget is spent; oversized answers are not kept.
  now = 0
  cache.invalidate()
  t.ok(await cache.prepare())
  const body = Buffer.alloc(3000, 'x') // 3,262 bytes counted with the key: 20 fit in 64 KiB
  for (let i = 0; i < 20; i++) cache.set(`/${i}`, cache.generation, body, {})
  t.equal(cache.stats().entries, 20)
  t.equal(cache.stats().evictions, 0)
  cache.get('/0')
  cache.set('/20', cache.generation, body, {})
  t.ok(cache.get('/0'), 'a recently used entry stays')
  t.equal(cache.get('/1'), undefined, 'the least recently used one went')
  t.equal(cache.stats().evictions, 1, 'and is counted (metrics)')
  t.ok(cache.stats().bytes <= 64 * 1024)
  cache.set('/big', cache.generation, Buffer.alloc(5000, 'x'), {})
  t.equal(cache.get('/big'), undefined, 'an answer over a sixteenth of the budget is not kept')

  cache.setConnected(false)
  t.equal(cache.stats().entries, 0, 'losing notifications empties the cache')
  t.equal(await cache.prepare(), false)
})
