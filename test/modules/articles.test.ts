// The articles API through HTTP: creating drafts and the publication lifecycle. Changes
// (If-Match, revisions, slugs, deletion, idempotency) are in articles.changes.test.ts; lists,
// search, tags and HTTP caching in articles.lists.test.ts.
import { test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, createKey, json, type Page, type Problem, testClock } from '../helper.js'
import { assertProblem, client, env, missingId, pointers, seedHeadline, seedSlug } from './articles.helpers.js'

test('create a draft', async (t) => {
  const { app, db, auth, writer } = await build(t, { env })
  await seed(db.prisma)
  const api = client(app, auth)

  await t.test('slug from the headline, de-duplicated; defaults; headers', async (t) => {
    const res = await api.create({ headline: seedHeadline, body: 'Copy.' })
    t.equal(res.statusCode, 201)
    const a = json<Article>(res)
    t.equal(a.slug, `${seedSlug}-2`, "the seed article holds the headline's slug")
    t.match(a, {
      headline: seedHeadline,
      status: 'draft',
      version: 1,
      publishedAt: null,
      firstPublishedAt: null,
      summary: null,
      dateline: null,
      bylines: [],
      language: 'en',
      canonicalUrl: null,
      leadImage: null,
      sourceId: null,
      credits: [],
      tags: [],
      createdBy: writer.id,
      updatedBy: writer.id,
    })
    t.equal(a.createdAt, a.updatedAt)
    t.equal(res.headers.location, `/v1/articles/${a.id}`)
    t.same(json(await api.get(a.id.toUpperCase(), auth)), a, 'an id is found in any case')
    t.equal(res.headers.etag, '"v1"')
    t.equal(res.headers['cache-control'], 'private, no-store')

    const b = await api.draft({ headline: seedHeadline })
    t.equal(b.slug, `${seedSlug}-3`)
    const symbols = await api.draft({ headline: '¡¿!!' })
    t.equal(symbols.slug, 'article', 'a headline with no letters still gets a slug')
    const cyrillic = await api.draft({ headline: 'Армения сегодня' })
    t.equal(cyrillic.slug, 'armeniya-segodnya')
    const long = await api.draft({ headline: `${'word '.repeat(59)}words` })
    t.equal(long.headline?.length, 300, 'a headline of the maximum length is accepted')
    t.ok((long.slug?.length ?? 0) <= 200, 'its slug is cut to the column length')
    t.match(long.slug, /^[a-z0-9]+(-[a-z0-9]+)*$/)
  })

  await t.test('explicit slug; a clash is a 409 naming the field', async (t) => {
    const a = await api.draft({ headline: 'Explicit', slug: 'my-own-slug' })
    t.equal(a.slug, 'my-own-slug')
    const before = await db.prisma.article.count()
    const clash = assertProblem(
      t,
      await api.create({ headline: 'Other', slug: 'my-own-slug' }),
      409,
      'ND_UNIQUE_VIOLATION',
    )
    t.equal(clash.field, 'slug')
    const seedClash = assertProblem(
      t,
      await api.create({ headline: 'Other', slug: seedSlug }),
      409,
      'ND_UNIQUE_VIOLATION',
    )
    t.equal(seedClash.field, 'slug')
    t.equal(await db.prisma.article.count(), before, 'nothing was written')
    t.equal(await db.prisma.articleRevision.count({ where: { article: { slug: 'other' } } }), 0)

    // A path under /v1/articles is no slug: GET /v1/articles/deletions could never return the article.
    t.equal((await api.draft({ headline: 'Deletions' })).slug, 'deletions-2')
    const reserved = await api.create({ headline: 'Deletions', slug: 'deletions' })
    t.equal(assertProblem(t, reserved, 409, 'ND_UNIQUE_VIOLATION').field, 'slug')
    const renamed = await api.patch(a.id, { slug: 'deletions' })
    t.equal(assertProblem(t, renamed, 409, 'ND_UNIQUE_VIOLATION').field, 'slug')
  })

  await t.test('concurrent creates with one headline get distinct slugs', async (t) => {
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        i % 2
          ? api.create({ headline: 'Breaking news' })
          : api.create({ headline: 'Breaking news' }, { 'idempotency-key': `breaking-${i}` }),
      ),
    )
    t.same(
      results.map((r) => r.statusCode),
      [201, 201, 201, 201],
      results.map((r) => r.body.slice(0, 200)).join(' | '),
    )
    t.same(results.map((r) => json<Article>(r).slug).sort(), [
      'breaking-news',
      'breaking-news-2',
      'breaking-news-3',
      'breaking-news-4',
    ])
    const concurrentClash = await Promise.all([
      api.create({ headline: 'Chosen', slug: 'chosen-slug' }),
      api.create({ headline: 'Chosen', slug: 'chosen-slug' }),
    ])
    t.same(
      concurrentClash.map((r) => r.statusCode).sort(),
      [201, 409],
      'a slug the caller chose is not changed for them',
    )
  })

  await t.test('source, credits and tags', async (t) => {
    const ap = await db.prisma.source.findUniqueOrThrow({ where: { slug: 'associated-press' } })
    const pan = await db.prisma.source.findUniqueOrThrow({ where: { slug: 'panarmenian-net' } })
    const a = await api.draft({
      headline: 'With relations',
      source: 'panarmenian-net',
      credits: [{ source: ap.id.toUpperCase() }, { source: 'panarmenian-net', role: 'partner' }],
      tags: ['iraq', 'brand-new-tag'],
    })
    t.equal(a.sourceId, pan.id)
    t.same(a.credits, [
      { sourceId: ap.id, role: 'wire' },
      { sourceId: pan.id, role: 'partner' },
    ])
    t.same(a.tags, ['brand-new-tag', 'iraq'], 'tags by slug')
    const tag = await db.prisma.tag.findUnique({ where: { slug: 'brand-new-tag' } })
    t.equal(tag?.name, 'Brand new tag', 'a new tag is created, named after its slug')
    const iraq = await db.prisma.tag.findMany({ where: { slug: 'iraq' } })
    t.equal(iraq.length, 1, 'an existing tag is reused')

    const before = await db.prisma.article.count()
    const tagsBefore = await db.prisma.tag.count()
    const unknownSource = assertProblem(
      t,
      await api.create({ headline: 'X', source: 'no-such-source', tags: ['another-new-tag'] }),
      422,
      'ND_REFERENCE_MISSING',
    )
    t.equal(unknownSource.field, 'source')
    t.match(unknownSource.detail, /no-such-source/)
    const unknownCredit = assertProblem(
      t,
      await api.create({
        headline: 'X',
        source: 'panarmenian-net',
        credits: [{ source: 'associated-press' }, { source: missingId }],
      }),
      422,
      'ND_REFERENCE_MISSING',
    )
    t.equal(unknownCredit.field, 'credits/1/source')
    t.equal(await db.prisma.article.count(), before, 'no article was written')
    t.equal(await db.prisma.tag.count(), tagsBefore, 'no tag was written')
  })

  await t.test('unknown and server-owned fields are rejected, each named', async (t) => {
    const before = await db.prisma.article.count()
    const res = await api.create({
      headline: 'X',
      id: missingId,
      version: 7,
      status: 'published',
      publishedAt: '2020-01-01T00:00:00Z',
      createdAt: '2020-01-01T00:00:00Z',
      bodyHtml: '<p>x</p>',
      colour: 'red',
    })
    t.same(pointers(t, res), ['/bodyHtml', '/colour', '/createdAt', '/id', '/publishedAt', '/status', '/version'])
    const problem = json<Problem>(res)
    t.ok(problem.errors?.every((e) => e.in === 'body' && e.message === 'is not an allowed field'))
    t.same(pointers(t, await api.create({ body: 'no headline' })), ['/headline'])
    t.same(pointers(t, await api.create([])), [''])
    t.equal(await db.prisma.article.count(), before)
  })

  await t.test('body: sanitised HTML, links made safe, plain text', async (t) => {
    const a = await api.draft({
      headline: 'Hostile body',
      body: [
        'Intro with *emphasis* and [a link](https://example.com/page "Title").',
        '',
        '<img src=x onerror=alert(1)> <script>alert(1)</script>',
        '',
        '[bad](javascript:alert(1)) <a href="https://ok.example" onclick="alert(1)" target="_blank">ok</a>',
      ].join('\n'),
    })
    const html = a.bodyHtml ?? ''
    t.notMatch(html, /<script/i)
    t.notMatch(html, /onerror|onclick/i)
    t.notMatch(html, /javascript:/i)
    t.match(html, '<em>emphasis</em>')
    const links = html.match(/<a [^>]*>/g) ?? []
    t.ok(links.length >= 2, 'links survive')
    for (const link of links) t.match(link, 'rel="noopener noreferrer"', `${link} is safe to open`)
    t.match(html, /<a href="https:\/\/example\.com\/page" title="Title" rel="noopener noreferrer">a link<\/a>/)
    t.equal(a.bodyText?.split('\n\n')[0], 'Intro with emphasis and a link.', 'bodyText is plain')
    t.notMatch(a.bodyText ?? '', /[<>*[\]]/)
    t.equal(a.body?.startsWith('Intro with *emphasis*'), true, 'body keeps the Markdown as sent')
  })

  await t.test('language, URLs, lead image', async (t) => {
    const a = await api.draft({
      headline: 'Portuguese',
      language: 'PT-br',
      canonicalUrl: 'https://example.com/a',
      leadImage: { url: 'http://img.example/a.jpg', caption: 'A caption' },
    })
    t.equal(a.language, 'pt-BR', 'language tags are normalised')
    t.equal(a.canonicalUrl, 'https://example.com/a')
    t.same(a.leadImage, { url: 'http://img.example/a.jpg', caption: 'A caption', credit: null })
    t.equal((await api.draft({ headline: 'Hant', language: 'ZH-hant-tw' })).language, 'zh-Hant-TW')

    for (const language of ['english!', 'e', 'en_US', 'toolonglanguage', '']) {
      t.same(pointers(t, await api.create({ headline: 'X', language })), ['/language'], `language ${language}`)
    }
    for (const canonicalUrl of ['javascript:alert(1)', 'ftp://example.com/', 'example.com', '//example.com/x']) {
      t.same(pointers(t, await api.create({ headline: 'X', canonicalUrl })), ['/canonicalUrl'], canonicalUrl)
    }
    // The nested field is named; problem.ts also names /leadImage itself ("must be null", from the
    // nullable union), which restates the same error.
    const leadImageErrors = async (leadImage: object) =>
      pointers(t, await api.create({ headline: 'X', leadImage })).filter((p) => p !== '/leadImage')
    for (const url of ['data:image/png;base64,AAAA', 'javascript:alert(1)', 'file:///etc/passwd']) {
      t.same(await leadImageErrors({ url }), ['/leadImage/url'], url)
    }
    t.same(await leadImageErrors({ caption: 'no url' }), ['/leadImage/url'])
    t.same(await leadImageErrors({ url: 'https://x.example/a.jpg', alt: 'x' }), ['/leadImage/alt'])
  })

  await t.test('field length bounds', async (t) => {
    const ok = await api.create({
      headline: 'h'.repeat(300),
      slug: `s${'-s'.repeat(99)}x`,
      summary: 's'.repeat(1000),
      dateline: 'd'.repeat(200),
      bylines: Array.from({ length: 20 }, (_, i) => `${'b'.repeat(199)}${i % 10}`),
      tags: Array.from({ length: 50 }, (_, i) => `bound-tag-${i}`),
      credits: [{ source: 'associated-press', role: 'r'.repeat(50) }],
    })
    t.equal(ok.statusCode, 201, 'every field at its maximum is accepted')
    t.equal(json<Article>(ok).slug?.length, 200)
    const cases: [string, object][] = [
      ['/headline', { headline: '' }],
      ['/headline', { headline: 'h'.repeat(301) }],
      ['/slug', { slug: `s${'-s'.repeat(100)}` }],
      ['/slug', { slug: 'Has Caps' }],
      ['/slug', { slug: 'double--dash' }],
      ['/summary', { summary: 's'.repeat(1001) }],
      ['/dateline', { dateline: 'd'.repeat(201) }],
      ['/bylines', { bylines: Array.from({ length: 31 }, () => 'x') }],
      ['/bylines/0', { bylines: [''] }],
      ['/bylines/0', { bylines: ['b'.repeat(201)] }],
      ['/tags', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }],
      ['/tags', { tags: ['same', 'same'] }],
      ['/tags/0', { tags: ['Not A Slug'] }],
      ['/credits', { credits: Array.from({ length: 21 }, () => ({ source: 'associated-press' })) }],
      ['/credits/0/role', { credits: [{ source: 'associated-press', role: 'r'.repeat(51) }] }],
      ['/credits/0/source', { credits: [{ source: '' }] }],
      ['/source', { source: '' }],
      ['/body', { body: 'x'.repeat(200001) }],
      ['/canonicalUrl', { canonicalUrl: `https://example.com/${'x'.repeat(2048)}` }],
    ]
    for (const [pointer, fields] of cases) {
      const res = await api.create({ headline: 'Bounds', ...fields })
      t.same(pointers(t, res), [pointer], `${pointer} out of bounds`)
    }
  })
})

