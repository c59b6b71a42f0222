// Articles referring to media records: the lead image by media id (write, every read that shows
// it, overrides, unknown ids, clearing), body images (`![alt](media:<id>)`: rendered responsive
// <img>, unknown ids, article_media kept in step with the body), revisions and surrogate keys, and
// that a page of articles reads its media in its own statement.
import { test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { renditionUrl } from '../../src/modules/media/media.files.js'
import { build, json, missingId, type Page } from '../helper.js'
import { assertProblem, client, env } from './articles.helpers.js'
import { createMedia, readingMedia, statementsDuring } from './media-uses.helpers.js'

type LeadImage = NonNullable<Article['leadImage']>

test('lead image from the media library', async (t) => {
  const { app, db, auth } = await build(t, { env: { ...env, RESPONSE_CACHE_MB: '0' } })
  const api = client(app, auth)
  const media = await createMedia(db, { alt: 'A street', caption: 'Own caption', credit: 'Own credit' })

  const created = await api.draft({ headline: 'Lead by media', leadImage: { media: media.id } })
  const lead = created.leadImage as LeadImage
  t.equal(lead.media?.mediaId, media.id)
  t.equal(lead.url, renditionUrl(undefined, media.id, 'w1600.webp'), 'the largest uncropped WebP (2000 px wide: 1600)')
  t.equal(lead.url, lead.media?.url)
  t.equal(lead.caption, 'Own caption', "the record's caption when the article sets none")
  t.equal(lead.credit, 'Own credit')
  t.same(lead.media?.focalPoint, { x: 0.5, y: 0.5 })
  t.equal(lead.media?.placeholder, 'abc')
  t.ok(
    lead.media?.renditions.some((r) => r.name === '16x9-w640'),
    'cropped renditions listed',
  )
  const row = await db.prisma.article.findUniqueOrThrow({ where: { id: created.id } })
  t.equal(row.leadMediaId, media.id)
  t.equal(row.leadImageUrl, null)

  const overridden = await api.patch(created.id, {
    leadImage: { media: media.id.toUpperCase(), caption: 'Article caption', credit: null },
  })
  t.equal(overridden.statusCode, 200, overridden.body)
  const over = json<Article>(overridden).leadImage as LeadImage
  t.equal(over.caption, 'Article caption', 'the override wins')
  t.equal(over.credit, 'Own credit', 'a null override shows the record’s own')
  t.equal(over.media?.caption, 'Own caption', 'the embedded record keeps its own caption')

  const single = await api.get(created.id, auth)
  t.same(json<Article>(single).leadImage, over, 'a single read shows the same')
  t.ok(String(single.headers['surrogate-key']).split(' ').includes(`media:${media.id}`), 'surrogate key of the media')

  // A change to the record shows in the article's next read.
  await db.prisma.media.update({ where: { id: media.id }, data: { credit: 'New credit', focalX: 0.25 } })
  const after = json<Article>(await api.get(created.id, auth)).leadImage as LeadImage
  t.equal(after.credit, 'New credit')
  t.same(after.media?.focalPoint, { x: 0.25, y: 0.5 })

  const { page } = await api.list('status=draft&fields=headline,leadImage', auth)
  const listed = page.data.find((a) => a.id === created.id) as SparseArticle
  t.same(listed.leadImage, after, 'a list shows it too')

  const unknown = await api.patch(created.id, { leadImage: { media: missingId } })
  const problem = assertProblem(t, unknown, 422, 'ND_REFERENCE_MISSING')
  t.equal(problem.field, 'leadImage/media')
  t.match(problem.detail, missingId)

  const byUrl = await api.patch(created.id, { leadImage: { url: 'https://example.com/a.jpg', caption: 'By URL' } })
  t.same(json<Article>(byUrl).leadImage, { url: 'https://example.com/a.jpg', caption: 'By URL', credit: null })
  const urlRow = await db.prisma.article.findUniqueOrThrow({ where: { id: created.id } })
  t.equal(urlRow.leadMediaId, null, 'a URL lead image clears the media one')
  t.notOk(String((await api.get(created.id, auth)).headers['surrogate-key']).includes('media:'))

  await api.patch(created.id, { leadImage: { media: media.id } })
  const cleared = await api.patch(created.id, { leadImage: null })
  t.equal(json<Article>(cleared).leadImage, null)
  t.equal((await db.prisma.article.findUniqueOrThrow({ where: { id: created.id } })).leadMediaId, null)

  const both = await api.create({ headline: 'Both', leadImage: { media: media.id, url: 'https://example.com/a.jpg' } })
  t.equal(assertProblem(t, both, 400, 'ND_VALIDATION_FAILED').errors?.[0]?.pointer, '/leadImage/media')
})

test('MEDIA_PUBLIC_URL puts rendition URLs on its host', async (t) => {
  const base = 'https://img.example.com'
  const { app, db, auth } = await build(t, { env: { ...env, MEDIA_PUBLIC_URL: base } })
  const api = client(app, auth)
  const media = await createMedia(db, { width: 800, height: 600 })
  const created = await api.draft({
    headline: 'On a CDN',
    leadImage: { media: media.id },
    body: `![](media:${media.id})`,
  })
  t.equal(created.leadImage?.url, renditionUrl(base, media.id, 'w640.webp'))
  t.match(created.bodyHtml, `src="${renditionUrl(base, media.id, 'w640.webp')}"`)
  t.match(created.bodyHtml, 'alt=""', 'no alt text, and none on the record: empty')
  t.match(
    created.bodyHtml,
    `srcset="${renditionUrl(base, media.id, 'w320.webp')} 320w, ${renditionUrl(base, media.id, 'w640.webp')} 640w"`,
  )
  const stored = await db.prisma.article.findUniqueOrThrow({ where: { id: created.id } })
  t.match(stored.bodyHtml, `src="${renditionUrl(undefined, media.id, 'w640.webp')}"`, 'stored with relative paths')
  t.match(stored.bodyHtml, /src="\/media\//, 'on the API’s own path')
})

test('body images', async (t) => {
  const { app, db, auth } = await build(t, { env: { ...env, RESPONSE_CACHE_MB: '0' } })
  const api = client(app, auth)
  const one = await createMedia(db, { alt: 'Record alt' })
  const two = await createMedia(db, { width: 800, height: 600 })
  const links = async (id: string) =>
    (await db.prisma.articleMedia.findMany({ where: { articleId: id } })).map((r) => r.mediaId).sort()

  const body = `Intro.\n\n![](media:${one.id})\n\n![Two "quoted"](media:${two.id.toUpperCase()} "A title")\n\n![again](media:${one.id})`
  const created = await api.draft({ headline: 'Body images', body })
  const u = (id: string, file: string) => renditionUrl(undefined, id, file)
  t.match(
    created.bodyHtml,
    `<img src="${u(one.id, 'w1024.webp')}" srcset="${u(one.id, 'w320.webp')} 320w, ${u(one.id, 'w640.webp')} 640w, ` +
      `${u(one.id, 'w1024.webp')} 1024w, ${u(one.id, 'w1600.webp')} 1600w" sizes="(max-width: 1024px) 100vw, 1024px" ` +
      `width="1024" height="682" alt="Record alt" loading="lazy" decoding="async" />`,
  )
  t.match(created.bodyHtml, `src="${u(two.id, 'w640.webp')}"`, 'the largest WebP of a small original')
  t.match(created.bodyHtml, 'width="640" height="480" alt="Two &quot;quoted&quot;" title="A title"')
  t.match(created.bodyText, 'Intro.')
  t.same(await links(created.id), [one.id, two.id].sort(), 'each embedded record linked once')

  const unknown = await api.patch(created.id, { body: `![a](media:${missingId}) ![b](media:${one.id})` })
  const problem = assertProblem(t, unknown, 422, 'ND_REFERENCE_MISSING')
  t.equal(problem.field, 'body')
  t.match(problem.detail, missingId)
  const unchanged = json<Article>(await api.get(created.id, auth))
  t.equal(unchanged.body, body, 'nothing written')
  t.equal(unchanged.version, created.version)
  const refused = await api.create({ headline: 'Nope', body: `![a](media:${missingId})` })
  assertProblem(t, refused, 422, 'ND_REFERENCE_MISSING')
  t.equal(await db.prisma.article.count({ where: { headline: 'Nope' } }), 0)

  const updated = json<Article>(await api.patch(created.id, { body: `Only ![two](media:${two.id})` }))
  t.same(await links(created.id), [two.id], 'updating the body replaces the links')
  const headline = json<Article>(await api.patch(created.id, { headline: 'Renamed' }))
  t.same(await links(created.id), [two.id], 'a write without the body keeps them')

  const restore = await app.inject({
    method: 'POST',
    url: `/v1/articles/${created.id}/revisions/${created.version}/restore`,
    headers: { ...auth, 'if-match': `"v${headline.version}"` },
  })
  t.equal(restore.statusCode, 200, 'restored')
  t.same(await links(created.id), [one.id, two.id].sort(), 'restoring a revision restores its links')
  t.match(json<Article>(restore).bodyHtml, u(one.id, 'w1024.webp'))

  // A record in use by a body cannot be deleted (the link's foreign key).
  await t.rejects(db.prisma.media.delete({ where: { id: one.id } }))
  const removed = await api.remove(created.id, { 'if-match': `"v${json<Article>(restore).version}"` })
  t.equal(removed.statusCode, 204, removed.body)
  t.equal(updated.version > created.version, true)
})

test('what a body cannot smuggle in', async (t) => {
  const { app, auth } = await build(t, { env })
  const api = client(app, auth)
  const created = await api.draft({
    headline: 'Unsafe',
    body: [
      '![x](javascript:alert(1))',
      '![y](media:not-an-id)',
      '![z](media:javascript:alert(1))',
      '<img src="x" onerror="alert(1)" srcset="javascript:alert(1) 1x" loading="lazy">',
    ].join('\n\n'),
  })
  t.notMatch(created.bodyHtml, /javascript|onerror|media:/i)
})

test('revisions keep the media lead image; restoring one whose media is gone is a 422', async (t) => {
  const { app, db, auth } = await build(t, { env: { ...env, RESPONSE_CACHE_MB: '0' } })
  const api = client(app, auth)
  const media = await createMedia(db)
  const created = await api.draft({ headline: 'Revised', leadImage: { media: media.id, caption: 'Mine' } })
  const revision = await app.inject({ url: `/v1/articles/${created.id}/revisions/${created.version}`, headers: auth })
  t.same(json<{ snapshot: { leadImage: unknown } }>(revision).snapshot.leadImage, {
    media: media.id,
    caption: 'Mine',
    credit: null,
  })
  const changed = json<Article>(await api.patch(created.id, { leadImage: { url: 'https://example.com/b.jpg' } }))
  await db.prisma.media.delete({ where: { id: media.id } })
  const restore = await app.inject({
    method: 'POST',
    url: `/v1/articles/${created.id}/revisions/${created.version}/restore`,
    headers: { ...auth, 'if-match': `"v${changed.version}"` },
  })
  const problem = assertProblem(t, restore, 422, 'ND_REFERENCE_MISSING')
  t.equal(problem.field, 'leadImage/media')
})

test('a page reads its media in its own statement', async (t) => {
  const { app, db, auth } = await build(t, { env: { ...env, RESPONSE_CACHE_MB: '0' } })
  const api = client(app, auth)
  const tag = (n: number) => `media-page-${n}`
  for (const n of [1, 2]) {
    for (let i = 0; i < 4; i++) {
      const leadImage = n === 1 ? { url: `https://example.com/${i}.jpg` } : { media: (await createMedia(db)).id }
      await api.draft({ headline: `Page ${n} article ${i}`, tags: [tag(n)], leadImage })
    }
  }
  const counts: number[] = []
  for (const n of [1, 2]) {
    const statements = await statementsDuring(async () => {
      const { page } = await api.list(`status=draft&tag=${tag(n)}&fields=headline,leadImage`, auth)
      t.equal(page.data.length, 4)
    })
    counts.push(readingMedia(statements).length)
  }
  t.same(counts, [1, 1], 'the page’s own statement reads the media, with four media lead images as with none')
  const withMedia = await api.list(`status=draft&tag=${tag(2)}`, auth)
  t.ok(
    withMedia.page.data.every((a) => a.leadImage?.media),
    'every one shows its media',
  )
  json<Page<SparseArticle>>(withMedia.res)
})

test('related articles show the media lead image', async (t) => {
  const { app, db, auth } = await build(t, { env: { ...env, RESPONSE_CACHE_MB: '0' } })
  const api = client(app, auth)
  const media = await createMedia(db, { caption: 'Related caption' })
  const subject = await api.draft({ headline: 'Subject', body: 'Body.', tags: ['media-related'] })
  const pictured = await api.draft({
    headline: 'Pictured',
    body: 'Body.',
    tags: ['media-related'],
    leadImage: { media: media.id },
  })
  for (const a of [subject, pictured]) t.equal((await api.action(a.id, 'publish')).statusCode, 200)

  const list = await app.inject({ url: `/v1/articles/${subject.id}/related` })
  const [first] = json<{ data: Article[] }>(list).data
  t.equal(first?.leadImage?.media?.mediaId, media.id)
  t.equal(first?.leadImage?.caption, 'Related caption')
  t.ok(String(list.headers['surrogate-key']).split(' ').includes(`media:${media.id}`))

  const single = await app.inject({ url: `/v1/articles/${subject.id}?include=related` })
  const related = json<Article>(single).related ?? []
  t.equal(related[0]?.leadImage?.media?.mediaId, media.id, 'include=related shows it')
  t.equal(related[0]?.leadImage?.url, renditionUrl(undefined, media.id, 'w1600.webp'))
  t.ok(String(single.headers['surrogate-key']).split(' ').includes(`media:${media.id}`))
})
