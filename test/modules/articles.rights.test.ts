// Rights and syndication through HTTP: credit lines from the credited sources' templates, the
// syndicatable flag (own setting, forbidding credits, an override with its reason) kept by every
// write and by a source's redistribution change, GET /articles/{idOrSlug}/rights, the
// syndicatable list filter, and what partner keys (content:syndicate) read.
import { test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import type { Source } from '../../src/modules/sources/sources.schemas.js'
import { assertProblem, build, createKey, json, type Page, pointers, testClock } from '../helper.js'
import { client, env } from './articles.helpers.js'

interface Explanation {
  syndicatable: boolean
  creditLine: string | null
  decision: { rule: string; reason: string; credit?: { id: string; slug: string; name: string }; override?: object }
  credits: { source: { id: string; slug: string; name: string }; redistribution: string; creditLine: string | null }[]
}

type App = Awaited<ReturnType<typeof build>>['app']

function helpers(app: App, auth: Record<string, string>) {
  const api = client(app, auth)
  const source = async (payload: object) => {
    const res = await app.inject({ method: 'POST', url: '/v1/sources', headers: auth, payload })
    if (res.statusCode !== 201) throw new Error(`source: ${res.body}`)
    return json<Source>(res)
  }
  const setSource = (id: string, payload: object) =>
    app.inject({ method: 'PATCH', url: `/v1/sources/${id}`, headers: auth, payload })
  const rights = (idOrSlug: string, headers: Record<string, string> = {}) =>
    app.inject({ url: `/v1/articles/${idOrSlug}/rights`, headers })
  const published = async (payload: object) => {
    const draft = await api.draft({ body: 'A body', ...payload })
    const res = await api.action(draft.id, 'publish', { publishAt: '2015-09-27T12:00:00.000Z' })
    if (res.statusCode !== 200) throw new Error(`publish: ${res.body}`)
    return json<Article>(res)
  }
  return { api, source, setSource, rights, published }
}

test('rights: credit lines, the syndicatable decision and its explanation', async (t) => {
  const clock = testClock(new Date('2026-11-30T08:00:00.000Z'))
  const { app, auth } = await build(t, { env, clock })
  const { api, source, setSource, rights, published } = helpers(app, auth)
  const ap = await source({
    name: 'Associated Press',
    kind: 'agency',
    redistribution: 'forbidden',
    creditLine: '© {year} {source}',
  })
  const afp = await source({ name: 'AFP', kind: 'agency', redistribution: 'credit-required' })
  const reuters = await source({ name: 'Reuters', kind: 'agency', creditLine: '{source} reports' })
  const plain = await source({ name: 'Plain Wire', kind: 'agency' })

  await t.test('credit lines render each credit in order; a draft takes the current year', async (t) => {
    const draft = await api.draft({
      headline: 'Lines',
      credits: [{ source: reuters.slug }, { source: afp.slug }, { source: plain.slug }, { source: ap.slug }],
    })
    t.equal(draft.rights.creditLine, 'Reuters reports; AFP; © 2026 Associated Press')
    t.same(
      { ...draft.rights, creditLine: undefined },
      {
        usageTerms: null,
        copyrightHolder: null,
        copyrightNotice: null,
        allowSyndication: true,
        override: null,
        syndicatable: false,
        creditLine: undefined,
      },
    )
    const none = await api.draft({ headline: 'No credits', credits: [{ source: plain.slug }] })
    t.equal(none.rights.creditLine, null, 'an allowed source without a template credits nothing')
    t.equal(none.rights.syndicatable, true)
  })

  await t.test('a forbidding credit; an override needs a reason; the own setting wins', async (t) => {
    const article = await published({
      headline: 'Wire copy',
      summary: 'The summary',
      body: 'The body',
      credits: [{ source: ap.slug }],
      rights: { copyrightHolder: 'The Associated Press', usageTerms: 'Partners only' },
    })
    t.equal(article.rights.syndicatable, false)
    t.equal(article.rights.creditLine, '© 2015 Associated Press', '{year}: the first publication year')
    t.equal(article.rights.copyrightHolder, 'The Associated Press')
    let explained = json<Explanation>(await rights(article.slug))
    t.equal(explained.decision.rule, 'credit-forbids')
    t.same(explained.decision.credit, { id: ap.id, slug: ap.slug, name: ap.name })
    t.same(explained.credits, [
      {
        source: { id: ap.id, slug: ap.slug, name: ap.name },
        redistribution: 'forbidden',
        creditLine: '© 2015 Associated Press',
      },
    ])

    t.ok(
      pointers(t, await api.patch(article.id, { rights: { override: {} } })).includes('/rights/override/reason'),
      'an override without a reason is a 400 naming it',
    )
    t.ok(
      pointers(t, await api.patch(article.id, { rights: { override: { reason: '   ' } } })).includes(
        '/rights/override/reason',
      ),
      'a blank reason is no reason',
    )
    const overridden = json<Article>(
      await api.patch(article.id, { rights: { override: { reason: 'Licensed for partners' } } }),
    )
    t.equal(overridden.rights.syndicatable, true)
    t.same(overridden.rights.override, { reason: 'Licensed for partners' })
    t.equal(overridden.rights.copyrightHolder, 'The Associated Press', 'rights fields not given are kept')
    explained = json<Explanation>(await rights(article.id))
    t.equal(explained.decision.rule, 'override')
    t.same(explained.decision.override, { reason: 'Licensed for partners' })
    t.equal(explained.syndicatable, true)

    const own = json<Article>(await api.patch(article.id, { rights: { allowSyndication: false } }))
    t.equal(own.rights.syndicatable, false)
    t.equal(json<Explanation>(await rights(article.id)).decision.rule, 'own-setting-forbids')

    const back = json<Article>(await api.patch(article.id, { rights: { allowSyndication: true, override: null } }))
    t.equal(back.rights.syndicatable, false, 'the override removed: the credit forbids again')
    const uncredited = json<Article>(await api.patch(article.id, { credits: [{ source: reuters.slug }] }))
    t.equal(uncredited.rights.syndicatable, true, 'a change of credits recomputes it')
    const explainedAllowed = json<Explanation>(await rights(article.id))
    t.equal(explainedAllowed.decision.rule, 'allowed')
    t.equal(explainedAllowed.creditLine, 'Reuters reports')

    const sentBack = await api.patch(article.id, { rights: { ...uncredited.rights, syndicatable: false } })
    t.equal(json<Article>(sentBack).rights.syndicatable, true, 'the computed fields of a read sent back are ignored')

    const revisions = json<{ data: { version: number; changedFields: string[] }[] }>(
      await app.inject({ url: `/v1/articles/${article.id}/revisions`, headers: auth }),
    )
    t.ok(
      revisions.data.some((r) => r.changedFields.includes('rights')),
      'the revisions name rights among their changed fields',
    )
    const first = revisions.data.at(-1)?.version as number
    const restored = await app.inject({
      method: 'POST',
      url: `/v1/articles/${article.id}/revisions/${first}/restore`,
      headers: auth,
    })
    t.equal(restored.statusCode, 200, restored.body.slice(0, 200))
    t.equal(json<Article>(restored).rights.syndicatable, false, 'a restore brings back the forbidding credit')
    t.equal(json<Article>(restored).rights.usageTerms, 'Partners only')
  })

  await t.test('GET /rights: public callers see published articles only; cached like reads', async (t) => {
    const draft = await api.draft({ headline: 'Unpublished', credits: [{ source: ap.slug }] })
    assertProblem(t, await rights(draft.id), 404, 'ND_NOT_FOUND')
    const preview = await rights(draft.id, auth)
    t.equal(preview.statusCode, 200)
    t.equal(preview.headers['cache-control'], 'private, no-store')
    const article = await published({ headline: 'Public rights', credits: [{ source: ap.slug }] })
    const res = await rights(article.slug)
    t.equal(res.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
    t.match(String(res.headers['surrogate-key']), `source:${ap.id}`)
    t.ok(res.headers.etag)
    t.equal(
      (
        await app.inject({
          url: `/v1/articles/${article.slug}/rights`,
          headers: { 'if-none-match': res.headers.etag as string },
        })
      ).statusCode,
      304,
    )
    assertProblem(t, await app.inject(`/v1/articles/${article.slug}/rights?x=1`), 400, 'ND_VALIDATION_FAILED')
  })

  await t.test('a source redistribution change recomputes its articles, and the list filter', async (t) => {
    const wire = await source({ name: 'Flip Wire', kind: 'agency' })
    const a = await published({ headline: 'Flip one', credits: [{ source: wire.slug }] })
    const b = await published({ headline: 'Flip two', credits: [{ source: wire.slug }] })
    const list = async (q: string) =>
      (await api.list(`credit=${wire.slug}&fields=headline,rights&${q}`)).page.data.map((x) => x.headline)
    t.same(await list('syndicatable=false'), [])
    t.equal((await list('syndicatable=true')).length, 2)

    const res = await setSource(wire.id, { redistribution: 'forbidden' })
    t.equal(res.statusCode, 200)
    t.equal(json<Source>(res).redistribution, 'forbidden')
    t.same(await list('syndicatable=true'), [])
    t.equal((await list('syndicatable=false')).length, 2)
    const read = json<Article>(await api.get(a.id))
    t.equal(read.rights.syndicatable, false)
    t.equal(read.version, a.version, 'the articles keep their version')
    t.equal(read.updatedAt, a.updatedAt, 'and their update time')
    t.equal(json<Explanation>(await rights(b.id)).decision.rule, 'credit-forbids')

    const changes = json<Page<{ type: string; changedFields: string[] }>>(
      await app.inject({ url: `/v1/changes?limit=100&resource=source&source=${wire.id}`, headers: auth }),
    )
    const event = changes.data.filter((e) => e.type === 'source.updated').at(-1)
    t.same(event?.changedFields, ['redistribution'], 'the change feed tells of it')
    await setSource(wire.id, { redistribution: 'allowed' })
    t.equal((await list('syndicatable=true')).length, 2, 'and back')
  })
})

test('the syndicatable filter pages like every list', async (t) => {
  const { app, auth } = await build(t, { env })
  const { source, published } = helpers(app, auth)
  const ap = await source({ name: 'Paged AP', kind: 'agency', redistribution: 'forbidden' })
  const api = client(app, auth)
  const made: string[] = []
  for (let i = 0; i < 5; i++) {
    const a = await published({ headline: `Paged ${i}`, credits: i % 2 ? [{ source: ap.slug }] : [] })
    made.push(a.id)
  }
  const seen: string[] = []
  let url = 'syndicatable=true&limit=1&fields=headline,rights'
  for (let i = 0; i < 10; i++) {
    const { page } = await api.list(url)
    for (const a of page.data) {
      t.equal(a.rights?.syndicatable, true)
      seen.push(a.id)
    }
    if (!page.page.nextCursor) break
    url = `syndicatable=true&limit=1&fields=headline,rights&cursor=${page.page.nextCursor}`
  }
  t.ok(
    made.filter((_, i) => i % 2 === 0).every((id) => seen.includes(id)),
    'every syndicatable article, paged',
  )
  t.notOk(
    made.filter((_, i) => i % 2 === 1).some((id) => seen.includes(id)),
    'none of the others',
  )
  const counted = await api.list('syndicatable=false&count=true')
  t.equal((counted.page.page as { total?: number }).total, 2)
  assertProblem(t, (await api.list('syndicatable=maybe')).res, 400, 'ND_VALIDATION_FAILED')
})

test('content:syndicate keys read the bodies of syndicatable articles only', async (t) => {
  const { app, db, auth, database } = await build(t, { env })
  const { source, published, rights } = helpers(app, auth)
  const partner = (await createKey(db, ['content:syndicate'])).headers
  const reader = (await createKey(db, ['content:read'])).headers
  const both = (await createKey(db, ['content:read', 'content:syndicate'])).headers
  const ap = await source({ name: 'Partner AP', kind: 'agency', redistribution: 'forbidden' })
  const daily = await source({ name: 'Partner Daily', kind: 'publisher' })
  const closed = await published({
    headline: 'Closed wire story',
    source: daily.slug,
    summary: 'Closed summary',
    body: 'Closed body',
    tags: ['shared-tag'],
    credits: [{ source: ap.slug }],
  })
  const open = await published({
    headline: 'Open story',
    summary: 'Open summary',
    body: 'Open body',
    tags: ['shared-tag'],
  })
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers })
  const settle = async () => {
    // On a server, the write's notification may arrive after a read was cached: wait for it.
    await database.db.prisma.$executeRawUnsafe('NOTIFY newsdesk_content')
    await new Promise((r) => setTimeout(r, 100))
  }
  await settle()

  await t.test('single reads', async (t) => {
    const withheld = json<Article & { bodyWithheld?: boolean }>(await get(`/v1/articles/${closed.slug}`, partner))
    t.equal(withheld.body, null)
    t.equal(withheld.bodyHtml, null)
    t.equal(withheld.bodyText, null)
    t.equal(withheld.bodyWithheld, true)
    t.equal(withheld.summary, 'Closed summary', 'the summary is kept')
    t.equal(withheld.rights.syndicatable, false)
    const full = json<Article & { bodyWithheld?: boolean }>(await get(`/v1/articles/${open.slug}`, partner))
    t.equal(full.body, 'Open body')
    t.notOk('bodyWithheld' in full)
    for (const headers of [reader, both, {}]) {
      const read = json<Article & { bodyWithheld?: boolean }>(await get(`/v1/articles/${closed.slug}`, headers))
      t.equal(read.body, 'Closed body', 'other readers see the body')
      t.notOk('bodyWithheld' in read)
    }
    const res = await get(`/v1/articles/${closed.slug}`, partner)
    t.notMatch(String(res.headers.etag), /^"v\d+"$/, 'the syndication view has no version ETag')
    t.equal((await get(`/v1/articles/${closed.slug}/rights`, partner)).statusCode, 200, 'rights are explained')
    t.equal((await rights(closed.slug, partner)).statusCode, 200)
  })

  await t.test('lists, related lists, a source’s and include=related', async (t) => {
    const page = json<Page<SparseArticle & { bodyWithheld?: boolean }>>(
      await get('/v1/articles?tag=shared-tag', partner),
    )
    const byId = new Map(page.data.map((a) => [a.id, a]))
    t.equal(byId.get(closed.id)?.body, null)
    t.equal(byId.get(closed.id)?.bodyWithheld, true)
    t.equal(byId.get(open.id)?.body, 'Open body')
    const trimmed = json<Page<SparseArticle & { bodyWithheld?: boolean }>>(
      await get('/v1/articles?tag=shared-tag&fields=headline,summary', partner),
    )
    const closedTrimmed = trimmed.data.find((a) => a.id === closed.id)
    t.same(closedTrimmed, { id: closed.id, headline: closed.headline, summary: 'Closed summary', bodyWithheld: true })
    const credited = json<Page<SparseArticle & { bodyWithheld?: boolean }>>(
      await get(`/v1/articles?credit=${ap.slug}&fields=body`, partner),
    )
    t.same(credited.data, [{ id: closed.id, body: null, bodyWithheld: true }], 'fields=body: null and the marker')
    const sourceList = json<Page<SparseArticle & { bodyWithheld?: boolean }>>(
      await get(`/v1/sources/${daily.slug}/articles?fields=bodyHtml`, partner),
    )
    t.same(sourceList.data, [{ id: closed.id, bodyHtml: null, bodyWithheld: true }], "a source's articles too")
    const related = json<{ data: (SparseArticle & { bodyWithheld?: boolean })[] }>(
      await get(`/v1/articles/${open.slug}/related`, partner),
    )
    const relatedClosed = related.data.find((a) => a.id === closed.id)
    t.equal(relatedClosed?.body, null, 'related lists withhold it too')
    t.equal(relatedClosed?.bodyWithheld, true)
    const publicRelated = json<{ data: SparseArticle[] }>(await get(`/v1/articles/${open.slug}/related`))
    t.equal(publicRelated.data.find((a) => a.id === closed.id)?.body, 'Closed body')
    const embedded = json<Article & { related: object[] }>(
      await get(`/v1/articles/${open.slug}?include=related`, partner),
    )
    t.notMatch(JSON.stringify(embedded.related), /Closed body/, 'embedded related articles carry no body')
  })

  await t.test('the response cache keeps the two views apart, both ways', async (t) => {
    await settle()
    const url = `/v1/articles/${closed.slug}`
    // Partner first: its entry must not reach anonymous or content:read callers.
    await get(url, partner)
    const partnerHit = await get(url, partner)
    t.ok(partnerHit.headers.age, 'the syndication view is cached')
    t.equal(json<Article>(partnerHit).body, null)
    const anonymous = await get(url)
    t.equal(json<Article>(anonymous).body, 'Closed body', 'anonymous callers get the full body')
    const anonymousHit = await get(url)
    t.ok(anonymousHit.headers.age)
    t.equal(json<Article>(anonymousHit).body, 'Closed body')
    t.equal(json<Article>(await get(url, reader)).body, 'Closed body', 'content:read too')
    t.equal(json<Article>(await get(url, partner)).body, null, 'and partners still get it withheld')

    // Public first, on another URL: its entry must not reach partners.
    const list = '/v1/articles?tag=shared-tag&limit=10'
    await get(list)
    const publicHit = await get(list)
    t.ok(publicHit.headers.age)
    const partnerList = json<Page<SparseArticle>>(await get(list, partner))
    t.equal(partnerList.data.find((a) => a.id === closed.id)?.body, null, 'the public entry never reaches partners')
  })

  await t.test('keys: content:syndicate is a scope keys may hold', async (t) => {
    // content:read implies it: a manager that reads may mint partner keys.
    const manager = (await createKey(db, ['keys:manage', 'content:read'])).headers
    const res = await app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: manager,
      payload: { name: 'Partner', scopes: ['content:syndicate'] },
    })
    t.equal(res.statusCode, 201, res.body.slice(0, 200))
    t.equal((await get('/v1/articles/drafts-are-hidden', partner)).statusCode, 404)
    assertProblem(t, await get('/v1/articles?status=draft', partner), 403, 'ND_FORBIDDEN')
  })
})
