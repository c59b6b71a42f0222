// Read replicas against a real streaming replica the test starts itself (test/pg-cluster.ts):
// public reads go to the replica, everything else to the primary; a change is never read back
// from a replica that has not replayed it, so the response cache never refills with stale content.
// Which server answered is told by content: a headline changed on the primary without a
// notification (session_replication_role = replica fires no trigger) while the replica's replay is
// paused is on the primary only, so an answer with the old headline came from the replica.
import { test } from 'tap'
import { loadConfig } from '../../src/config.js'
import { type Database, openDatabase } from '../../src/db/database.js'
import { applyMigrations } from '../../src/db/migrations.js'
import { readFromReplicas } from '../../src/db/replica-routing.js'
import { build, createKey, json } from '../helper.js'
import { clusterUnavailable, replicaTools, startCluster, until } from '../pg-cluster.js'
import { freePort } from '../processes.js'
import { freezableProxy } from '../proxy.js'

const rateLimits = { RATE_LIMIT_ANONYMOUS_MAX: '1000000', RATE_LIMIT_MAX: '1000000' }

const unavailable = clusterUnavailable()

/** Whether the server that answered is a replica (in recovery). */
const inRecovery = async (query: PromiseLike<{ r: boolean }[]>) => (await query)[0]?.r
/** Runs `work` as a public read request's statements run. */
const publicRead = <T>(work: () => Promise<T>) =>
  new Promise<T>((resolve, reject) => readFromReplicas(() => void work().then(resolve, reject)))

