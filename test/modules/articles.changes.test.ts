// The articles API through HTTP: PATCH with If-Match (also under real concurrency): stale and
// concurrent saves, every write's If-Match, null clearing, validation and slug clashes.
import pg from 'pg'
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, createKey, json } from '../helper.js'
import {
  assertProblem,
  client,
  env,
  missingId,
  pointers,
  type Res,
  seedHeadline,
  seedSlug,
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
    t.same(pointers(t, await api.patch('nope', { headline: 'x' })), ['/idOrSlug'])
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
