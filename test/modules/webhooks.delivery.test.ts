// Sending: real receivers on 127.0.0.1, the delivery task run by hand and time moved with the
// clock. Signatures (and rotation), change events, retries, timeouts, disabling and re-enabling,
// redelivery, the retry schedule's end and the batch the task claims.
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'tap'
import { createKey } from '../helper.js'
import {
  buildHooks,
  closedPortUrl,
  type DeliveryBody,
  deliveryEnv,
  json,
  sourceEvent,
  startReceiver,
  testClock,
  verifyAt,
  type WebhookBody,
  writeEvents,
} from './webhooks.helpers.js'

type Hooks = Awaited<ReturnType<typeof buildHooks>>

async function createHook(api: Hooks['api'], payload: object): Promise<WebhookBody & { secret: string }> {
  const res = await api.create(payload)
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`)
  return json(res)
}

async function deliveriesOf(api: Hooks['api'], id: string): Promise<DeliveryBody[]> {
  return json<{ data: DeliveryBody[] }>(await api.deliveries(id)).data
}

test('delivering', async (t) => {
  const clock = testClock()
  const hooks = await buildHooks(t, { clock, env: { ...deliveryEnv, WEBHOOK_FAILURE_LIMIT: '3' } })
  const { api, task } = hooks

  await t.test('a test event: 202, sent signed, verified with standardwebhooks, logged', async (t) => {
    const receiver = await startReceiver(t)
    const hook = await createHook(api, { url: receiver.url, events: ['article.published'] })
    const res = await api.post(`${hook.id}/test`)
    t.equal(res.statusCode, 202)
    const queued = json<DeliveryBody>(res)
    t.equal(res.headers.location, `/v1/webhooks/${hook.id}/deliveries/${queued.id}`)
    t.match(queued, { eventId: null, eventType: 'webhook.test', status: 'pending', attempts: 0, attemptLog: [] })
    t.equal(queued.nextAttemptAt, clock().toISOString())

    t.equal(await task.run(), false, 'less than a full batch')
    t.equal(receiver.received.length, 1)
    const [receipt] = receiver.received
    if (!receipt) throw new Error('nothing received')
    t.equal(receipt.headers['content-type'], 'application/json')
    t.equal(receipt.headers['webhook-id'], queued.id)
    t.equal(receipt.headers['webhook-timestamp'], String(Math.floor(clock().getTime() / 1000)))
    t.same(verifyAt(hook.secret, receipt, clock()), {
      id: '0',
      type: 'webhook.test',
      occurredAt: clock().toISOString(),
      resource: { type: 'webhook', id: hook.id, slug: null, version: null },
      changedFields: [],
      surrogateKeys: [],
      data: null,
    })
    t.throws(() => verifyAt(hook.secret, { ...receipt, body: `${receipt.body} ` }, clock()), 'a changed body fails')

    const got = json<DeliveryBody>(
      await hooks.app.inject({ url: res.headers.location as string, headers: hooks.manager.headers }),
    )
    t.match(got, { status: 'succeeded', attempts: 1, nextAttemptAt: null, lastAttemptAt: clock().toISOString() })
    t.match(got.attemptLog, [{ attemptedAt: clock().toISOString(), statusCode: 200, error: null, responseBody: 'ok' }])
    t.equal(await task.run(), false)
    t.equal(receiver.received.length, 1, 'sent once')
  })

  await t.test('change events: the matching webhooks receive the event as the feed shows it', async (t) => {
    const receiver = await startReceiver(t)
    const sources = await createHook(api, { url: receiver.url, events: ['source.*'] })
    const articles = await createHook(api, { url: receiver.url, events: ['article.published'] })
    const previewer = await createKey(hooks.db, ['webhooks:manage', 'content:preview'])
    const drafts = json<WebhookBody>(
      await api.create({ url: receiver.url, events: ['source.updated'] }, previewer.headers),
    )
    const resourceId = '019ac0de-7a1e-7000-8000-00000000a123'
    await writeEvents(hooks.db, [sourceEvent({ resourceId, occurredAt: clock() })], clock())
    await writeEvents(hooks.db, [sourceEvent({ type: 'source.updated', public: false })], clock())
    t.equal((await deliveriesOf(api, articles.id)).length, 0, 'not a type it asked for')
    const [delivery, ...more] = await deliveriesOf(api, sources.id)
    t.equal(more.length, 0, 'an event about a draft is not sent to a webhook without preview')
    t.match(delivery, { eventType: 'source.created', status: 'pending' })
    t.match(delivery?.eventId, /^[0-9]+$/)
    t.match(await deliveriesOf(api, drafts.id), [{ eventType: 'source.updated' }], 'a webhook receiving drafts gets it')

    await task.run()
    t.equal(receiver.received.length, 2)
    const receipt = receiver.received.find((r) => r.headers['webhook-id'] === delivery?.id)
    if (!receipt) throw new Error('nothing received')
    t.same(verifyAt(sources.secret, receipt, clock()), {
      id: delivery?.eventId,
      type: 'source.created',
      occurredAt: clock().toISOString(),
      resource: { type: 'source', id: resourceId, slug: 'reuters', version: null },
      changedFields: ['name', 'slug'],
      surrogateKeys: ['sources'],
      data: null,
    })
  })

  await t.test('rotation: both secrets verify for 24 h, then only the new one is sent', async (t) => {
    const receiver = await startReceiver(t)
    const hook = await createHook(api, { url: receiver.url, events: ['*'] })
    const rotated = json<{ secret: string }>(await api.post(`${hook.id}/rotate-secret`))
    await api.post(`${hook.id}/test`)
    await task.run()
    const during = receiver.received.at(-1)
    if (!during) throw new Error('nothing received')
    t.equal(during.headers['webhook-signature']?.split(' ').length, 2, 'two signatures')
    t.ok(verifyAt(rotated.secret, during, clock()), 'the new secret verifies')
    t.ok(verifyAt(hook.secret, during, clock()), 'the old secret verifies')

    clock.advance(24 * 3600_000 + 1000)
    await api.post(`${hook.id}/test`)
    await task.run()
    const after = receiver.received.at(-1)
    if (!after || after === during) throw new Error('nothing received')
    t.equal(after.headers['webhook-signature']?.split(' ').length, 1, 'one signature')
    t.ok(verifyAt(rotated.secret, after, clock()), 'the new secret verifies')
    t.throws(() => verifyAt(hook.secret, after, clock()), /No matching signature/, 'the old one no more')
    const until = json<WebhookBody>(await api.get(hook.id)).previousSecretExpiresAt
    t.ok(new Date(until as string) < clock(), 'the webhook says until when the old one signed')
  })

  await t.test('failing twice then succeeding: three attempts with the same webhook-id', async (t) => {
    const receiver = await startReceiver(t, (n) => (n <= 2 ? { status: 500, body: `failure ${n}` } : { status: 204 }))
    const hook = await createHook(api, { url: receiver.url, events: ['*'] })
    await api.post(`${hook.id}/test`)
    await task.run()
    let [delivery] = await deliveriesOf(api, hook.id)
    t.match(delivery, { status: 'pending', attempts: 1 })
    const wait = new Date(delivery?.nextAttemptAt as string).getTime() - clock().getTime()
    t.ok(wait >= 4000 && wait <= 6000, `retried after 5 s ±20% (${wait} ms)`)
    t.equal(json<WebhookBody>(await api.get(hook.id)).consecutiveFailures, 1)

    await task.run()
    t.equal(receiver.received.length, 1, 'not before it is due')
    clock.advance(6000)
    await task.run()
    ;[delivery] = await deliveriesOf(api, hook.id)
    const wait2 = new Date(delivery?.nextAttemptAt as string).getTime() - clock().getTime()
    t.ok(wait2 >= 48_000 && wait2 <= 72_000, `then after 1 min ±20% (${wait2} ms)`)
    clock.advance(72_000)
    await task.run()

    t.equal(receiver.received.length, 3)
    t.same(new Set(receiver.received.map((r) => r.headers['webhook-id'])), new Set([delivery?.id]))
    ;[delivery] = await deliveriesOf(api, hook.id)
    t.match(delivery, { status: 'succeeded', attempts: 3, nextAttemptAt: null })
    t.same(
      delivery?.attemptLog.map((a) => [a.statusCode, a.responseBody]),
      [
        [500, 'failure 1'],
        [500, 'failure 2'],
        [204, ''],
      ],
    )
    t.equal(json<WebhookBody>(await api.get(hook.id)).consecutiveFailures, 0, 'a success resets the count')
    const pending = await api.deliveries(hook.id, '?status=pending')
    t.same(json<{ data: unknown[] }>(pending).data, [])
  })

  await t.test('a receiver slower than the timeout: the attempt times out and is retried', async (t) => {
    const receiver = await startReceiver(t, (n) => (n === 1 ? { status: 200, delayMs: 5000 } : { status: 200 }))
    const hook = await createHook(api, { url: receiver.url, events: ['*'] })
    await api.post(`${hook.id}/test`)
    const started = Date.now()
    await task.run()
    t.ok(Date.now() - started < 4000, 'gave up before the answer')
    let [delivery] = await deliveriesOf(api, hook.id)
    t.match(delivery, { status: 'pending', attempts: 1 })
    t.match(delivery?.attemptLog[0], { statusCode: null, error: /timed out/ })
    clock.advance(6000)
    await task.run()
    ;[delivery] = await deliveriesOf(api, hook.id)
    t.match(delivery, { status: 'succeeded', attempts: 2 })
  })

  await t.test('a receiver down past the failure limit disables the webhook; enabling sends again', async (t) => {
    const hook = await createHook(api, { url: await closedPortUrl(), events: ['*'] })
    await api.post(`${hook.id}/test`)
    await task.run()
    clock.advance(6000)
    await task.run()
    clock.advance(72_000)
    await task.run()
    const disabled = json<WebhookBody>(await api.get(hook.id))
    t.match(disabled, { enabled: false, consecutiveFailures: 3, disabledAt: clock().toISOString(), version: 2 })
    t.match(disabled.disabledReason, /^3 consecutive failed attempts; the last: .*(ECONNREFUSED|connection refused)/)
    const [delivery] = await deliveriesOf(api, hook.id)
    t.match(delivery, { status: 'pending', attempts: 3, nextAttemptAt: null })
    t.match(delivery?.attemptLog, [{ error: /ECONNREFUSED|connection refused/, statusCode: null }, {}, {}])
    const waiting = json<DeliveryBody>(await api.post(`${hook.id}/test`))
    t.match(waiting, { status: 'pending', nextAttemptAt: null }, 'a test waits for the webhook too')

    clock.advance(3600_000)
    await task.run()
    t.match(await deliveriesOf(api, hook.id), [{ attempts: 0 }, { attempts: 3 }], 'a disabled webhook is sent nothing')

    const receiver = await startReceiver(t)
    const res = await api.patch(hook.id, { url: receiver.url, enabled: true }, { 'if-match': '"v2"' })
    t.match(json(res), { enabled: true, consecutiveFailures: 0, disabledReason: null, disabledAt: null })
    const due = await deliveriesOf(api, hook.id)
    t.same(
      due.map((d) => d.nextAttemptAt),
      [clock().toISOString(), clock().toISOString()],
      'its pending deliveries are due now',
    )
    await task.run()
    t.same(receiver.received.map((r) => r.headers['webhook-id']).sort(), due.map((d) => d.id).sort())
    t.match(await deliveriesOf(api, hook.id), [
      { status: 'succeeded', attempts: 1 },
      { status: 'succeeded', attempts: 4 },
    ])

    const off = json<WebhookBody>(await api.patch(hook.id, { enabled: false }))
    t.equal(off.enabled, false)
    const parked = json<DeliveryBody>(await api.post(`${hook.id}/deliveries/${delivery?.id}/redeliver`))
    t.match(parked, { status: 'pending', attempts: 0, nextAttemptAt: null }, 'a redelivery waits as well')
    await task.run()
    t.equal(receiver.received.length, 2)
  })

  await t.test('redeliver: sent again with the same webhook-id, its schedule starting over', async (t) => {
    const receiver = await startReceiver(t)
    const hook = await createHook(api, { url: receiver.url, events: ['*'] })
    const queued = json<DeliveryBody>(await api.post(`${hook.id}/test`))
    await task.run()
    clock.advance(60_000)
    const res = await api.post(`${hook.id}/deliveries/${queued.id}/redeliver`)
    t.equal(res.statusCode, 202)
    t.equal(res.headers.location, `/v1/webhooks/${hook.id}/deliveries/${queued.id}`)
    t.match(json(res), { id: queued.id, status: 'pending', attempts: 0, nextAttemptAt: clock().toISOString() })
    await task.run()
    t.equal(receiver.received.length, 2)
    t.same(
      receiver.received.map((r) => r.headers['webhook-id']),
      [queued.id, queued.id],
    )
    const [delivery] = await deliveriesOf(api, hook.id)
    t.match(delivery, { status: 'succeeded', attempts: 1 })
    t.equal(delivery?.attemptLog.length, 2, 'the log keeps every attempt')
  })
})

test('changes while an attempt is in flight, and the deliveries list', async (t) => {
  const clock = testClock()
  const { api, app, manager, task } = await buildHooks(t, { clock, env: deliveryEnv })

  /** Runs the task until the receiver holds the request, then calls `meanwhile`. */
  async function duringAttempt(received: unknown[], meanwhile: () => Promise<void>) {
    const run = task.run()
    while (received.length === 0) await sleep(5)
    await meanwhile()
    await run
  }

  await t.test('a webhook deleted mid-attempt: the attempt ends quietly, nothing is left', async (t) => {
    const receiver = await startReceiver(t, () => ({ status: 500, delayMs: 100 }))
    const hook = await createHook(api, { url: receiver.url, events: ['*'] })
    await api.post(`${hook.id}/test`)
    await duringAttempt(receiver.received, async () => {
      const res = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${hook.id}`, headers: manager.headers })
      t.equal(res.statusCode, 204)
    })
    t.equal((await api.get(hook.id)).statusCode, 404)
  })

  await t.test('a redelivery mid-attempt keeps its fresh schedule', async (t) => {
    const receiver = await startReceiver(t, (n) => (n === 1 ? { status: 500, delayMs: 100 } : { status: 200 }))
    const hook = await createHook(api, { url: receiver.url, events: ['*'] })
    const queued = json<DeliveryBody>(await api.post(`${hook.id}/test`))
    await duringAttempt(receiver.received, async () => {
      t.equal((await api.post(`${hook.id}/deliveries/${queued.id}/redeliver`)).statusCode, 202)
    })
    let [delivery] = await deliveriesOf(api, hook.id)
    t.match(delivery, { status: 'pending', attempts: 0, nextAttemptAt: clock().toISOString() })
    t.equal(delivery?.attemptLog.length, 1, 'the attempt is logged all the same')
    await task.run()
    ;[delivery] = await deliveriesOf(api, hook.id)
    t.match(delivery, { status: 'succeeded', attempts: 1 })
    t.equal(receiver.received.length, 2)
  })

  await t.test('the deliveries list: newest first, by status, with a cursor', async (t) => {
    const receiver = await startReceiver(t, (n) => ({ status: n === 2 ? 500 : 200 }))
    const hook = await createHook(api, { url: receiver.url, events: ['*'] })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      clock.advance(1000)
      ids.push(json<DeliveryBody>(await api.post(`${hook.id}/test`)).id)
      await task.run()
    }
    const page = async (query: string) => {
      const res = await api.deliveries(hook.id, query)
      t.equal(res.statusCode, 200)
      return { res, body: json<{ data: DeliveryBody[]; page: { nextCursor: string | null } }>(res) }
    }
    const first = await page('?limit=2')
    t.same(
      first.body.data.map((d) => d.id),
      [ids[2], ids[1]],
    )
    t.match(first.res.headers.link, /rel="next"/)
    const rest = await page(`?limit=2&cursor=${first.body.page.nextCursor}`)
    t.same(
      rest.body.data.map((d) => d.id),
      [ids[0]],
    )
    t.equal(rest.body.page.nextCursor, null)
    t.same(
      (await page('?status=pending')).body.data.map((d) => d.id),
      [ids[1]],
    )
    t.same(
      (await page('?status=succeeded')).body.data.map((d) => d.id),
      [ids[2], ids[0]],
    )
    t.same((await page('?status=failed')).body.data, [])
    t.equal((await api.deliveries(hook.id, '?status=lost')).statusCode, 400)
  })
})