test('read replicas', { skip: unavailable ? `needs a PostgreSQL replica: ${unavailable}` : false }, async (t) => {
  const started = Date.now()
  const cluster = await startCluster()
  t.teardown(() => cluster.stop())
  const migrator = await openDatabase({ kind: 'server', url: cluster.primaryUrl, poolMax: 2 })
  await applyMigrations(migrator.adapterFactory)
  await migrator.close()
  t.comment(`primary and replica up and migrated in ${Date.now() - started} ms`)

  /** An instance reading from the replica. */
  /** Change notifications held back from an instance while `held` is a list (a slow link's). */
  interface Gate {
    held: (() => void)[] | null
  }
  const instance = async (env: Record<string, string> = {}, gate?: Gate) => {
    const all = {
      DATABASE_URL: cluster.primaryUrl,
      DATABASE_REPLICA_URLS: cluster.replicaUrl,
      REPLICA_POLL_MS: '20',
      // No background work: its writes (retention's) would notify changes the test does not make.
      WEBHOOK_WORKER: 'false',
      ...rateLimits,
      ...env,
    }
    const opened = await openDatabase(loadConfig(all).database)
    t.teardown(() => opened.close())
    const db: Database = !gate
      ? opened
      : {
          ...opened,
          listenForChanges: (handlers) =>
            opened.listenForChanges({
              ...handlers,
              onChange: () => (gate.held ? gate.held.push(handlers.onChange) : handlers.onChange()),
            }),
        }
    const built = await build(t, { database: { db }, env: all })
    const replicas = db.replicas
    if (!replicas) throw new Error('no replicas opened')
    const replica = () => replicas.stats().replicas[0] as ReturnType<typeof replicas.stats>['replicas'][number]
    return { ...built, replicas, replica }
  }
  const a = await instance()
  const tools = replicaTools(cluster)
  const created = await a.app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: a.auth,
    payload: { headline: 'First', body: 'Text' },
  })
  t.equal(created.statusCode, 201)
  const id = json<{ id: string }>(created).id
  t.equal((await a.app.inject({ method: 'POST', url: `/v1/articles/${id}/publish`, headers: a.auth })).statusCode, 200)
  const source = await a.app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: a.auth,
    payload: { name: 'Wire', kind: 'agency' },
  })
  t.equal(source.statusCode, 201)
  const sourceId = json<{ id: string }>(source).id
  /** The headline an instance answers (a failure to answer is a failure of the test). */
  const headline = async (app: typeof a.app, url = `/v1/articles/${id}`, headers: Record<string, string> = {}) => {
    const res = await app.inject({ url, headers })
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`)
    const body = json<{ headline: string } | { data: { headline: string }[] }>(res)
    // An article, or a list of the one article (a new URL for each read that must miss the cache).
    return 'data' in body ? body.data[0]?.headline : body.headline
  }
  await until('the replica shows the article', () => tools.caughtUp(id))
  await until('the replica is eligible', () => a.replica().eligible)

  await t.test('public reads go to the replica; preview, embargo and write scopes to the primary', async (t) => {
    // Refused writes change nothing: they leave the replicas in use (junk cannot turn them off).
    for (const req of [
      { method: 'POST' as const, url: '/v1/articles', payload: { headline: 'x', body: 'y' } },
      { method: 'POST' as const, url: '/nowhere' },
      { method: 'DELETE' as const, url: `/v1/articles/${id}`, headers: { authorization: 'Bearer nd_bad' } },
    ]) {
      const res = await a.app.inject(req)
      t.ok(res.statusCode >= 400 && res.statusCode < 500, `${req.method} ${req.url}: refused`)
      t.notOk(a.replicas.pending, `${req.method} ${req.url}: no change marked`)
    }
    await tools.pause()
    await tools.quietly(id, 'On the primary only')
    t.equal(await tools.headlineOn('replica', id), 'First', 'the replica has not replayed it')
    const before = a.replica().reads
    t.equal(await headline(a.app, '/v1/articles?limit=1'), 'First', 'anonymous: the replica')
    t.ok(a.replica().reads > before, 'counted as a replica read')
    t.equal(await headline(a.app, `/v1/articles/${id}`), 'First', 'an article (the direct reads): the replica')
    // Through the ORM (a list of sources) as well as the direct reads (an article).
    await tools.quietly(sourceId, 'Renamed', 'sources', 'name')
    const sources = await a.app.inject('/v1/sources')
    t.same(
      json<{ data: { name: string }[] }>(sources).data.map((s) => s.name),
      ['Wire'],
      "the ORM's reads: the replica",
    )
    const writerSources = await a.app.inject({ url: '/v1/sources', headers: a.auth })
    t.same(
      json<{ data: { name: string }[] }>(writerSources).data.map((s) => s.name),
      ['Renamed'],
    )
    for (const scopes of [['content:read'], ['content:syndicate']] as const) {
      const key = await createKey(a.db, [...scopes])
      t.equal(await headline(a.app, '/v1/articles?limit=2', key.headers), 'First', `${scopes}: the replica`)
    }
    for (const scopes of [['content:write'], ['content:preview'], ['content:embargoed']] as const) {
      const key = await createKey(a.db, [...scopes])
      t.equal(await headline(a.app, `/v1/articles/${id}`, key.headers), 'On the primary only', `${scopes}: the primary`)
    }
    const ready = await a.app.inject('/health/ready')
    t.match(json(ready), { status: 'ok', replicas: [{ up: true, eligible: true }] })
    // The same figures for Prometheus, by replica.
    const scraper = await createKey(a.db, ['metrics:read'])
    const metrics = (await a.app.inject({ url: '/metrics', headers: scraper.headers })).body
    const name = a.replica().name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    t.match(metrics, new RegExp(`^newsdesk_replica_up\\{replica="${name}"\\} 1$`, 'm'), 'newsdesk_replica_up')
    t.match(metrics, new RegExp(`^newsdesk_replica_eligible\\{replica="${name}"\\} 1$`, 'm'))
    const reads = Number(
      new RegExp(`^newsdesk_replica_reads_total\\{replica="${name}"\\} (\\d+)$`, 'm').exec(metrics)?.[1],
    )
    t.ok(reads >= 3, `newsdesk_replica_reads_total counts the replica's reads (${reads})`)
    t.match(metrics, /^newsdesk_replica_primary_reads_total \d+$/m)
    await tools.resume()
    await until('the replica replayed it', () => tools.caughtUp(id))
  })

  await t.test(
    "the cache trap: a refill after another instance's change never comes from a stale replica",
    async (t) => {
      const b = await instance()
      await until('the replica is eligible', () => a.replica().eligible)
      const url = '/v1/articles?limit=3'
      t.equal(await headline(a.app, url), 'On the primary only')
      const hit = await a.app.inject(url)
      t.ok(hit.headers.age !== undefined, 'cached')
      await tools.pause()
      const edited = await b.app.inject({
        method: 'PATCH',
        url: `/v1/articles/${id}`,
        headers: b.auth,
        payload: { headline: 'Edited' },
      })
      t.equal(edited.statusCode, 200)
      // Instance a learns of the change by notification, empties its cache and refills it. Without
      // the target rule the refill would read the paused replica and keep "On the primary only".
      await until('instance a answers the edit', async () => (await headline(a.app, url)) === 'Edited', 10000)
      t.equal(await tools.headlineOn('replica', id), 'On the primary only', 'the replica alone still has the old row')
      const refilled = await a.app.inject(url)
      t.ok(refilled.headers.age !== undefined, 'the refill is cached')
      t.equal(json<{ data: { headline: string }[] }>(refilled).data[0]?.headline, 'Edited', 'with the new content')
      t.equal(a.replica().eligible, false, 'the replica is held back while it has not replayed the change')
      await tools.resume()
      await until('the replica is used again', () => a.replica().eligible)
      const before = a.replica().reads
      t.equal(await headline(a.app, '/v1/articles?limit=4'), 'Edited', 'the replica, caught up')
      t.ok(a.replica().reads > before, 'read from the replica')
      t.equal(await headline(a.app, url), 'Edited', 'the cached answer stays new')
    },
  )

  await t.test('a writer reads its own write at once', async (t) => {
    // Its own change notification held back: the write itself must hold reads on the primary.
    const gate: Gate = { held: null }
    const w = await instance({}, gate)
    await until('the replica is eligible', () => w.replica().eligible)
    gate.held = []
    await tools.pause()
    const res = await w.app.inject({
      method: 'PATCH',
      url: `/v1/articles/${id}`,
      headers: w.auth,
      payload: { headline: 'Mine' },
    })
    t.equal(res.statusCode, 200)
    t.equal(await headline(w.app), 'Mine', 'the next public read sees it')
    const list = await w.app.inject('/v1/articles?limit=5')
    t.equal(json<{ data: { headline: string }[] }>(list).data[0]?.headline, 'Mine', 'and so does a list')
    t.equal(await tools.headlineOn('replica', id), 'Edited', 'which the replica does not show yet')
    await until('the notification came', () => (gate.held?.length ?? 0) > 0)
    for (const deliver of gate.held ?? []) deliver()
    gate.held = null
    await tools.resume()
    await until('the replica replayed it', () => tools.caughtUp(id))
  })

  await t.test('a replica further behind than REPLICA_MAX_LAG_MS is skipped', async (t) => {
    const c = await instance({ REPLICA_MAX_LAG_MS: '300', RESPONSE_CACHE_MB: '0' })
    await until('the replica is eligible', () => c.replica().eligible)
    await tools.pause()
    await tools.quietly(id, 'Lagging')
    await until('the lag passes the limit', () => (c.replica().lagMs ?? 0) > 300)
    t.equal(c.replica().eligible, false)
    t.equal(await headline(c.app), 'Lagging', 'read from the primary')
    t.match(json(await c.app.inject('/health/ready')), { status: 'ok', replicas: [{ up: true, eligible: false }] })
    await tools.resume()
    await until('the replica caught up', () => c.replica().eligible)
    t.equal(c.replica().lagMs, 0)
    const before = c.replica().reads
    t.equal(await headline(c.app), 'Lagging')
    t.ok(c.replica().reads > before, 'the replica is used again')
  })

  await t.test('statement by statement: which server answers', async (t) => {
    await until('the replica is eligible', () => a.replica().eligible)
    const prisma = a.db.prisma
    t.equal(
      await inRecovery(prisma.$queryRaw`SELECT pg_is_in_recovery() AS r`),
      false,
      'outside a public read: the primary',
    )
    await publicRead(async () => {
      t.equal(await inRecovery(prisma.$queryRaw`SELECT pg_is_in_recovery() AS r`), true, 'a public read: the replica')
      const primaryReads = a.replicas.stats().primaryReads
      await t.rejects(prisma.$queryRaw`SELECT 1 / 0 AS r`, 'a statement at fault fails')
      t.equal(a.replicas.stats().primaryReads, primaryReads, 'without a second try on the primary')
      t.equal(
        await inRecovery(prisma.$queryRaw`SELECT pg_is_in_recovery() AS r`),
        true,
        'and the replica is still used',
      )
    })
    await publicRead(async () => {
      await tools.pause()
      await cluster.sql('primary', 'CREATE TABLE primary_only AS SELECT 1 AS n')
      const rows = await prisma.$queryRaw<{ n: number }[]>`SELECT n FROM primary_only`
      t.same(rows, [{ n: 1 }], 'what fails on the replica (a table it has not replayed) is read again from the primary')
      t.equal(await inRecovery(prisma.$queryRaw`SELECT pg_is_in_recovery() AS r`), false, 'and the request stays there')
      await tools.resume()
    })
    await publicRead(async () => {
      const read = await inRecovery(prisma.$queryRaw`WITH w AS (SELECT 1) SELECT pg_is_in_recovery() AS r FROM w`)
      t.equal(read, true, 'a WITH of SELECTs reads: the replica')
      const locking = await inRecovery(prisma.$queryRaw`SELECT pg_is_in_recovery() AS r FROM sources FOR SHARE`)
      t.equal(locking, false, 'a locking read: the primary')
      t.equal(await inRecovery(prisma.$queryRaw`SELECT pg_is_in_recovery() AS r`), false, 'and the rest of the request')
    })
    await publicRead(async () => {
      const written = await inRecovery(
        prisma.$queryRaw`WITH w AS (UPDATE sources SET name = name WHERE false RETURNING 1) SELECT pg_is_in_recovery() AS r`,
      )
      t.equal(written, false, 'a WITH that writes: the primary')
    })
  })

  await t.test(
    'a primary that does not answer holds every read on it; a server that is not a replica is not used',
    async (t) => {
      const dead = new URL(cluster.primaryUrl)
      dead.port = String(await freePort())
      const errors: Error[] = []
      const db = await openDatabase(
        {
          kind: 'server',
          url: dead.toString(),
          poolMax: 1,
          replicas: { urls: [cluster.replicaUrl, cluster.primaryUrl], maxLagMs: 1000, pollMs: 10 },
        },
        { onConnectionError: (err) => errors.push(err) },
      )
      t.teardown(() => db.close())
      const replicas = db.replicas as NonNullable<typeof db.replicas>
      await replicas.refresh()
      t.match(replicas.stats().replicas, [{ up: true }, { up: false, eligible: false }])
      t.match(errors.map(String).join('\n'), /not a streaming replica/)
      replicas.markChange()
      await until('the target was asked for', () => errors.some((e) => /ECONNREFUSED/.test(String(e))))
      await replicas.refresh()
      t.equal(replicas.stats().target, null, "the change's position is unknown")
      t.equal(replicas.pick(), null, 'so reads go to the primary')
    },
  )

  await t.test(
    'a replica that stops answering is left within a poll timeout, and used again once it answers',
    async (t) => {
      const proxy = await freezableProxy({ host: '127.0.0.1', port: Number(new URL(cluster.replicaUrl).port) })
      t.teardown(() => proxy.stop())
      const through = new URL(cluster.replicaUrl)
      through.port = String(proxy.port)
      const errors: Error[] = []
      const db = await openDatabase(
        {
          kind: 'server',
          url: cluster.primaryUrl,
          poolMax: 1,
          replicas: { urls: [through.toString()], maxLagMs: 10000, pollMs: 20 },
        },
        { onConnectionError: (err) => errors.push(err) },
      )
      t.teardown(() => db.close())
      const replicas = db.replicas as NonNullable<typeof db.replicas>
      const status = () => replicas.stats().replicas[0]
      await until('the replica is eligible', () => status()?.eligible === true)
      proxy.freeze()
      const frozenAt = Date.now()
      const waiting = publicRead(() => inRecovery(db.prisma.$queryRaw`SELECT pg_is_in_recovery() AS r`))
      await until('the replica is left', () => status()?.up === false)
      t.equal(await waiting, false, 'a read waiting on it is answered by the primary')
      t.ok(Date.now() - frozenAt < 3000, `left after ${Date.now() - frozenAt} ms (a poll waits 1 s at most)`)
      t.equal(replicas.pick(), null, 'reads go to the primary')
      t.match(errors.map(String).join('\n'), /timeout/i, 'and the reason is reported')
      proxy.thaw()
      await until('the replica is used again', () => status()?.eligible === true)
      t.pass('used again')
    },
  )

  await t.test('a replica that goes down sends reads to the primary', async (t) => {
    await until('the replica is eligible', () => a.replica().eligible)
    cluster.stopReplica()
    for (const limit of [11, 12, 13, 14, 15]) {
      const url = `/v1/articles?limit=${limit}`
      t.equal(await headline(a.app, url), 'Lagging', `${url}: from the primary`)
    }
    t.equal(a.replica().up, false)
    const ready = await a.app.inject('/health/ready')
    t.equal(ready.statusCode, 200, 'still ready')
    t.match(json(ready), { status: 'degraded', replicas: [{ up: false, eligible: false }] })
    cluster.startReplica()
    await until('the replica is back', () => a.replica().eligible)
    const before = a.replica().reads
    t.equal(await headline(a.app, '/v1/articles?limit=16'), 'Lagging')
    t.ok(a.replica().reads > before, 'used again')
  })
  t.comment(`replica test: ${Date.now() - started} ms`)
})
