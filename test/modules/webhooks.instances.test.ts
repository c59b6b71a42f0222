// Several instances on one database: each delivery is attempted by one of them, and a claim left
// by an instance that died mid-attempt lapses, so the delivery is attempted again.
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { claimDue } from '../../src/modules/webhooks/webhooks.deliveries-repository.js'
import { createWorker } from '../../src/worker.js'
import { createTestDatabase } from '../helper.js'
import {
  buildHooks,
  deliveryEnv,
  json,
  sourceEvent,
  startReceiver,
  testClock,
  type WebhookBody,
  writeEvents,
} from './webhooks.helpers.js'

test('instances', async (t) => {
  const database = await createTestDatabase(t)

  await t.test('two instances, each running its worker, deliver each delivery exactly once', async (t) => {
    // On a server each instance has its own pool; embedded PGlite has one connection to share.
    const second = database.url
      ? { db: await openDatabase({ kind: 'server', url: database.url, poolMax: 5 }) }
      : database
    if (second !== database) t.teardown(() => second.db.close())
    const env = { ...deliveryEnv, WEBHOOK_CONCURRENCY: '3' }
    const a = await buildHooks(t, { database, env })
    const b = await buildHooks(t, { database: second, env })

    const counts = new Map<string, number>()
    const receiver = await startReceiver(t, (_n, r) => {
      const id = r.headers['webhook-id'] as string
      counts.set(id, (counts.get(id) ?? 0) + 1)
      return { status: 200, delayMs: Math.floor(Math.random() * 15) }
    })
    for (const events of [['*'], ['source.created']]) {
      const res = await a.api.create({ url: receiver.url, events })
      t.equal(res.statusCode, 201)
    }
    const total = 2 * 40
    await writeEvents(
      a.db,
      Array.from({ length: 40 }, () => sourceEvent()),
      new Date(),
    )

    const workers = [a, b].map((h) => createWorker([h.task], { pollMs: 20, log: h.app.log }))
    const started = Date.now()
    for (const w of workers) w.start()
    t.teardown(() => Promise.all(workers.map((w) => w.stop())))
    const deadline = Date.now() + 30_000
    while (counts.size < total && Date.now() < deadline) await sleep(50)
    await sleep(300)
    for (const w of workers) await w.stop()

    t.comment(`delivered in ${Date.now() - started} ms`)
    t.equal(counts.size, total, 'every delivery arrived')
    t.same(
      [...counts.values()].filter((n) => n !== 1),
      [],
      'none twice',
    )
    t.equal(receiver.received.length, total)
    const rows = await a.db.prisma.webhookDelivery.groupBy({ by: ['status', 'attempts'], _count: true })
    t.same(
      rows.map((r) => [r.status, r.attempts, r._count]),
      [['succeeded', 1, total]],
    )
  })

  await t.test('a claim left by an instance that died mid-attempt lapses, and the delivery is sent', async (t) => {
    const clock = testClock()
    const { api, db, task, config } = await buildHooks(t, { clock, env: deliveryEnv, database })
    const receiver = await startReceiver(t)
    const hook = json<WebhookBody>(await api.create({ url: receiver.url, events: ['*'] }))
    await api.post(`${hook.id}/test`)

    // The instance that claimed it is gone (kill -9): nothing releases the claim.
    const lapse = new Date(clock().getTime() + config.webhooks.timeoutMs + 30_000)
    t.equal((await claimDue(db.prisma, clock(), lapse, 10)).length, 1)
    t.equal(await task.run(), false)
    t.equal(receiver.received.length, 0, 'not while the claim holds')
    clock.set(lapse)
    await task.run()
    t.equal(receiver.received.length, 0, 'not at the instant it lapses')
    clock.advance(1)
    await task.run()
    t.equal(receiver.received.length, 1, 'after it lapsed')
  })
})
