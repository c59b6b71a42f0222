// The webhooks API: creating, reading, changing and deleting webhooks, their secrets, filters,
// validation, the URL check, If-Match, scopes and the audit log. Sending: webhooks.delivery.test.ts.
import { test } from 'tap'
import { createKey } from '../helper.js'
import {
  assertProblem,
  buildHooks,
  json,
  missingId,
  type Problem,
  testClock,
  type WebhookBody,
} from './webhooks.helpers.js'

const url = 'https://hooks.example.com/newsdesk'
const secretPattern = /^whsec_[A-Za-z0-9+/]{43}=$/

test('webhooks', async (t) => {
  const clock = testClock()
  const { app, db, api, manager, database } = await buildHooks(t, { clock })
  const writer = await createKey(db, ['content:write'])
  const created = async (payload: object, headers = manager.headers) => {
    const res = await api.create(payload, headers)
    if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`)
    return json<WebhookBody>(res)
  }

  await t.test('create: 201 with the secret shown once, Location, ETag and no-store', async (t) => {
    const res = await api.create({ url, events: ['article.published', 'collection.*'], description: 'CDN purge' })
    t.equal(res.statusCode, 201)
    const hook = json<WebhookBody>(res)
    t.equal(res.headers.location, `/v1/webhooks/${hook.id}`)
    t.equal(res.headers.etag, '"v1"')
    t.equal(res.headers['cache-control'], 'no-store')
    t.match(hook.secret, secretPattern)
    t.equal(Buffer.from(String(hook.secret).slice('whsec_'.length), 'base64').length, 32, '32 random bytes')
    t.match(hook, {
      url,
      events: ['article.published', 'collection.*'],
      description: 'CDN purge',
      filter: { source: null, tag: null, collection: null },
      receivesDrafts: false,
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
      previousSecretExpiresAt: null,
      version: 1,
      createdBy: manager.id,
      createdAt: clock().toISOString(),
    })

    const got = await api.get(hook.id)
    t.equal(got.statusCode, 200)
    t.equal(got.headers.etag, '"v1"')
    t.notOk('secret' in json(got), 'GET never shows the secret')
    t.notMatch(got.body, String(hook.secret).slice(6))
    const list = await app.inject({ url: '/v1/webhooks', headers: manager.headers })
    t.notMatch(list.body, /whsec_/, 'nor does the list')
  })

  await t.test('receivesDrafts: true when the creating key holds content:preview', async (t) => {
    const previewer = await createKey(db, ['webhooks:manage', 'content:preview'])
    t.equal((await created({ url, events: ['*'] }, previewer.headers)).receivesDrafts, true)
    const editor = await createKey(db, ['webhooks:manage', 'content:write'])
    t.equal((await created({ url, events: ['*'] }, editor.headers)).receivesDrafts, true)
    const reader = await createKey(db, ['webhooks:manage', 'content:read'])
    t.equal((await created({ url, events: ['*'] }, reader.headers)).receivesDrafts, false)
  })

  await t.test('events: types, families and *; anything else, none, a repeat or too many is a 400', async (t) => {
    const all = ['article.*', 'collection.*', 'source.*', '*', 'article.created', 'source.deleted']
    t.same((await created({ url, events: all })).events, all)
    for (const events of [
      [],
      ['article.bogus'],
      ['webhook.test'],
      ['article.published', 'article.published'],
      ['*x'],
    ]) {
      const res = await api.create({ url, events })
      assertProblem(t, res, 400, 'ND_VALIDATION_FAILED')
      t.match(json<Problem>(res).errors?.[0]?.pointer, /^\/events/, JSON.stringify(events))
    }
    const many = Array.from({ length: 31 }, () => 'article.published')
    assertProblem(t, await api.create({ url, events: many }), 400, 'ND_VALIDATION_FAILED')
    for (const body of [
      { events: ['*'] },
      { url, events: ['*'], extra: 1 },
      { url: 'ftp://x.example', events: ['*'] },
    ]) {
      assertProblem(t, await api.create(body), 400, 'ND_VALIDATION_FAILED')
    }
  })

  await t.test('filters: a source by id or slug, a tag, a collection by key or id; unknown ones are 422', async (t) => {
    const source = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: writer.headers,
      payload: { name: 'Reuters', kind: 'agency' },
    })
    const { id: sourceId, slug } = json<{ id: string; slug: string }>(source)
    const box = await app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: writer.headers,
      payload: { key: 'top-stories', title: 'Top stories' },
    })
    const { id: collectionId } = json<{ id: string }>(box)
    const bySlug = await created({
      url,
      events: ['*'],
      filter: { source: slug, tag: 'iraq', collection: 'top-stories' },
    })
    t.same(bySlug.filter, { source: sourceId, tag: 'iraq', collection: collectionId })
    const byId = await created({ url, events: ['*'], filter: { source: sourceId, collection: collectionId } })
    t.same(byId.filter, { source: sourceId, tag: null, collection: collectionId })

    const noSource = assertProblem(
      t,
      await api.create({ url, events: ['*'], filter: { source: 'no-such-source' } }),
      422,
      'ND_REFERENCE_MISSING',
    )
    t.equal(noSource.field, 'filter/source')
    const noBox = await api.create({ url, events: ['*'], filter: { collection: missingId } })
    t.equal(assertProblem(t, noBox, 422, 'ND_REFERENCE_MISSING').field, 'filter/collection')
    assertProblem(
      t,
      await api.create({ url, events: ['*'], filter: { tag: 'Not A Slug' } }),
      400,
      'ND_VALIDATION_FAILED',
    )

    const patched = await api.patch(bySlug.id, { filter: { tag: null } })
    t.same(json<WebhookBody>(patched).filter, { source: sourceId, tag: null, collection: collectionId }, 'others stay')
    const cleared = await api.patch(bySlug.id, { filter: { source: null, collection: null } })
    t.same(json<WebhookBody>(cleared).filter, { source: null, tag: null, collection: null })
    assertProblem(t, await api.patch(bySlug.id, { filter: { source: 'nope' } }), 422, 'ND_REFERENCE_MISSING')
  })

  await t.test('the URL check: https to a public address only (422 ND_WEBHOOK_TARGET_REFUSED)', async (t) => {
    const refused = [
      'https://127.0.0.1/hook',
      'https://10.1.2.3/hook',
      'https://192.168.0.10/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://internal.example.com/hook',
      'https://rebind.example.com/hook',
      'https://unknown.example.com/hook',
      'http://hooks.example.com/hook',
    ]
    for (const target of refused) {
      const problem = assertProblem(
        t,
        await api.create({ url: target, events: ['*'] }),
        422,
        'ND_WEBHOOK_TARGET_REFUSED',
      )
      t.equal(problem.errors?.[0]?.pointer, '/url', target)
    }
    const hook = await created({ url, events: ['*'] })
    const res = await api.patch(hook.id, { url: 'https://internal.example.com/x' })
    assertProblem(t, res, 422, 'ND_WEBHOOK_TARGET_REFUSED')
    t.equal(json<WebhookBody>(await api.get(hook.id)).url, url, 'unchanged')
    t.equal((await api.patch(hook.id, { url: 'https://hooks.example.com/other' })).statusCode, 200)
  })

  await t.test('with http allowed, a private address is still refused', async (t) => {
    const { api: httpApi } = await buildHooks(t, { env: { WEBHOOK_ALLOW_HTTP: 'true' }, database, clock })
    for (const target of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::ffff:127.0.0.1]/']) {
      assertProblem(t, await httpApi.create({ url: target, events: ['*'] }), 422, 'ND_WEBHOOK_TARGET_REFUSED')
    }
    t.equal((await httpApi.create({ url: 'http://hooks.example.com/x', events: ['*'] })).statusCode, 201)
  })

  await t.test('PATCH: fields, If-Match, enabling and disabling', async (t) => {
    const hook = await created({ url, events: ['*'], description: 'first' })
    const res = await api.patch(hook.id, { events: ['source.*'], description: null }, { 'if-match': '"v1"' })
    t.equal(res.statusCode, 200)
    t.equal(res.headers.etag, '"v2"')
    t.match(json(res), { events: ['source.*'], description: null, version: 2, url })
    const stale = assertProblem(
      t,
      await api.patch(hook.id, { description: 'x' }, { 'if-match': '"v1"' }),
      412,
      'ND_PRECONDITION_FAILED',
    )
    t.equal(stale.currentEtag, '"v2"')
    assertProblem(t, await api.patch(hook.id, {}), 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, await api.patch(hook.id, { secret: 'x' }), 400, 'ND_VALIDATION_FAILED')

    clock.advance(1000)
    const off = json<WebhookBody>(await api.patch(hook.id, { enabled: false }))
    t.match(off, { enabled: false, disabledReason: 'Disabled through the API', disabledAt: clock().toISOString() })
    const on = json<WebhookBody>(await api.patch(hook.id, { enabled: true }))
    t.match(on, { enabled: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0 })
  })

  await t.test('rotate-secret: a new secret, the old one signing for 24 h more', async (t) => {
    const hook = await created({ url, events: ['*'] })
    const res = await api.post(`${hook.id}/rotate-secret`)
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'no-store')
    const rotated = json<WebhookBody>(res)
    t.match(rotated.secret, secretPattern)
    t.not(rotated.secret, hook.secret)
    t.equal(rotated.previousSecretExpiresAt, new Date(clock().getTime() + 86_400_000).toISOString())
    t.equal(rotated.version, 2)
    t.notOk('secret' in json(await api.get(hook.id)))
  })

  await t.test('DELETE: 204, then 404; its deliveries go with it', async (t) => {
    const hook = await created({ url, events: ['*'] })
    t.equal((await api.post(`${hook.id}/test`)).statusCode, 202)
    assertProblem(
      t,
      await app.inject({
        method: 'DELETE',
        url: `/v1/webhooks/${hook.id}`,
        headers: { ...manager.headers, 'if-match': '"v9"' },
      }),
      412,
      'ND_PRECONDITION_FAILED',
    )
    const res = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${hook.id}`, headers: manager.headers })
    t.equal(res.statusCode, 204)
    t.equal(res.body, '')
    assertProblem(t, await api.get(hook.id), 404, 'ND_NOT_FOUND')
    t.equal(await db.prisma.webhookDelivery.count({ where: { webhookId: hook.id } }), 0)
  })

  await t.test('unknown ids are 404 problems; malformed ones 400', async (t) => {
    const hook = await created({ url, events: ['*'] })
    const requests = [
      { method: 'GET', url: `/v1/webhooks/${missingId}` },
      { method: 'PATCH', url: `/v1/webhooks/${missingId}`, payload: { enabled: true } },
      { method: 'DELETE', url: `/v1/webhooks/${missingId}` },
      { method: 'POST', url: `/v1/webhooks/${missingId}/rotate-secret` },
      { method: 'POST', url: `/v1/webhooks/${missingId}/test` },
      { method: 'GET', url: `/v1/webhooks/${missingId}/deliveries` },
      { method: 'GET', url: `/v1/webhooks/${hook.id}/deliveries/${missingId}` },
      { method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/${missingId}/redeliver` },
      { method: 'POST', url: `/v1/webhooks/${missingId}/deliveries/${missingId}/redeliver` },
    ] as const
    for (const r of requests) {
      assertProblem(t, await app.inject({ ...r, headers: manager.headers }), 404, 'ND_NOT_FOUND')
    }
    assertProblem(t, await api.get('not-a-uuid'), 400, 'ND_VALIDATION_FAILED')
  })

  await t.test('access: 401 without a key, 403 without webhooks:manage', async (t) => {
    const hook = await created({ url, events: ['*'] })
    const routes = app.routeAccess.filter((r) => r.url.startsWith('/v1/webhooks') && r.method !== 'HEAD')
    t.equal(routes.length, 10)
    for (const route of routes) {
      t.equal(route.access, 'webhooks:manage', `${route.method} ${route.url}`)
      const path = route.url.replace(':id', hook.id).replace(':deliveryId', missingId)
      const request = { method: route.method as 'GET', url: path, payload: route.method === 'GET' ? undefined : {} }
      assertProblem(t, await app.inject(request), 401, 'ND_UNAUTHORIZED')
      assertProblem(t, await app.inject({ ...request, headers: writer.headers }), 403, 'ND_FORBIDDEN')
    }
  })

  await t.test('list: newest first, with a cursor and Link rel=next', async (t) => {
    // Created last, so they open the list.
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      clock.advance(1000)
      ids.push((await created({ url, events: ['*'] })).id)
    }
    const first = await app.inject({ url: '/v1/webhooks?limit=2', headers: manager.headers })
    const page = json<{ data: WebhookBody[]; page: { nextCursor: string } }>(first)
    t.same(
      page.data.map((w) => w.id),
      [ids[4], ids[3]],
    )
    t.match(first.headers.link, /^<\/v1\/webhooks\?limit=2&cursor=[A-Za-z0-9_-]+>; rel="next"$/)
    const seen = page.data.map((w) => w.id)
    let cursor: string | null = page.page.nextCursor
    while (cursor) {
      const next: { data: WebhookBody[]; page: { nextCursor: string | null } } = json<{
        data: WebhookBody[]
        page: { nextCursor: string | null }
      }>(await app.inject({ url: `/v1/webhooks?limit=2&cursor=${cursor}`, headers: manager.headers }))
      seen.push(...next.data.map((w) => w.id))
      cursor = next.page.nextCursor
    }
    t.same(seen.slice(0, 5), [...ids].reverse())
    t.equal(new Set(seen).size, seen.length, 'no webhook twice')
    assertProblem(
      t,
      await app.inject({ url: '/v1/webhooks?cursor=bogus', headers: manager.headers }),
      400,
      'ND_INVALID_CURSOR',
    )
  })

  await t.test('every write is in the audit log', async (t) => {
    const auditor = await createKey(db, ['keys:manage'])
    const hook = await created({ url, events: ['*'] })
    await api.patch(hook.id, { description: 'x' })
    await api.post(`${hook.id}/rotate-secret`)
    const delivery = json<{ id: string }>(await api.post(`${hook.id}/test`))
    await api.post(`${hook.id}/deliveries/${delivery.id}/redeliver`)
    await app.inject({ method: 'DELETE', url: `/v1/webhooks/${hook.id}`, headers: manager.headers })
    const res = await app.inject({
      url: `/v1/audit?resourceType=webhook&resourceId=${hook.id}`,
      headers: auditor.headers,
    })
    const actions = json<{ data: { action: string; keyId: string }[] }>(res).data.map((e) => e.action)
    t.same(actions.sort(), ['create', 'delete', 'redeliver', 'rotate-secret', 'test', 'update'])
  })
})
