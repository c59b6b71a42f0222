import { test } from 'tap'
import { assertProblem, build, createKey, json, missingId, type Page, type Res } from '../helper.js'

interface AuditEntry {
  id: string
  keyId: string | null
  action: string
  resourceType: string
  resourceId: string
  requestId: string | null
  at: string
}
type Expected = Pick<AuditEntry, 'keyId' | 'action' | 'resourceType' | 'resourceId' | 'requestId'>

const pick = (e: AuditEntry): Expected => ({
  keyId: e.keyId,
  action: e.action,
  resourceType: e.resourceType,
  resourceId: e.resourceId,
  requestId: e.requestId,
})

test('audit log', async (t) => {
  const { app, db, writer } = await build(t)
  const manager = await createKey(db, ['content:read', 'keys:manage'])
  const otherWriter = await createKey(db, ['content:write'])

  const audit = async (query = '') => {
    const res = await app.inject({ url: `/v1/audit${query ? `?${query}` : ''}`, headers: manager.headers })
    t.equal(res.statusCode, 200, `GET /v1/audit?${query}`)
    return { ...json<Page<AuditEntry>>(res), link: res.headers.link as string | undefined }
  }
  const getSource = async (id: string) => {
    const { createdBy, updatedBy } = json<{ createdBy: string | null; updatedBy: string | null }>(
      await app.inject(`/v1/sources/${id}`),
    )
    return { createdBy, updatedBy }
  }

  // The writes, oldest first, with what each should leave in the log.
  const writes: Expected[] = []
  const expectWrite = (res: Res, status: number, keyId: string, action: string, type: string, id: string) => {
    t.equal(res.statusCode, status, `${action} ${type}`)
    const requestId = res.headers['x-request-id']
    t.type(requestId, 'string')
    writes.push({ keyId, action, resourceType: type, resourceId: id, requestId: String(requestId) })
  }

  const createdSource = await app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: writer.headers,
    payload: { name: 'Audited Agency', kind: 'agency' },
  })
  const sourceId = json<{ id: string }>(createdSource).id
  expectWrite(createdSource, 201, writer.id, 'create', 'source', sourceId)
  t.same(await getSource(sourceId), { createdBy: writer.id, updatedBy: writer.id }, 'the creating key is recorded')

  const updatedSource = await app.inject({
    method: 'PATCH',
    url: `/v1/sources/${sourceId}`,
    headers: writer.headers,
    payload: { description: 'Audited' },
  })
  expectWrite(updatedSource, 200, writer.id, 'update', 'source', sourceId)
  t.same(await getSource(sourceId), { createdBy: writer.id, updatedBy: writer.id })

  const createdKey = await app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: manager.headers,
    payload: { name: 'Audited key', scopes: ['content:read', 'keys:manage'] },
  })
  const keyId = json<{ id: string }>(createdKey).id
  expectWrite(createdKey, 201, manager.id, 'create', 'key', keyId)

  const updatedKey = await app.inject({
    method: 'PATCH',
    url: `/v1/keys/${keyId}`,
    headers: { ...manager.headers, 'x-request-id': 'edge-audit-1' },
    payload: { scopes: ['content:read'] },
  })
  expectWrite(updatedKey, 200, manager.id, 'update', 'key', keyId)
  t.equal(updatedKey.headers['x-request-id'], 'edge-audit-1', "the caller's request id is recorded")

  const revokedKey = await app.inject({ method: 'DELETE', url: `/v1/keys/${keyId}`, headers: manager.headers })
  expectWrite(revokedKey, 204, manager.id, 'revoke', 'key', keyId)
  const revokedAgain = await app.inject({ method: 'DELETE', url: `/v1/keys/${keyId}`, headers: manager.headers })
  t.equal(revokedAgain.statusCode, 204, 'revoking again is a no-op, and not logged')

  const updatedByOther = await app.inject({
    method: 'PATCH',
    url: `/v1/sources/${sourceId}`,
    headers: otherWriter.headers,
    payload: { name: 'Audited Agency (renamed)' },
  })
  expectWrite(updatedByOther, 200, otherWriter.id, 'update', 'source', sourceId)
  t.same(
    await getSource(sourceId),
    { createdBy: writer.id, updatedBy: otherWriter.id },
    'updatedBy follows the last writer',
  )

  const deletedSource = await app.inject({ method: 'DELETE', url: `/v1/sources/${sourceId}`, headers: writer.headers })
  expectWrite(deletedSource, 204, writer.id, 'delete', 'source', sourceId)

  // Keys made from the command line (the test helper) are logged without a key or request.
  const cli = (id: string): Expected => ({
    keyId: null,
    action: 'create',
    resourceType: 'key',
    resourceId: id,
    requestId: 'cli',
  })
  const expected = [...writes].reverse().concat([otherWriter.id, manager.id, writer.id].map(cli))

  const all = await audit('limit=100')
  t.equal(all.page.nextCursor, null)
  t.same(all.data.map(pick), expected, 'every write, newest first, with key, action, resource and request id')
  for (const [i, e] of all.data.entries()) {
    t.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    t.equal(new Date(e.at).toISOString(), e.at, 'at is an ISO timestamp')
    const next = all.data[i + 1]
    if (next) t.ok(e.at >= next.at, 'at descends')
  }
  t.same((await audit()).data, all.data, 'the default page holds them all')
  t.equal(await db.prisma.auditEntry.count(), expected.length)

  await t.test('filters', async (t) => {
    const only = (f: (e: AuditEntry) => boolean) => all.data.filter(f)
    const ids = (page: { data: AuditEntry[] }) => page.data.map((e) => e.id)

    const byWriter = await audit(`keyId=${writer.id}`)
    t.same(
      byWriter.data.map((e) => `${e.action} ${e.resourceType}`),
      ['delete source', 'update source', 'create source'],
    )
    t.same(ids(await audit(`keyId=${manager.id}`)), ids({ data: only((e) => e.keyId === manager.id) }))
    t.same(
      (await audit(`keyId=${manager.id}`)).data.map((e) => e.action),
      ['revoke', 'update', 'create'],
    )
    t.same((await audit(`keyId=${missingId}`)).data, [], 'an unknown key has no entries')

    const keysOnly = await audit('resourceType=key')
    t.same(ids(keysOnly), ids({ data: only((e) => e.resourceType === 'key') }))
    t.equal(keysOnly.data.length, 6)
    const sourcesOnly = await audit('resourceType=source')
    t.same(
      sourcesOnly.data.map((e) => e.action),
      ['delete', 'update', 'update', 'create'],
    )
    t.same(ids(await audit(`resourceId=${keyId}`)), ids({ data: only((e) => e.resourceId === keyId) }))
    t.same(ids(await audit(`resourceType=source&resourceId=${sourceId}`)), ids(sourcesOnly))
    t.same((await audit(`resourceType=source&resourceId=${keyId}`)).data, [], 'filters combine with AND')

    const newest = all.data[0]
    const middle = all.data[4]
    const oldest = all.data.at(-1)
    if (!newest || !middle || !oldest) throw new Error('expected entries')
    const since = (at: string) => `since=${encodeURIComponent(at)}`
    const until = (at: string) => `until=${encodeURIComponent(at)}`
    t.same(ids(await audit(since(middle.at))), ids({ data: only((e) => e.at >= middle.at) }), 'since is inclusive')
    t.ok((await audit(since(middle.at))).data.some((e) => e.id === middle.id))
    t.same(ids(await audit(until(middle.at))), ids({ data: only((e) => e.at < middle.at) }), 'until is exclusive')
    t.notOk((await audit(until(middle.at))).data.some((e) => e.id === middle.id))
    t.same(
      ids(await audit(`${since(oldest.at)}&${until(newest.at)}`)),
      ids({ data: only((e) => e.at >= oldest.at && e.at < newest.at) }),
    )
    t.same(ids(await audit(since(oldest.at))), ids(all), 'since the first entry: everything')
    t.same((await audit(until(oldest.at))).data, [], 'until the first entry: nothing')
    const future = new Date(Date.parse(newest.at) + 60_000).toISOString()
    t.same((await audit(since(future))).data, [])
    const offset = (await audit(since(middle.at.replace('Z', '+00:00')))).data
    t.same(ids({ data: offset }), ids(await audit(since(middle.at))), 'an offset timestamp means the same instant')

    const firstSourceWrite = all.data.find((e) => e.requestId === writes[1]?.requestId)
    if (!firstSourceWrite) throw new Error('expected the source update')
    t.same(
      ids(await audit(`keyId=${writer.id}&resourceType=source&${since(firstSourceWrite.at)}`)),
      ids({ data: only((e) => e.keyId === writer.id && e.resourceType === 'source' && e.at >= firstSourceWrite.at) }),
      'keyId, resourceType and since combined',
    )
    t.same((await audit(`keyId=${writer.id}&resourceType=key`)).data, [], "the writer's entries are all about sources")
  })

  await t.test('pagination walks every entry once', async (t) => {
    for (const [query, full] of [
      ['', all.data],
      ['resourceType=key&', all.data.filter((e) => e.resourceType === 'key')],
    ] as const) {
      for (const limit of [1, 3]) {
        const walked: string[] = []
        let cursor: string | null = null
        let pages = 0
        do {
          const page: Awaited<ReturnType<typeof audit>> = await audit(
            `${query}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
          )
          t.ok(page.data.length <= limit)
          t.equal(page.page.limit, limit)
          walked.push(...page.data.map((e) => e.id))
          cursor = page.page.nextCursor
          if (cursor)
            t.match(page.link, new RegExp(`/v1/audit\\?${query}limit=${limit}&cursor=${cursor}>; rel="next"$`))
          else t.notOk(page.link)
          pages++
        } while (cursor && pages < 50)
        t.same(
          walked,
          full.map((e) => e.id),
          `${query}limit=${limit}: no skips, no repeats`,
        )
        t.equal(new Set(walked).size, walked.length)
      }
    }
  })

  await t.test('bad queries are rejected', async (t) => {
    const bad = async (query: string, pointer: string, message?: RegExp) => {
      const res = await app.inject({ url: `/v1/audit?${query}`, headers: manager.headers })
      const problem = assertProblem(t, res, 400, 'ND_VALIDATION_FAILED')
      const field = problem.errors?.find((e) => e.pointer === pointer && e.in === 'query')
      t.ok(field, `${query} names ${pointer}`)
      if (message) t.match(field?.message, message)
    }
    await bad('action=create', '/action', /not a known query parameter/)
    await bad('resource=key', '/resource', /not a known query parameter/)
    await bad('since=yesterday', '/since', /date-time/)
    await bad('until=2026-13-45T00:00:00Z', '/until', /date-time/)
    await bad('since=1700000000', '/since')
    await bad('keyId=nope', '/keyId', /uuid/)
    await bad('resourceType=', '/resourceType')
    await bad('limit=0', '/limit')
    await bad('limit=101', '/limit')
    const garbage = await app.inject({ url: '/v1/audit?cursor=AAAA', headers: manager.headers })
    assertProblem(t, garbage, 400, 'ND_INVALID_CURSOR')
    const otherList = json<Page<unknown>>(await app.inject({ url: '/v1/keys?limit=1', headers: manager.headers }))
    const foreign = await app.inject({
      url: `/v1/audit?cursor=${otherList.page.nextCursor}`,
      headers: manager.headers,
    })
    assertProblem(t, foreign, 400, 'ND_INVALID_CURSOR')
  })

  await t.test('a failed write leaves no entry and no row', async (t) => {
    const taken = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: writer.headers,
      payload: { name: 'Taken', kind: 'agency', slug: 'taken' },
    })
    t.equal(taken.statusCode, 201)
    const entries = await db.prisma.auditEntry.count()
    const sources = await db.prisma.source.count()
    const keys = await db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } })

    const clash = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: writer.headers,
      payload: { name: 'Clash', kind: 'agency', slug: 'taken' },
    })
    assertProblem(t, clash, 409, 'ND_UNIQUE_VIOLATION')
    const clashId = clash.headers['x-request-id']
    const invalid = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: writer.headers,
      payload: { name: 'Invalid', kind: 'blog' },
    })
    assertProblem(t, invalid, 400, 'ND_VALIDATION_FAILED')
    const missing = await app.inject({
      method: 'PATCH',
      url: `/v1/sources/${missingId}`,
      headers: writer.headers,
      payload: { name: 'Ghost' },
    })
    assertProblem(t, missing, 404, 'ND_NOT_FOUND')
    const widen = await app.inject({
      method: 'PATCH',
      url: `/v1/keys/${writer.id}`,
      headers: manager.headers,
      payload: { scopes: ['content:write', 'keys:manage'] },
    })
    assertProblem(t, widen, 409, 'ND_CONFLICT')
    const revokedPatch = await app.inject({
      method: 'PATCH',
      url: `/v1/keys/${keyId}`,
      headers: manager.headers,
      payload: { name: 'Renamed after revocation' },
    })
    assertProblem(t, revokedPatch, 409, 'ND_CONFLICT')
    const pastExpiry = await app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: manager.headers,
      payload: { name: 'Expired', scopes: ['content:read'], expiresAt: '2000-01-01T00:00:00.000Z' },
    })
    t.equal(pastExpiry.statusCode, 400)
    const forbidden = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: manager.headers,
      payload: { name: 'Not mine to write', kind: 'agency' },
    })
    assertProblem(t, forbidden, 403, 'ND_FORBIDDEN')

    t.equal(await db.prisma.auditEntry.count(), entries, 'no audit entry for a failed write')
    t.equal(await db.prisma.auditEntry.count({ where: { requestId: String(clashId) } }), 0)
    t.equal(await db.prisma.source.count(), sources, 'no row either')
    t.equal(await db.prisma.source.count({ where: { name: { in: ['Clash', 'Invalid', 'Not mine to write'] } } }), 0)
    t.same(await db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } }), keys, 'no key changed')
    t.equal((await audit('limit=1')).data[0]?.requestId, taken.headers['x-request-id'], 'the last entry is the success')
  })

  await t.test('the audit log needs keys:manage', async (t) => {
    const noKey = await app.inject('/v1/audit')
    const unauthorized = assertProblem(t, noKey, 401, 'ND_UNAUTHORIZED')
    t.match(String(noKey.headers['www-authenticate']), /^Bearer/)
    t.match(unauthorized.detail, /keys:manage/)

    const asWriter = await app.inject({ url: '/v1/audit', headers: writer.headers })
    const forbidden = assertProblem(t, asWriter, 403, 'ND_FORBIDDEN')
    t.match(forbidden.detail, /keys:manage/, 'the problem names the scope')
    t.notMatch(asWriter.body, /"data"/)

    const revoked = await app.inject({ url: '/v1/audit', headers: { authorization: `Bearer nd_${'0'.repeat(32)}_x` } })
    assertProblem(t, revoked, 401, 'ND_UNAUTHORIZED')
  })
})
