// The articles API through HTTP: revisions and restore, old slugs, Idempotency-Key on create.
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, createKey, json, type Page, testClock } from '../helper.js'
import {
  assertProblem,
  client,
  env,
  type Headers,
  missingId,
  pointers,
  type Revision,
  seedHeadline,
  seedSlug,
} from './articles.helpers.js'

test('revisions, old slugs, Idempotency-Key', async (t) => {
  const clock = testClock(new Date('2031-05-01T08:00:00.000Z'))
  const { app, db, auth, writer } = await build(t, { clock, env })
  await seed(db.prisma)
  const api = client(app, auth)
  const reader = (await createKey(db, ['content:read'])).headers
  const previewer = (await createKey(db, ['content:preview'])).headers

  const revisions = (id: string, query = '', headers: Headers = auth) =>
    app.inject({ url: `/v1/articles/${id}/revisions${query}`, headers })
  const revision = (id: string, version: number | string, headers: Headers = auth) =>
    app.inject({ url: `/v1/articles/${id}/revisions/${version}`, headers })
  const restore = (id: string, version: number | string, headers: Headers = {}) =>
    app.inject({
      method: 'POST',
      url: `/v1/articles/${id}/revisions/${version}/restore`,
      headers: { ...auth, ...headers },
    })

  await t.test('revisions', async (t) => {
    const v1 = await api.draft({
      headline: 'First headline',
      summary: 'First summary',
      body: 'First body.',
      slug: 'first-slug',
      source: 'panarmenian-net',
      credits: [{ source: 'associated-press' }],
      tags: ['iraq', 'syria'],
      leadImage: { url: 'https://img.example/1.jpg', caption: 'One' },
      bylines: ['A. Writer'],
    })
    await api.patch(v1.id, { headline: 'Second headline' })
    await api.action(v1.id, 'publish')
    const v4 = json<Article>(
      await api.patch(v1.id, {
        slug: 'second-slug',
        summary: null,
        body: 'Second body.',
        source: null,
        credits: [],
        tags: ['russia'],
        leadImage: null,
        bylines: [],
        language: 'ru',
        dateline: 'MOSCOW',
      }),
    )
    t.equal(v4.version, 4)

    await t.test('every change writes one revision', async (t) => {
      const res = await revisions(v1.id)
      t.equal(res.statusCode, 200)
      t.equal(res.headers['cache-control'], 'private, no-store')
      const page = json<Page<Revision>>(res)
      t.same(
        page.data.map((r) => r.version),
        [4, 3, 2, 1],
        'newest first',
      )
      t.same(page.data[3]?.changedFields.sort(), [
        'body',
        'bylines',
        'canonicalUrl',
        'contributors',
        'corrections',
        'credits',
        'dateline',
        'embargoedUntil',
        'headline',
        'language',
        'leadImage',
        'publishedAt',
        'rights',
        'sections',
        'slug',
        'sourceId',
        'status',
        'summary',
        'tags',
      ])
      t.same(page.data[2]?.changedFields, ['headline'])
      t.same(page.data[1]?.changedFields.sort(), ['publishedAt', 'status'])
      t.same(page.data[0]?.changedFields.sort(), [
        'body',
        'bylines',
        'credits',
        'dateline',
        'language',
        'leadImage',
        'slug',
        'sourceId',
        'summary',
        'tags',
      ])
      t.ok(page.data.every((r) => r.keyId === writer.id && typeof r.requestId === 'string' && !r.snapshot))
      t.equal(await db.prisma.articleRevision.count({ where: { articleId: v1.id } }), 4)
      const audit = await db.prisma.auditEntry.findMany({
        where: { resourceType: 'article', resourceId: v1.id },
        orderBy: { id: 'asc' },
      })
      t.same(
        audit.map((e) => [e.action, e.keyId]),
        [
          ['create', writer.id],
          ['update', writer.id],
          ['publish', writer.id],
          ['update', writer.id],
        ],
        'and one audit entry',
      )

      const first = json<Page<Revision>>(await revisions(v1.id, '?limit=3'))
      t.same(
        first.data.map((r) => r.version),
        [4, 3, 2],
      )
      const second = json<Page<Revision>>(await revisions(v1.id, `?limit=3&cursor=${first.page.nextCursor}`))
      t.same(
        second.data.map((r) => r.version),
        [1],
      )
      t.equal(second.page.nextCursor, null)
    })

    await t.test('access: preview scope needed', async (t) => {
      assertProblem(t, await revisions(v1.id, '', {}), 401, 'ND_UNAUTHORIZED')
      assertProblem(t, await revisions(v1.id, '', reader), 403, 'ND_FORBIDDEN')
      t.equal((await revisions(v1.id, '', previewer)).statusCode, 200)
      assertProblem(t, await revision(v1.id, 1, {}), 401, 'ND_UNAUTHORIZED')
      assertProblem(t, await revision(v1.id, 1, reader), 403, 'ND_FORBIDDEN')
      assertProblem(
        t,
        await restore(v1.id, 1, { authorization: previewer.authorization as string }),
        403,
        'ND_FORBIDDEN',
      )
      assertProblem(t, await revisions(missingId), 404, 'ND_NOT_FOUND')
      t.same(pointers(t, await revisions(v1.id, '?limit=0')), ['/limit'])
      t.same(pointers(t, await revisions(v1.id, '?since=x')), ['/since'])
      assertProblem(t, await revisions(v1.id, '?cursor=AAAA'), 400, 'ND_INVALID_CURSOR')
    })

    await t.test('one revision has the snapshot', async (t) => {
      const res = await revision(v1.id, 1)
      t.equal(res.statusCode, 200)
      const r = json<Revision>(res)
      t.equal(r.version, 1)
      t.match(r.snapshot, {
        slug: 'first-slug',
        headline: 'First headline',
        summary: 'First summary',
        body: 'First body.',
        status: 'draft',
        publishedAt: null,
        language: 'en',
        bylines: ['A. Writer'],
        leadImage: { url: 'https://img.example/1.jpg', caption: 'One', credit: null },
        tags: ['iraq', 'syria'],
      })
      t.equal((r.snapshot?.credits as unknown[] | undefined)?.length, 1)
      t.equal(json<Revision>(await revision(v1.id, 3)).snapshot?.status, 'published')
      assertProblem(t, await revision(v1.id, 99), 404, 'ND_NOT_FOUND')
      assertProblem(t, await revision(missingId, 1), 404, 'ND_NOT_FOUND')
      t.same(pointers(t, await revision(v1.id, 0)), ['/version'])
      t.same(pointers(t, await revision(v1.id, 'one')), ['/version'])
    })

    await t.test('restore: the content of an old version becomes a new one; publication is kept', async (t) => {
      clock.advance(60_000)
      const res = await restore(v1.id, 1)
      t.equal(res.statusCode, 200)
      t.equal(res.headers.etag, '"v5"')
      const restored = json<Article>(res)
      t.equal(restored.version, 5)
      t.equal(restored.status, 'published', 'publication state is kept')
      t.equal(restored.publishedAt, v4.publishedAt)
      t.equal(restored.firstPublishedAt, v4.firstPublishedAt)
      t.match(restored, {
        slug: 'first-slug',
        headline: 'First headline',
        summary: 'First summary',
        body: 'First body.',
        bodyText: 'First body.',
        dateline: null,
        language: 'en',
        bylines: ['A. Writer'],
        sourceId: v1.sourceId,
        credits: v1.credits,
        tags: ['iraq', 'syria'],
        leadImage: { url: 'https://img.example/1.jpg', caption: 'One', credit: null },
      })
      const snapshot1 = json<Revision>(await revision(v1.id, 1)).snapshot ?? {}
      const snapshot5 = json<Revision>(await revision(v1.id, 5)).snapshot ?? {}
      const content = (s: Record<string, unknown>) => ({ ...s, status: undefined, publishedAt: undefined })
      t.same(content(snapshot5), content(snapshot1), 'the new version has the old content')
      const r5 = json<Page<Revision>>(await revisions(v1.id, '?limit=1')).data[0]
      t.equal(r5?.version, 5)
      t.notOk(r5?.changedFields.includes('status'))
      t.ok(r5?.changedFields.includes('headline'))

      const oldSlug = await api.get('second-slug')
      t.equal(oldSlug.statusCode, 200, 'the slug it had before the restore still resolves')
      t.equal(json<Article>(oldSlug).id, v1.id)
      t.equal(json<Article>(await api.get('first-slug')).id, v1.id)

      assertProblem(t, await restore(v1.id, 42), 404, 'ND_NOT_FOUND')
      assertProblem(t, await restore(missingId, 1), 404, 'ND_NOT_FOUND')
      t.equal(json<Article>(await api.get(v1.id, auth)).version, 5, 'failed restores changed nothing')

      // A restore whose slug another article has taken since keeps the current slug.
      const other = await api.draft({ headline: 'Other', slug: 'taken-later' })
      await api.patch(v1.id, { slug: 'taken-later-2' })
      await api.patch(other.id, { slug: 'other-2' })
      await api.patch(v1.id, { slug: 'third-slug' })
      const before = json<Article>(await api.get(v1.id, auth))
      t.equal(before.version, 7)
      await db.prisma.articleSlug.deleteMany({ where: { slug: 'taken-later-2' } })
      await api.patch(other.id, { slug: 'taken-later-2' })
      const kept = json<Article>(await restore(v1.id, 6))
      t.equal(kept.version, 8)
      t.equal(kept.slug, 'third-slug', 'the slug now used by another article is not taken back')
    })
  })

  await t.test('restore when a source of the old version is gone', async (t) => {
    const ap = await db.prisma.source.findUniqueOrThrow({ where: { slug: 'associated-press' } })
    const created = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: auth,
      payload: { name: 'Short-lived agency', kind: 'agency' },
    })
    const source = json<{ id: string }>(created)
    const a = await api.draft({
      headline: 'Sourced',
      source: source.id,
      credits: [{ source: source.id }, { source: 'associated-press' }],
    })
    await api.patch(a.id, { source: null, credits: [] })
    const deleted = await app.inject({ method: 'DELETE', url: `/v1/sources/${source.id}`, headers: auth })
    t.equal(deleted.statusCode, 204, 'no live article refers to the source any more')
    const res = await restore(a.id, 1)
    t.equal(res.statusCode, 200)
    const restored = json<Article>(res)
    t.equal(restored.sourceId, null, 'a source that is gone is not restored')
    t.same(restored.credits, [{ sourceId: ap.id, role: 'wire' }], 'nor is its credit; the others are')
  })

  await t.test('old slugs keep resolving and stay reserved', async (t) => {
    const original = json<Article>(await api.get(seedSlug))

    const renamed = await api.patch(original.id, { slug: 'iraq-intelligence-sharing' })
    t.equal(renamed.statusCode, 200)
    t.equal(json<Article>(renamed).slug, 'iraq-intelligence-sharing')
    const byOld = await api.get(seedSlug)
    t.equal(byOld.statusCode, 200, 'the old slug resolves anonymously')
    t.equal(json<Article>(byOld).id, original.id)
    t.equal(json<Article>(byOld).slug, 'iraq-intelligence-sharing', 'to the current record')
    t.equal(json<Article>(await api.get('iraq-intelligence-sharing')).id, original.id)

    const taken = assertProblem(
      t,
      await api.create({ headline: 'Squatter', slug: seedSlug }),
      409,
      'ND_UNIQUE_VIOLATION',
    )
    t.equal(taken.field, 'slug')
    const other = await api.draft({ headline: 'Another' })
    t.equal(assertProblem(t, await api.patch(other.id, { slug: seedSlug }), 409, 'ND_UNIQUE_VIOLATION').field, 'slug')
    const generated = await api.draft({ headline: seedHeadline })
    t.equal(generated.slug, `${seedSlug}-2`, 'a generated slug avoids old slugs')

    // Renaming again keeps both old slugs; renaming back to an old slug of its own is allowed.
    await api.patch(original.id, { slug: 'iraq-intel' })
    for (const slug of [seedSlug, 'iraq-intelligence-sharing', 'iraq-intel']) {
      t.equal(json<Article>(await api.get(slug)).id, original.id, slug)
    }
    const back = await api.patch(original.id, { slug: seedSlug })
    t.equal(back.statusCode, 200)
    t.equal(json<Article>(back).slug, seedSlug)
    for (const slug of [seedSlug, 'iraq-intelligence-sharing', 'iraq-intel']) {
      t.equal(json<Article>(await api.get(slug)).id, original.id, `${slug} after renaming back`)
    }
    t.same(
      (await db.prisma.articleSlug.findMany({ where: { articleId: original.id }, orderBy: { slug: 'asc' } })).map(
        (s) => s.slug,
      ),
      ['iraq-intel', 'iraq-intelligence-sharing'],
      'the current slug is not also an old one',
    )

    // A draft's old slug is as hidden as the draft.
    await api.patch(other.id, { slug: 'another-renamed' })
    assertProblem(t, await api.get('another'), 404, 'ND_NOT_FOUND')
    t.equal(json<Article>(await api.get('another', auth)).id, other.id)
  })

  await t.test('Idempotency-Key on create', async (t) => {
    const otherWriter = (await createKey(db, ['content:write'])).headers
    const payload = {
      headline: 'Idempotent story',
      body: 'Once.',
      tags: ['iraq'],
      credits: [{ source: 'associated-press' }],
    }
    const count = (headline: string) => db.prisma.article.count({ where: { headline } })

    const first = await api.create(payload, { 'idempotency-key': 'create-1' })
    t.equal(first.statusCode, 201)
    t.notOk(first.headers['idempotent-replayed'])
    const created = json<Article>(first)
    const again = await api.create(payload, { 'idempotency-key': 'create-1' })
    t.equal(again.statusCode, 201)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.same(json(again), created, 'the same response')
    t.equal(again.headers.location, `/v1/articles/${created.id}`)
    t.equal(again.headers.etag, '"v1"')
    t.equal(await count('Idempotent story'), 1, 'one row only')

    const reused = assertProblem(
      t,
      await api.create({ ...payload, body: 'Twice.' }, { 'idempotency-key': 'create-1' }),
      422,
      'ND_IDEMPOTENCY_KEY_REUSED',
    )
    t.match(reused.detail, /Idempotency-Key/)
    t.equal(await count('Idempotent story'), 1)

    const otherKey = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: { ...otherWriter, 'idempotency-key': 'create-1' },
      payload,
    })
    t.equal(otherKey.statusCode, 201, 'another API key with the same Idempotency-Key is independent')
    t.notOk(otherKey.headers['idempotent-replayed'])
    t.not(json<Article>(otherKey).id, created.id)
    t.equal(json<Article>(otherKey).slug, 'idempotent-story-2')
    t.equal(await count('Idempotent story'), 2)

    const withoutKey = await api.create(payload)
    t.not(json<Article>(withoutKey).id, created.id, 'without a key every POST creates')

    // A failed request stores nothing: the retry runs again.
    const failing = { headline: 'Idempotent failure', source: 'not-yet-a-source' }
    assertProblem(t, await api.create(failing, { 'idempotency-key': 'create-2' }), 422, 'ND_REFERENCE_MISSING')
    await db.prisma.source.create({
      data: { slug: 'not-yet-a-source', name: 'Late', nameKey: 'late', kind: 'partner' },
    })
    t.equal((await api.create(failing, { 'idempotency-key': 'create-2' })).statusCode, 201)

    // Concurrent retries of one request create one article.
    const concurrent = { headline: 'Concurrent idempotent', body: 'Once.' }
    const results = await Promise.all(
      Array.from({ length: 4 }, () => api.create(concurrent, { 'idempotency-key': 'create-3' })),
    )
    t.same(
      results.map((r) => r.statusCode),
      [201, 201, 201, 201],
      results.map((r) => r.body.slice(0, 200)).join(' | '),
    )
    t.equal(new Set(results.map((r) => json<Article>(r).id)).size, 1, 'every response names the same article')
    t.equal(await count('Concurrent idempotent'), 1)
    t.equal(results.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 3)

    t.same(pointers(t, await api.create(payload, { 'idempotency-key': 'has space' })), ['/idempotency-key'])
    t.same(pointers(t, await api.create(payload, { 'idempotency-key': 'k'.repeat(201) })), ['/idempotency-key'])
  })
})
