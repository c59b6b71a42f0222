// Preview links: created with content:preview, opened anonymously, pinned or following the
// article, expiring on the clock and revoked at once.
import { test } from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { assertProblem, createKey, json, missingId, type Page, testClock } from '../helper.js'
import { assertPreviewHeaders, type CreatedLink, type PreviewLink, setup } from './previews.helpers.js'

test('a link shows a draft to anyone holding it, with headers that keep it private', async (t) => {
  const { articles, link, open, createLink } = await setup(t, { env: { PUBLIC_READ: 'false' } })
  const draft = await articles.draft({ headline: 'Not out yet', body: 'Embargoed *story*.' })
  t.equal((await articles.get(draft.id)).statusCode, 401, 'the draft needs a key')

  const res = await createLink(draft.slug, { expiresIn: 3600 })
  t.equal(res.statusCode, 201)
  t.equal(res.headers['cache-control'], 'private, no-store')
  const created = json<CreatedLink>(res)
  t.equal(res.headers.location, `/v1/preview-links/${created.id}`)
  t.match(created.token, /^ndp_[A-Za-z0-9_-]{43}$/)
  t.equal(created.url, `/v1/preview/${created.token}`, 'relative without PUBLIC_URL or PREVIEW_URL')
  t.equal(created.articleId, draft.id)
  t.equal(created.pinnedVersion, null)
  t.equal(created.status, 'active')
  t.equal(created.uses, 0)
  t.equal(new Date(created.expiresAt).getTime() - new Date(created.createdAt).getTime(), 3600_000)

  const seen = await open(created.token)
  t.equal(seen.statusCode, 200)
  assertPreviewHeaders(t, seen, '200')
  t.notOk(seen.headers['surrogate-key'], 'no CDN key: nothing may keep it')
  const article = json<Article>(seen)
  t.equal(article.id, draft.id)
  t.equal(article.status, 'draft')
  t.equal(article.bodyHtml, '<p>Embargoed <em>story</em>.</p>')
  t.same(article, draft, 'the full representation, as the write answered')

  const again = await link(draft.id, {})
  t.equal(new Date(again.expiresAt).getTime() - new Date(again.createdAt).getTime(), 7 * 86400_000, 'a week by default')
})

test('the url follows PREVIEW_URL, else PUBLIC_URL', async (t) => {
  const withTemplate = await setup(t, {
    env: { PREVIEW_URL: 'https://www.example.com/preview?token={token}', PUBLIC_URL: 'https://api.example.com' },
  })
  const draft = await withTemplate.articles.draft({ headline: 'Templated' })
  const a = await withTemplate.link(draft.id)
  t.equal(a.url, `https://www.example.com/preview?token=${a.token}`)

  const withBase = await setup(t, { env: { PUBLIC_URL: 'https://api.example.com/news' } })
  const other = await withBase.articles.draft({ headline: 'Based' })
  const b = await withBase.link(other.id)
  t.equal(b.url, `https://api.example.com/news/v1/preview/${b.token}`)
})

test('unpinned links show the article as it is now; pinned ones the version they name', async (t) => {
  const { articles, link, openArticle, createLink } = await setup(t)
  const draft = await articles.draft({
    headline: 'First take',
    body: 'One.',
    tags: ['politics'],
    bylines: ['A. Writer'],
  })
  const pinned = await link(draft.id, { expiresIn: 600, pinVersion: 1 })
  const current = await link(draft.id, { expiresIn: 600 })
  t.equal(pinned.pinnedVersion, 1)

  const patched = await articles.patch(draft.id, { headline: 'Second take', body: 'Two.', tags: ['economy'] })
  t.equal(patched.statusCode, 200)

  const now = await openArticle(current.token)
  t.equal(now.headline, 'Second take')
  t.equal(now.version, 2)
  t.same(now.tags, ['economy'])

  const then = await openArticle(pinned.token)
  t.equal(then.id, draft.id)
  t.equal(then.headline, 'First take')
  t.equal(then.body, 'One.')
  t.equal(then.bodyHtml, '<p>One.</p>')
  t.equal(then.bodyText, 'One.')
  t.same(then.tags, ['politics'])
  t.same(then.bylines, ['A. Writer'])
  t.equal(then.version, 1)
  t.equal(then.status, 'draft')
  t.same(Object.keys(then).sort(), Object.keys(now).sort(), 'the same representation')

  const missing = await createLink(draft.id, { expiresIn: 600, pinVersion: 3 })
  const problem = assertProblem(t, missing, 422, 'ND_REFERENCE_MISSING')
  t.equal(problem.field, 'pinVersion')
})