test('the end of the retry schedule, and the batch a run claims', async (t) => {
  const clock = testClock()
  const { api, task } = await buildHooks(t, { clock, env: { ...deliveryEnv, WEBHOOK_CONCURRENCY: '2' } })

  await t.test('seven failed attempts over about a day: failed', async (t) => {
    const receiver = await startReceiver(t, () => ({ status: 503 }))
    const hook = await createHook(api, { url: receiver.url, events: ['*'] })
    await api.post(`${hook.id}/test`)
    const delays = [5, 60, 600, 3600, 21_600, 57_600]
    await task.run()
    for (const seconds of delays) {
      clock.advance(seconds * 1200)
      await task.run()
    }
    t.equal(receiver.received.length, 7)
    const [delivery] = await deliveriesOf(api, hook.id)
    t.match(delivery, { status: 'failed', attempts: 7, nextAttemptAt: null })
    clock.advance(86_400_000)
    await task.run()
    t.equal(receiver.received.length, 7, 'never again')
    t.match(json(await api.get(hook.id)), { enabled: true, consecutiveFailures: 7 })
  })

  await t.test('run() claims WEBHOOK_CONCURRENCY deliveries and says when there may be more', async (t) => {
    const receiver = await startReceiver(t)
    const hook = await createHook(api, { url: receiver.url, events: ['*'] })
    for (let i = 0; i < 3; i++) await api.post(`${hook.id}/test`)
    t.equal(await task.run(), true, 'a full batch')
    t.equal(receiver.received.length, 2)
    t.equal(await task.run(), false)
    t.equal(receiver.received.length, 3)
  })
})