test('lifecycle: draft, publish, schedule, unpublish, archive', async (t) => {
  const clock = testClock(new Date('2031-03-01T12:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  await seed(db.prisma)
  const api = client(app, auth)
  const reader = (await createKey(db, ['content:read'])).headers
  const previewer = (await createKey(db, ['content:preview'])).headers

  const visibility = async (a: Article) => ({
    anonymousById: (await api.get(a.id)).statusCode,
    anonymousBySlug: (await api.get(a.slug as string)).statusCode,
    readerById: (await api.get(a.id, reader)).statusCode,
    previewById: (await api.get(a.id, previewer)).statusCode,
    anonymousList: (await api.list('limit=100&fields=slug')).page.data.some((x) => x.id === a.id),
    previewList: (await api.list('limit=100&fields=slug', previewer)).page.data.some((x) => x.id === a.id),
  })
  const hidden = {
    anonymousById: 404,
    anonymousBySlug: 404,
    readerById: 404,
    previewById: 200,
    anonymousList: false,
    previewList: true,
  }
  const visible = { ...hidden, anonymousById: 200, anonymousBySlug: 200, readerById: 200, anonymousList: true }

  await t.test('a draft is seen by preview callers only', async (t) => {
    const a = await api.draft({
      headline: 'Draft story',
      body: 'Text.',
      tags: ['lifecycle'],
      source: 'panarmenian-net',
    })
    t.same(await visibility(a), hidden)
    const notFound = assertProblem(t, await api.get(a.id), 404, 'ND_NOT_FOUND')
    t.match(notFound.detail, a.id)
    assertProblem(t, await api.get(a.slug as string, reader), 404, 'ND_NOT_FOUND')
    const preview = await api.get(a.id, previewer)
    t.equal(json<Article>(preview).status, 'draft')
    t.equal(preview.headers['cache-control'], 'private, no-store')
    t.notOk('lifecycle' in (await api.tagCounts()), 'a tag of drafts only is not listed to anonymous callers')
    t.notOk('lifecycle' in (await api.tagCounts(reader)))
    t.equal((await api.tagCounts(previewer)).lifecycle, 1, 'preview tag counts include it')
    const bySource = await app.inject('/v1/sources/panarmenian-net/articles?limit=100&fields=slug')
    t.notOk(json<Page<SparseArticle>>(bySource).data.some((x) => x.id === a.id))
  })

  await t.test('publish now (no body, or {}): published, first publish time set', async (t) => {
    const a = await api.draft({ headline: 'Publish me', body: 'Text.', tags: ['lifecycle'] })
    const res = await api.action(a.id, 'publish')
    t.equal(res.statusCode, 200)
    const p = json<Article>(res)
    t.equal(p.status, 'published')
    t.equal(p.publishedAt, clock().toISOString())
    t.equal(p.firstPublishedAt, clock().toISOString())
    t.equal(p.version, 2)
    t.equal(res.headers.etag, '"v2"')
    t.equal(res.headers['cache-control'], 'private, no-store')
    t.same(await visibility(a), visible)
    t.equal(json<Article>(await api.get(a.slug as string)).status, 'published')
    t.equal((await api.tagCounts()).lifecycle, 1)

    const b = await api.draft({ headline: 'Publish me too', body: 'Text.' })
    const withEmptyBody = await api.action(b.id, 'publish', {})
    t.equal(withEmptyBody.statusCode, 200)
    t.equal(json<Article>(withEmptyBody).status, 'published')

    const again = assertProblem(t, await api.action(a.id, 'publish'), 409, 'ND_INVALID_TRANSITION')
    t.equal(again.currentStatus, 'published')
    t.equal(json<Article>(await api.get(a.id)).version, 2, 'a refused transition changes nothing')
  })

  await t.test('unpublish and archive; invalid transitions name the current status', async (t) => {
    const draft = await api.draft({ headline: 'Transitions', body: 'Text.' })
    t.equal(
      assertProblem(t, await api.action(draft.id, 'archive'), 409, 'ND_INVALID_TRANSITION').currentStatus,
      'draft',
    )
    t.equal(
      assertProblem(t, await api.action(draft.id, 'unpublish'), 409, 'ND_INVALID_TRANSITION').currentStatus,
      'draft',
    )
    const published = json<Article>(await api.action(draft.id, 'publish'))
    const firstPublishedAt = published.firstPublishedAt
    clock.advance(60_000)
    const archived = json<Article>(await api.action(draft.id, 'archive'))
    t.equal(archived.status, 'archived')
    t.equal(archived.firstPublishedAt, firstPublishedAt)
    t.same(await visibility(draft), hidden, 'archived articles are not public')
    t.equal(
      assertProblem(t, await api.action(draft.id, 'publish'), 409, 'ND_INVALID_TRANSITION').currentStatus,
      'archived',
    )
    t.equal(
      assertProblem(t, await api.action(draft.id, 'archive'), 409, 'ND_INVALID_TRANSITION').currentStatus,
      'archived',
    )
    const unpublished = json<Article>(await api.action(draft.id, 'unpublish'))
    t.equal(unpublished.status, 'draft')
    t.equal(unpublished.publishedAt, null)
    t.equal(unpublished.firstPublishedAt, firstPublishedAt, 'the first publish time is kept')
    t.same(await visibility(draft), hidden)
    clock.advance(60_000)
    const republished = json<Article>(await api.action(draft.id, 'publish'))
    t.equal(republished.publishedAt, clock().toISOString())
    t.equal(republished.firstPublishedAt, firstPublishedAt, 'republishing keeps the first publish time')
    const back = json<Article>(await api.action(draft.id, 'unpublish'))
    t.equal(back.status, 'draft')

    assertProblem(t, await api.action(missingId, 'publish'), 404, 'ND_NOT_FOUND')
    assertProblem(t, await api.action(missingId, 'archive'), 404, 'ND_NOT_FOUND')
    t.same(pointers(t, await api.action(draft.id, 'publish', { publishAt: 'tomorrow' })), ['/publishAt'])
    t.same(pointers(t, await api.action(draft.id, 'publish', { when: 'now' })), ['/when'])
    t.same(pointers(t, await api.action('not-a-uuid', 'unpublish')), ['/id'])
    const unauthenticated = await app.inject({ method: 'POST', url: `/v1/articles/${draft.id}/publish` })
    assertProblem(t, unauthenticated, 401, 'ND_UNAUTHORIZED')
    const readOnly = await app.inject({ method: 'POST', url: `/v1/articles/${draft.id}/publish`, headers: previewer })
    assertProblem(t, readOnly, 403, 'ND_FORBIDDEN')
  })

  await t.test('publishing needs a body (and a headline)', async (t) => {
    const a = await api.draft({ headline: 'Headline only' })
    const problem = assertProblem(t, await api.action(a.id, 'publish'), 422, 'ND_NOT_PUBLISHABLE')
    t.same(problem.errors, [{ in: 'body', pointer: '/body', message: 'is required to publish' }])
    const blank = await api.draft({ headline: '   ', body: '  \n ' })
    const both = assertProblem(t, await api.action(blank.id, 'publish'), 422, 'ND_NOT_PUBLISHABLE')
    t.same(
      both.errors?.map((e) => e.pointer),
      ['/headline', '/body'],
    )
    t.equal(json<Article>(await api.get(a.id, previewer)).status, 'draft')
    t.equal(json<Article>(await api.get(a.id, previewer)).version, 1)
  })

  await t.test('scheduled: public exactly from its publish time', async (t) => {
    const a = await api.draft({ headline: 'Scheduled story', body: 'Text.', tags: ['scheduled-tag'] })
    const at = new Date(clock().getTime() + 3_600_000)
    const res = await api.action(a.id, 'publish', { publishAt: at.toISOString() })
    t.equal(res.statusCode, 200)
    const s = json<Article>(res)
    t.equal(s.status, 'scheduled')
    t.equal(s.publishedAt, at.toISOString())
    t.equal(s.firstPublishedAt, null, 'not yet published')
    t.same(await visibility(a), hidden)
    t.notOk('scheduled-tag' in (await api.tagCounts()))
    t.ok((await api.list('status=scheduled&fields=slug', previewer)).page.data.some((x) => x.id === a.id))
    t.notOk((await api.list('status=published&limit=100&fields=slug', previewer)).page.data.some((x) => x.id === a.id))
    t.equal(json<Article>(await api.get(a.id, previewer)).status, 'scheduled')

    clock.set(new Date(at.getTime() - 1))
    t.same(await visibility(a), hidden, '1 ms before its time it is hidden')
    t.notOk('scheduled-tag' in (await api.tagCounts()), 'its tag too')

    clock.set(at)
    t.same(await visibility(a), visible, 'at its time it is public, with no further request')
    const due = json<Article>(await api.get(a.id))
    t.equal(due.status, 'published')
    t.equal(due.publishedAt, at.toISOString())
    t.equal(due.firstPublishedAt, at.toISOString(), 'its first publish time is its publish time')
    t.equal((await api.tagCounts())['scheduled-tag'], 1)
    t.ok((await api.list('status=published&limit=100&fields=slug', previewer)).page.data.some((x) => x.id === a.id))
    t.notOk((await api.list('status=scheduled&fields=slug', previewer)).page.data.some((x) => x.id === a.id))
    const list = (await api.list('limit=1')).page.data[0]
    t.equal(list?.id, a.id, 'newest published first')
    t.equal(list?.status, 'published')
    t.equal(list?.firstPublishedAt, at.toISOString())

    t.equal(
      assertProblem(t, await api.action(a.id, 'publish'), 409, 'ND_INVALID_TRANSITION').currentStatus,
      'published',
      'a due scheduled article counts as published',
    )
    clock.advance(1000)
    const archived = json<Article>(await api.action(a.id, 'archive'))
    t.equal(archived.status, 'archived')
    t.equal(archived.firstPublishedAt, at.toISOString())
  })

  await t.test('reschedule, unpublish a scheduled article, backdate', async (t) => {
    const a = await api.draft({ headline: 'Reschedule', body: 'Text.' })
    const first = new Date(clock().getTime() + 60_000)
    const later = new Date(clock().getTime() + 120_000)
    t.equal(json<Article>(await api.action(a.id, 'publish', { publishAt: first.toISOString() })).status, 'scheduled')
    const moved = json<Article>(await api.action(a.id, 'publish', { publishAt: later.toISOString() }))
    t.equal(moved.status, 'scheduled', 'a scheduled article may be rescheduled')
    t.equal(moved.publishedAt, later.toISOString())
    const pulled = json<Article>(await api.action(a.id, 'unpublish'))
    t.equal(pulled.status, 'draft')
    t.equal(pulled.publishedAt, null)
    t.equal(pulled.firstPublishedAt, null, 'it never appeared')
    clock.set(new Date(later.getTime() + 1))
    t.same(await visibility(a), hidden, 'the old schedule does not publish it')

    // Unpublishing a scheduled article that has appeared keeps the time it appeared.
    const b = await api.draft({ headline: 'Appeared', body: 'Text.' })
    const due = new Date(clock().getTime() + 1000)
    await api.action(b.id, 'publish', { publishAt: due.toISOString() })
    clock.set(new Date(due.getTime() + 1000))
    const appeared = json<Article>(await api.action(b.id, 'unpublish'))
    t.equal(appeared.status, 'draft')
    t.equal(appeared.firstPublishedAt, due.toISOString())

    const past = new Date(clock().getTime() - 86_400_000)
    const backdated = json<Article>(await api.action(a.id, 'publish', { publishAt: past.toISOString() }))
    t.equal(backdated.status, 'published')
    t.equal(backdated.publishedAt, past.toISOString())
    t.equal(backdated.firstPublishedAt, past.toISOString())
  })
})
