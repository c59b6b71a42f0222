// The app's own background worker sends deliveries: woken by the change a content write commits,
// and by a test event or a re-enabled webhook (no change is committed then), not by its poll timer.
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'tap'
import { createKey } from '../helper.js'
import { buildHooks, deliveryEnv, json, startReceiver, type WebhookBody } from './webhooks.helpers.js'

async function until(condition: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!condition() && Date.now() < deadline) await sleep(10)
  return condition()
}

test("the app's worker delivers as soon as a delivery is due", async (t) => {
  // A poll an hour apart: whatever arrives within seconds was woken.
  const env = { ...deliveryEnv, WEBHOOK_WORKER: 'true', WORKER_POLL_MS: '60000' }
  const { app, api, db } = await buildHooks(t, { env })
  const writer = await createKey(db, ['content:write'])
  const receiver = await startReceiver(t)
  const hook = json<WebhookBody>(await api.create({ url: receiver.url, events: ['article.published'] }))
  await sleep(200)

  await t.test('an article published through the API', async (t) => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: writer.headers,
      payload: { headline: 'Webhooks arrive', body: 'At once.' },
    })
    const { id } = json<{ id: string }>(created)
    const published = await app.inject({
      method: 'POST',
      url: `/v1/articles/${id}/publish`,
      headers: writer.headers,
      payload: {},
    })
    t.equal(published.statusCode, 200)
    t.ok(await until(() => receiver.received.length === 1), 'arrived')
    t.match(JSON.parse(receiver.received[0]?.body ?? '{}'), { type: 'article.published', resource: { id } })
  })

  await t.test('a test event', async (t) => {
    t.equal((await api.post(`${hook.id}/test`)).statusCode, 202)
    t.ok(await until(() => receiver.received.length === 2), 'arrived')
    t.match(JSON.parse(receiver.received[1]?.body ?? '{}'), { type: 'webhook.test' })
  })
})