test('links expire on the clock and are revoked at once; lists show them without tokens', async (t) => {
  const clock = testClock(new Date('2026-11-30T09:00:00Z'))
  const { app, auth, articles, link, open, revoke } = await setup(t, { clock })
  const draft = await articles.draft({ headline: 'Short-lived' })
  const short = await link(draft.id, { expiresIn: 60 })
  clock.advance(1000)
  const long = await link(draft.id, { expiresIn: 2592000 })
  clock.advance(1000)
  const revoked = await link(draft.id, { expiresIn: 3600 })

  t.equal((await open(short.token)).statusCode, 200)
  t.equal((await open(revoked.token)).statusCode, 200)
  const gone = await revoke(revoked.id)
  t.equal(gone.statusCode, 204)
  const after = await open(revoked.token)
  assertProblem(t, after, 404, 'ND_NOT_FOUND')
  assertPreviewHeaders(t, after, 'revoked')
  t.equal((await revoke(revoked.id)).statusCode, 204, 'revoking again changes nothing')
  assertProblem(t, await revoke(missingId), 404, 'ND_NOT_FOUND')

  clock.advance(58_000)
  t.equal((await open(short.token)).statusCode, 404, 'expired')
  t.equal((await open(long.token)).statusCode, 200)
  clock.advance(30 * 86400_000)
  t.equal((await open(long.token)).statusCode, 404, 'expired after 30 days')

  const res = await app.inject({ url: `/v1/articles/${draft.slug}/preview-links?limit=2`, headers: auth })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'private, no-store')
  const page = json<Page<PreviewLink>>(res)
  t.same(
    page.data.map((l) => [l.id, l.status]),
    [
      [revoked.id, 'revoked'],
      [long.id, 'expired'],
    ],
    'newest first',
  )
  t.notMatch(res.body, /ndp_/, 'no token in a list')
  t.equal(page.data[0]?.uses, 1)
  t.ok(page.data[0]?.lastUsedAt)
  t.ok(page.page.nextCursor)
  const next = await app.inject({
    url: `/v1/articles/${draft.id}/preview-links?limit=2&cursor=${page.page.nextCursor}`,
    headers: auth,
  })
  t.same(
    json<Page<PreviewLink>>(next).data.map((l) => l.id),
    [short.id],
  )
  const one = await app.inject({ url: `/v1/preview-links/${short.id}`, headers: auth })
  t.equal(json<PreviewLink>(one).status, 'expired')
  t.notMatch(one.body, /ndp_/)
})

test('deleting the article ends its links; unknown articles are a 404', async (t) => {
  const { articles, link, open, createLink } = await setup(t)
  const draft = await articles.draft({ headline: 'To be deleted' })
  const current = await link(draft.id)
  const pinned = await link(draft.id, { expiresIn: 600, pinVersion: 1 })
  t.equal((await articles.remove(draft.id)).statusCode, 204)
  for (const token of [current.token, pinned.token]) {
    const res = await open(token)
    assertProblem(t, res, 404, 'ND_NOT_FOUND')
    assertPreviewHeaders(t, res, 'deleted article')
  }
  assertProblem(t, await createLink(draft.id, { expiresIn: 600 }), 404, 'ND_NOT_FOUND')
  assertProblem(t, await createLink('no-such-article', { expiresIn: 600 }), 404, 'ND_NOT_FOUND')
})

test('making, listing and revoking links needs content:preview; opening one needs nothing', async (t) => {
  const { app, db, articles, link, createLink, open } = await setup(t)
  const draft = await articles.draft({ headline: 'Scoped' })
  const reader = await createKey(db, ['content:read'])
  const previewer = await createKey(db, ['content:preview'])
  const made = await link(draft.id)

  assertProblem(t, await createLink(draft.id, { expiresIn: 600 }, reader.headers), 403, 'ND_FORBIDDEN')
  assertProblem(t, await createLink(draft.id, { expiresIn: 600 }, {}), 401, 'ND_UNAUTHORIZED')
  const list = (headers: Record<string, string>) =>
    app.inject({ url: `/v1/articles/${draft.id}/preview-links`, headers })
  assertProblem(t, await list(reader.headers), 403, 'ND_FORBIDDEN')
  assertProblem(t, await list({}), 401, 'ND_UNAUTHORIZED')
  const revoke = (headers: Record<string, string>) =>
    app.inject({ method: 'DELETE', url: `/v1/preview-links/${made.id}`, headers })
  assertProblem(t, await revoke(reader.headers), 403, 'ND_FORBIDDEN')

  const byPreviewer = await createLink(draft.id, { expiresIn: 600 }, previewer.headers)
  t.equal(byPreviewer.statusCode, 201, 'content:preview creates')
  t.equal(json<CreatedLink>(byPreviewer).createdBy, previewer.id)
  t.equal((await list(previewer.headers)).statusCode, 200)
  t.equal((await open(made.token, reader.headers)).statusCode, 200, 'credentials are not needed nor looked at')
  t.equal((await revoke(previewer.headers)).statusCode, 204)
})

test('PREVIEW_URL must be an absolute http(s) URL holding {token}', async (t) => {
  t.equal(
    loadConfig({ PREVIEW_URL: 'https://www.example.com/preview/{token}' }).previews.urlTemplate,
    'https://www.example.com/preview/{token}',
  )
  t.equal(loadConfig({}).previews.urlTemplate, undefined)
  t.equal(loadConfig({}).previews.rateLimit, 60)
  for (const bad of [
    'www.example.com/preview?token={token}',
    'https://www.example.com/preview',
    'https://user:pass@www.example.com/{token}',
    'https:///{token}',
    'javascript:alert(1)//{token}',
  ]) {
    t.throws(() => loadConfig({ PREVIEW_URL: bad }), ConfigError, bad)
  }
  t.throws(() => loadConfig({ PREVIEW_RATE_LIMIT: '0' }), ConfigError)
})
