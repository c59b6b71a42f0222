// The articles API through HTTP: PATCH with If-Match (also under real concurrency), revisions
// and restore, old slugs, deletion and tombstones, Idempotency-Key on create.
import pg from 'pg'
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
  type Res,
  type Revision,
  seedHeadline,
  seedSlug,
  type Tombstone,
} from './articles.helpers.js'

test('PATCH and If-Match', async (t) => {
  const { app, db, auth, database, writer } = await build(t, { env })
  await seed(db.prisma)
  const api = client(app, auth)
  const editorKey = await createKey(db, ['content:write'])
  const editorB = editorKey.headers
  const seedArticle = json<Article>(await api.get(seedSlug))

  await t.test('the ETag is the version; a stale one is a 412 with the current version', async (t) => {
    const got = await api.get(seedArticle.id, auth)
    t.equal(got.headers.etag, '"v1"')
    t.equal((await api.get(seedSlug)).headers.etag, '"v1"', 'the public read has the same ETag')
    const res = await api.patch(seedArticle.id, { dateline: 'BAGHDAD, Sunday, September 27' }, { 'if-match': '"v1"' })
    t.equal(res.statusCode, 200)
    t.equal(res.headers.etag, '"v2"')
    const updated = json<Article>(res)
    t.equal(updated.version, 2)
    t.equal(updated.dateline, 'BAGHDAD, Sunday, September 27')
    t.equal(updated.headline, seedHeadline, 'fields not sent are kept')
    t.same(updated.tags, ['iran', 'iraq', 'islamic-state', 'russia', 'syria'])
    t.equal((await api.get(seedArticle.id)).headers.etag, '"v2"')

    const stale = assertProblem(
      t,
      await api.patch(seedArticle.id, { dateline: 'stale' }, { 'if-match': '"v1"' }),
      412,
      'ND_PRECONDITION_FAILED',
    )
    t.equal(stale.currentVersion, 2)
    t.equal(stale.currentEtag, '"v2"')
    t.equal(json<Article>(await api.get(seedArticle.id)).dateline, 'BAGHDAD, Sunday, September 27')
  })

  await t.test('two editors with the same ETag: one wins, one gets 412', async (t) => {
    const etag = String((await api.get(seedArticle.id, auth)).headers.etag)
    const a = await api.patch(seedArticle.id, { summary: 'Editor A' }, { 'if-match': etag })
    const b = await app.inject({
      method: 'PATCH',
      url: `/v1/articles/${seedArticle.id}`,
      headers: { ...editorB, 'if-match': etag },
      payload: { summary: 'Editor B' },
    })
    t.equal(a.statusCode, 200)
    t.equal(assertProblem(t, b, 412, 'ND_PRECONDITION_FAILED').currentVersion, json<Article>(a).version)
    t.equal(json<Article>(await api.get(seedArticle.id)).summary, 'Editor A')
    t.equal(json<Article>(a).updatedBy, writer.id)
    const retried = await app.inject({
      method: 'PATCH',
      url: `/v1/articles/${seedArticle.id}`,
      headers: { ...editorB, 'if-match': String(a.headers.etag) },
      payload: { summary: 'Editor B' },
    })
    t.equal(retried.statusCode, 200, 'B saves again on the new version')
    t.equal(json<Article>(retried).summary, 'Editor B')
    t.equal(json<Article>(retried).updatedBy, editorKey.id, 'updatedBy names the key')
    t.equal(json<Article>(retried).createdBy, null, 'createdBy is kept (the seed has none)')
  })

  await t.test('concurrent saves of one version: exactly one wins, the version goes up by one', async (t) => {
    for (let round = 0; round < 5; round++) {
      const before = json<Article>(await api.get(seedArticle.id, auth))
      const revisionsBefore = await db.prisma.articleRevision.count({ where: { articleId: seedArticle.id } })
      const etag = `"v${before.version}"`
      const bodies = [
        {
          headline: `Concurrent A${round}`,
          tags: ['iraq', `edit-a-${round}`],
          credits: [{ source: 'panarmenian-net' }],
        },
        {
          headline: `Concurrent B${round}`,
          tags: ['iraq', `edit-b-${round}`],
          credits: [{ source: 'associated-press' }],
        },
      ]
      const results = await Promise.all([
        api.patch(seedArticle.id, bodies[0] as object, { 'if-match': etag }),
        app.inject({
          method: 'PATCH',
          url: `/v1/articles/${seedArticle.id}`,
          headers: { ...editorB, 'if-match': etag },
          payload: bodies[1] as object,
        }),
      ])
      t.same(
        results.map((r) => r.statusCode).sort(),
        [200, 412],
        `round ${round}: ${results.map((r) => r.body.slice(0, 200)).join(' | ')}`,
      )
      const winner = results.findIndex((r) => r.statusCode === 200)
      const after = json<Article>(await api.get(seedArticle.id, auth))
      t.equal(after.version, (before.version ?? 0) + 1)
      t.equal(after.headline, bodies[winner]?.headline, "the final state is the winner's")
      t.same(after.tags, [...(bodies[winner]?.tags ?? [])].sort())
      t.equal(after.credits?.length, 1)
      t.equal(await db.prisma.articleRevision.count({ where: { articleId: seedArticle.id } }), revisionsBefore + 1)
    }
  })

  await t.test('concurrent saves without If-Match both apply, one after the other', async (t) => {
    const before = json<Article>(await api.get(seedArticle.id, auth))
    const results = await Promise.all([
      api.patch(seedArticle.id, { summary: 'No precondition A', tags: ['iraq', 'no-precondition'] }),
      api.patch(seedArticle.id, { dateline: 'No precondition B', tags: ['iraq', 'no-precondition'] }),
    ])
    t.same(
      results.map((r) => r.statusCode),
      [200, 200],
      results.map((r) => r.body.slice(0, 200)).join(' | '),
    )
    const after = json<Article>(await api.get(seedArticle.id, auth))
    t.equal(after.version, (before.version ?? 0) + 2)
    t.equal(after.summary, 'No precondition A')
    t.equal(after.dateline, 'No precondition B')
  })

  await t.test('If-Match: *, lists, weak and non-version tags', async (t) => {
    const v = json<Article>(await api.get(seedArticle.id, auth)).version ?? 0
    const star = await api.patch(seedArticle.id, { bylines: ['Staff'] }, { 'if-match': '*' })
    t.equal(star.statusCode, 200)
    t.equal(star.headers.etag, `"v${v + 1}"`)
    const listed = await api.patch(seedArticle.id, { bylines: ['Staff', 'Wire'] }, { 'if-match': `"v1", "v${v + 1}"` })
    t.equal(listed.statusCode, 200, 'a list naming the current version matches')
    // W/"v<n>" names the current version, but If-Match compares strongly (RFC 9110): no match.
    for (const tag of ['"abc"', 'v3', `W/"v${v + 2}"`, `"${v + 2}"`, '""', `"v${v + 2}"x`]) {
      const res = await api.patch(seedArticle.id, { bylines: [] }, { 'if-match': tag })
      t.equal(assertProblem(t, res, 412, 'ND_PRECONDITION_FAILED').currentVersion, v + 2, `If-Match ${tag}`)
    }
  })

  await t.test('every write honours If-Match', async (t) => {
    const a = await api.draft({ headline: 'Guarded', body: 'Text.' })
    const stale = { 'if-match': '"v9"' }
    const check = async (res: Res, what: string) => {
      t.equal(assertProblem(t, res, 412, 'ND_PRECONDITION_FAILED').currentVersion, 1, what)
    }
    await check(await api.action(a.id, 'publish', undefined, stale), 'publish')
    await check(await api.patch(a.id, { headline: 'x' }, stale), 'patch')
    await check(await api.remove(a.id, stale), 'delete')
    const restoreStale = await app.inject({
      method: 'POST',
      url: `/v1/articles/${a.id}/revisions/1/restore`,
      headers: { ...auth, ...stale },
    })
    await check(restoreStale, 'restore')
    t.equal(json<Article>(await api.get(a.id, auth)).version, 1, 'nothing changed')

    t.equal((await api.action(a.id, 'publish', undefined, { 'if-match': '"v1"' })).statusCode, 200)
    await check2(await api.action(a.id, 'unpublish', undefined, { 'if-match': '"v1"' }), 'unpublish')
    await check2(await api.action(a.id, 'archive', undefined, { 'if-match': '"v1"' }), 'archive')
    t.equal((await api.action(a.id, 'archive', undefined, { 'if-match': '"v2"' })).statusCode, 200)
    t.equal((await api.action(a.id, 'unpublish', undefined, { 'if-match': '"v3"' })).statusCode, 200)
    const restore = await app.inject({
      method: 'POST',
      url: `/v1/articles/${a.id}/revisions/1/restore`,
      headers: { ...auth, 'if-match': '"v4"' },
    })
    t.equal(restore.statusCode, 200)
    t.equal(restore.headers.etag, '"v5"')
    t.equal((await api.remove(a.id, { 'if-match': '"v4"' })).statusCode, 412)
    const removed = await api.remove(a.id, { 'if-match': '"v5"' })
    t.equal(removed.statusCode, 204)

    async function check2(res: Res, what: string) {
      t.equal(assertProblem(t, res, 412, 'ND_PRECONDITION_FAILED').currentVersion, 2, what)
    }
  })

  await t.test(
    'a change racing another transaction waits for it, then applies or fails its If-Match',
    { skip: database.url ? false : 'needs a PostgreSQL server' },
    async (t) => {
      const url = database.url as string
      // Another transaction changes the article (its version and its tags) and holds its locks
      // while the request runs; the request must wait for it and then judge the new state.
      const racing = async (request: (a: Article) => Promise<Res>) => {
        const a = await api.draft({ headline: 'Raced', body: 'Text.', tags: ['race-tag'] })
        const other = new pg.Client({ connectionString: url })
        const watcher = new pg.Client({ connectionString: url })
        await Promise.all([other.connect(), watcher.connect()])
        try {
          await other.query('BEGIN')
          await other.query('UPDATE articles SET version = version + 1 WHERE id = $1', [a.id])
          await other.query('DELETE FROM article_tags WHERE article_id = $1', [a.id])
          await other.query('INSERT INTO article_tags (article_id, tag_id) SELECT $1, id FROM tags WHERE slug = $2', [
            a.id,
            'race-tag',
          ])
          const response = request(a)
          for (let i = 0; ; i++) {
            const waiting = await watcher.query(
              "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            if (waiting.rowCount) break
            if (i > 200) throw new Error('the request never waited for the other transaction')
            await new Promise((resolve) => setTimeout(resolve, 10))
          }
          await other.query('COMMIT')
          return { a, res: await response }
        } finally {
          await Promise.all([other.end(), watcher.end()])
        }
      }

      const stalePatch = await racing((a) => api.patch(a.id, { tags: ['race-tag'] }, { 'if-match': '"v1"' }))
      t.equal(assertProblem(t, stalePatch.res, 412, 'ND_PRECONDITION_FAILED').currentVersion, 2, 'stale PATCH')

      const freePatch = await racing((a) => api.patch(a.id, { tags: ['race-tag', 'race-two'] }))
      t.equal(freePatch.res.statusCode, 200, `PATCH without If-Match: ${freePatch.res.body.slice(0, 200)}`)
      t.equal(json<Article>(freePatch.res).version, 3)
      t.same(json<Article>(freePatch.res).tags, ['race-tag', 'race-two'])

      const freePublish = await racing((a) => api.action(a.id, 'publish'))
      t.equal(freePublish.res.statusCode, 200, `publish without If-Match: ${freePublish.res.body.slice(0, 200)}`)

      const staleDelete = await racing((a) => api.remove(a.id, { 'if-match': '"v1"' }))
      t.equal(assertProblem(t, staleDelete.res, 412, 'ND_PRECONDITION_FAILED').currentVersion, 2, 'stale DELETE')
      t.equal((await api.get(staleDelete.a.id, auth)).statusCode, 200, 'the article is still there')

      const freeDelete = await racing((a) => api.remove(a.id))
      t.equal(freeDelete.res.statusCode, 204, `DELETE without If-Match: ${freeDelete.res.body.slice(0, 200)}`)
    },
  )

  await t.test('PATCH: null clears, validation, unknown article, slug clash', async (t) => {
    const a = await api.draft({
      headline: 'Patchable',
      summary: 'Summary',
      dateline: 'Dateline',
      source: 'panarmenian-net',
      canonicalUrl: 'https://example.com/x',
      leadImage: { url: 'https://img.example/x.jpg', credit: 'AP' },
      credits: [{ source: 'associated-press' }],
      tags: ['iraq'],
    })
    const cleared = json<Article>(
      await api.patch(a.id, {
        summary: null,
        dateline: null,
        source: null,
        canonicalUrl: null,
        leadImage: null,
        credits: [],
        tags: [],
        language: 'HY',
      }),
    )
    t.match(cleared, {
      summary: null,
      dateline: null,
      sourceId: null,
      canonicalUrl: null,
      leadImage: null,
      credits: [],
      tags: [],
      language: 'hy',
      version: 2,
    })
    const body = json<Article>(await api.patch(a.id, { body: 'New **body**' }))
    t.equal(body.bodyHtml, '<p>New <strong>body</strong></p>')
    t.equal(body.bodyText, 'New body')

    t.same(pointers(t, await api.patch(a.id, {})), [''], 'an empty PATCH is refused')
    t.same(pointers(t, await api.patch(a.id, { headline: null })), ['/headline'])
    t.same(pointers(t, await api.patch(a.id, { version: 9, status: 'draft', bodyText: 'x' })), [
      '/bodyText',
      '/status',
      '/version',
    ])
    t.same(pointers(t, await api.patch(a.id, { language: 'not a language' })), ['/language'])
    t.ok(pointers(t, await api.patch(a.id, { leadImage: { url: 'javascript:alert(1)' } })).includes('/leadImage/url'))
    assertProblem(t, await api.patch(missingId, { headline: 'x' }), 404, 'ND_NOT_FOUND')
    t.same(pointers(t, await api.patch('nope', { headline: 'x' })), ['/id'])
    const unknownSource = assertProblem(t, await api.patch(a.id, { source: 'nobody' }), 422, 'ND_REFERENCE_MISSING')
    t.equal(unknownSource.field, 'source')
    const clash = assertProblem(
      t,
      await api.patch(a.id, { slug: seedSlug, headline: 'Renamed' }),
      409,
      'ND_UNIQUE_VIOLATION',
    )
    t.equal(clash.field, 'slug')
    const after = json<Article>(await api.get(a.id, auth))
    t.equal(after.version, 3, 'failed PATCHes changed nothing')
    t.equal(after.headline, 'Patchable')
    t.equal(after.slug, 'patchable')
  })
})

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
        'credits',
        'dateline',
        'headline',
        'language',
        'leadImage',
        'publishedAt',
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

test('delete: tombstones', async (t) => {
  const clock = testClock(new Date('2031-07-01T00:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  await seed(db.prisma)
  const api = client(app, auth)
  const reader = (await createKey(db, ['content:read'])).headers
  const deletions = async (query = '', headers: Headers = {}) => {
    const res = await app.inject({ url: `/v1/articles/deletions${query}`, headers })
    return { res, page: json<Page<Tombstone>>(res) }
  }

  const article = json<Article>(await api.get(seedSlug))
  const countsBefore = await api.tagCounts()
  t.equal(countsBefore.iraq, 1)
  t.same((await deletions()).page.data, [])

  assertProblem(t, await app.inject({ method: 'DELETE', url: `/v1/articles/${article.id}` }), 401, 'ND_UNAUTHORIZED')
  assertProblem(
    t,
    await app.inject({ method: 'DELETE', url: `/v1/articles/${article.id}`, headers: reader }),
    403,
    'ND_FORBIDDEN',
  )
  const res = await api.remove(article.id)
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  const deletedAt = clock().toISOString()

  for (const [what, r] of [
    ['anonymous by id', await api.get(article.id)],
    ['anonymous by slug', await api.get(seedSlug)],
    ['preview by id', await api.get(article.id, auth)],
    ['preview by slug', await api.get(seedSlug, auth)],
    ['revisions', await app.inject({ url: `/v1/articles/${article.id}/revisions`, headers: auth })],
    ['revision', await app.inject({ url: `/v1/articles/${article.id}/revisions/1`, headers: auth })],
    ['patch', await api.patch(article.id, { headline: 'x' })],
    ['unpublish', await api.action(article.id, 'unpublish')],
    [
      'restore',
      await app.inject({ method: 'POST', url: `/v1/articles/${article.id}/revisions/1/restore`, headers: auth }),
    ],
    ['delete again', await api.remove(article.id)],
  ] as const) {
    t.equal(r.statusCode, 404, what)
  }
  for (const headers of [{}, auth]) {
    const { page } = await api.list('limit=100&fields=slug', headers)
    t.notOk(
      page.data.some((a) => a.id === article.id),
      'gone from lists',
    )
    const search = await api.list('q=intelligence&fields=slug', headers)
    t.same(search.page.data, [], 'gone from search')
    const counted = await api.list('count=true&limit=1', headers)
    t.equal((counted.page.page as { total?: number }).total, 4)
  }
  t.equal((await api.list('tag=iraq')).page.data.length, 0)
  const bySource = await app.inject('/v1/sources/panarmenian-net/articles?fields=slug&limit=100')
  t.notOk(json<Page<Article>>(bySource).data.some((a) => a.id === article.id))
  for (const headers of [{}, auth]) {
    const counts = await api.tagCounts(headers)
    for (const tag of ['iraq', 'syria', 'russia', 'iran', 'islamic-state']) {
      // Tags of deleted articles only: listed with no articles to editors, not listed to the public.
      t.equal(counts[tag], headers === auth ? 0 : undefined, `tag ${tag}`)
    }
    t.equal(counts.azerbaijan, 2, 'other counts are untouched')
  }

  const listed = await deletions()
  t.equal(listed.res.statusCode, 200)
  t.same(listed.page.data, [{ id: article.id, slug: seedSlug, deletedAt }])
  t.match(String(listed.res.headers['cache-control']), /^public/)
  t.same((await deletions(`?since=${encodeURIComponent(deletedAt)}`)).page.data.length, 1, 'since is inclusive')
  const later = new Date(clock().getTime() + 1).toISOString()
  t.same((await deletions(`?since=${encodeURIComponent(later)}`)).page.data, [])

  // More deletions, paged oldest first.
  const ids: string[] = []
  for (let i = 0; i < 3; i++) {
    clock.advance(1000)
    const a = await api.draft({ headline: `Doomed ${i}`, body: 'Text.' })
    t.equal((await api.action(a.id, 'publish')).statusCode, 200)
    t.equal((await api.remove(a.id, { 'if-match': '"v2"' })).statusCode, 204)
    ids.push(a.id)
  }
  const first = await deletions('?limit=2')
  t.same(
    first.page.data.map((d) => d.id),
    [article.id, ids[0]],
  )
  t.match(String(first.res.headers.link), /rel="next"/)
  const second = await deletions(`?limit=2&cursor=${first.page.page.nextCursor}`)
  t.same(
    second.page.data.map((d) => d.id),
    [ids[1], ids[2]],
  )
  t.equal(second.page.page.nextCursor, null)
  const sinceSecond = await deletions(`?since=${encodeURIComponent(new Date(clock().getTime() - 1000).toISOString())}`)
  t.same(
    sinceSecond.page.data.map((d) => d.id),
    [ids[1], ids[2]],
  )
  t.same(pointers(t, (await deletions('?since=yesterday')).res), ['/since'])
  t.same(pointers(t, (await deletions('?sice=2020-01-01T00:00:00Z')).res), ['/sice'])
  assertProblem(t, (await deletions('?cursor=AAAA')).res, 400, 'ND_INVALID_CURSOR')

  // A stale If-Match keeps the article.
  const kept = await api.draft({ headline: 'Kept' })
  await api.patch(kept.id, { summary: 'v2' })
  t.equal(
    assertProblem(t, await api.remove(kept.id, { 'if-match': '"v1"' }), 412, 'ND_PRECONDITION_FAILED').currentVersion,
    2,
  )
  t.equal((await api.get(kept.id, auth)).statusCode, 200)
  assertProblem(t, await api.remove(missingId), 404, 'ND_NOT_FOUND')
})

test('delete: only once-public articles leave a public tombstone (#B1)', async (t) => {
  const clock = testClock(new Date('2031-07-01T00:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const previewer = (await createKey(db, ['content:preview'])).headers
  const reader = (await createKey(db, ['content:read'])).headers
  const tombstones = async (headers: Headers = {}) => {
    const res = await app.inject({ url: '/v1/articles/deletions?limit=100', headers })
    t.equal(res.statusCode, 200)
    return json<Page<Tombstone>>(res).data.map((d) => d.slug)
  }
  const remove = async (a: Article) => {
    const res = await api.remove(a.id)
    t.equal(res.statusCode, 204, res.body)
  }
  const story = (headline: string) => api.draft({ headline, body: 'Text.' })

  const draft = await story('Secret merger talks')
  await remove(draft)

  const early = await story('Scheduled then dropped')
  await api.action(early.id, 'publish', { publishAt: new Date(clock().getTime() + 60_000).toISOString() })
  await remove(early)

  const due = await story('Scheduled and due')
  await api.action(due.id, 'publish', { publishAt: new Date(clock().getTime() + 60_000).toISOString() })
  clock.advance(120_000)
  await remove(due)

  const withdrawn = await story('Published then unpublished')
  await api.action(withdrawn.id, 'publish')
  clock.advance(1000)
  await api.action(withdrawn.id, 'unpublish')
  await remove(withdrawn)

  const archived = await story('Published then archived')
  await api.action(archived.id, 'publish')
  await api.action(archived.id, 'archive')
  await remove(archived)

  const oncePublic = ['scheduled-and-due', 'published-then-unpublished', 'published-then-archived']
  for (const headers of [{}, reader]) t.same(await tombstones(headers), oncePublic, 'public: once-public articles')
  const every = ['secret-merger-talks', 'scheduled-then-dropped', ...oncePublic]
  for (const headers of [previewer, auth]) t.same(await tombstones(headers), every, 'preview: every deletion')
})
