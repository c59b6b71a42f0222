// The collections API through HTTP: the seeded boxes, collections CRUD, teasers and bad input, and
// the audit log. The order of teasers under every operation and reorders (also concurrent ones) are
// in collections.order.test.ts; time windows, article visibility, the cap, history and HTTP caching
// of the box in collections.box.test.ts.
import { test } from 'tap'
import { loadSeedContent, seed } from '../../src/seed/seed.js'
import { build, createKey, json, type Page } from '../helper.js'
import {
  assertProblem,
  type Box,
  type Collection,
  client,
  missingId,
  pointers,
  type Teaser,
  topStoriesOnThePage,
} from './collections.helpers.js'

const env = { RATE_LIMIT_ANONYMOUS_MAX: '100000' }

interface AuditEntry {
  action: string
  resourceType: string
  resourceId: string
  keyId: string | null
  requestId: string | null
}

test('collections and teasers', async (t) => {
  const { app, db, auth, writer } = await build(t, { env })
  await seed(db.prisma)
  const api = client(app, auth)
  const content = await loadSeedContent()
  const articleId = (await db.prisma.article.findFirstOrThrow({ where: { slug: { startsWith: 'earthquake' } } })).id
  const preview = await createKey(db, ['content:preview'])
  const reader = await createKey(db, ['content:read'])
  const admin = await createKey(db, ['keys:manage'])
  let partnerTeaser: Teaser | undefined

  await t.test('"Top stories" comes out exactly as on the seed page, each teaser with its article', async (t) => {
    const res = await api.box('top-stories')
    t.equal(res.statusCode, 200)
    const box = json<Box>(res)
    const onThePage = await topStoriesOnThePage()
    t.equal(onThePage.length, 4)
    t.same(
      box.data.map((d) => d.text),
      onThePage,
      'the four teasers of the page, in its order',
    )
    t.same(box.page, { limit: 4, nextCursor: null })
    const seeded = content.collections.find((c) => c.key === 'top-stories')?.teasers ?? []
    for (const [i, teaser] of box.data.entries()) {
      const slug = seeded[i]?.article as string
      const stored = await db.prisma.article.findUniqueOrThrow({ where: { slug } })
      const source = content.articles.find((a) => a.slug === slug)
      t.equal(teaser.position, i)
      t.equal(teaser.articleId, stored.id)
      t.equal(teaser.url, null)
      t.notOk('visible' in teaser || 'hiddenReason' in teaser, 'the public box does not say what is hidden')
      t.same(Object.keys(teaser.article ?? {}).sort(), [
        'headline',
        'id',
        'leadImage',
        'publishedAt',
        'slug',
        'source',
        'summary',
        'url',
      ])
      t.match(teaser.article, {
        id: stored.id,
        slug,
        headline: source?.headline,
        summary: teaser.text,
        publishedAt: source?.publishedAt,
        leadImage: null,
      })
      t.equal(teaser.article?.summary, onThePage[i], 'the summary is the line on the page')
      t.match(teaser.article?.source, { slug: 'panarmenian-net', name: 'PanARMENIAN.Net', kind: 'publisher' })
      t.equal(teaser.source?.name, 'PanARMENIAN.Net')
    }

    const preview = json<Box>(await api.box('top-stories', auth))
    t.same(
      preview.data.map((d) => [d.text, d.visible, d.hiddenReason]),
      onThePage.map((text) => [text, true, undefined]),
      'the preview shows the same four, all visible',
    )
  })

  await t.test('"Partner news" holds two external teasers with their partner sources', async (t) => {
    const box = json<Box>(await api.box('partner-news'))
    t.equal(box.data.length, 2)
    t.same(
      box.data.map((d) => [d.url, d.source?.slug, d.source?.kind, d.source?.homepageUrl, d.article, d.articleId]),
      [
        ['https://armenpress.am/', 'armenpress', 'partner', 'https://armenpress.am/', null, null],
        ['https://hetq.am/', 'hetq', 'partner', 'https://hetq.am/', null, null],
      ],
    )
    t.same(
      box.data.map((d) => d.text),
      content.collections.find((c) => c.key === 'partner-news')?.teasers.map((x) => x.text),
    )
    t.equal(box.page.limit, 6)
  })
  await t.test('add with every field; read it back; edit', async (t) => {
    const res = await api.add(
      'partner-news',
      {
        text: 'A story from our partner.',
        title: 'Partner story',
        url: 'https://armenpress.am/story',
        source: 'armenpress',
        image: { url: 'https://armenpress.am/a.jpg', alt: 'A picture' },
        position: 1,
      },
      { 'if-match': '"v1"' },
    )
    t.equal(res.statusCode, 201)
    const teaser = json<Teaser>(res)
    t.match(teaser, {
      text: 'A story from our partner.',
      title: 'Partner story',
      url: 'https://armenpress.am/story',
      articleId: null,
      article: null,
      image: { url: 'https://armenpress.am/a.jpg', alt: 'A picture' },
      position: 1,
      pinned: false,
      startsAt: null,
      endsAt: null,
      version: 1,
      createdBy: writer.id,
      updatedBy: writer.id,
      source: { slug: 'armenpress', kind: 'partner' },
    })
    t.equal(res.headers.location, `/v1/teasers/${teaser.id}`)
    t.equal(res.headers.etag, '"v1"')
    const read = await api.getTeaser(teaser.id)
    t.equal(read.statusCode, 200)
    // A hash of the body: it changes when others move the teaser, which its version does not record.
    t.match(read.headers.etag, /^"[A-Za-z0-9+/=]+"$/)
    t.same(json(read), teaser)
    assertProblem(t, await api.getTeaser(teaser.id, {}), 401, 'ND_UNAUTHORIZED')

    const toArticle = await api.patchTeaser(teaser.id, { articleId, image: null, source: null }, { 'if-match': '"v1"' })
    t.equal(toArticle.statusCode, 200)
    t.equal(toArticle.headers.etag, '"v2"')
    t.match(json<Teaser>(toArticle), {
      articleId,
      url: null,
      image: null,
      source: null,
      version: 2,
      article: { id: articleId, slug: 'earthquake-causes-temporary-blackout' },
    })
    const toUrl = json<Teaser>(
      await api.patchTeaser(teaser.id, { url: 'https://hetq.am/story', source: 'hetq', text: 'Other text' }),
    )
    t.match(toUrl, { articleId: null, article: null, url: 'https://hetq.am/story', text: 'Other text', version: 3 })
    t.equal(toUrl.source?.slug, 'hetq')
    partnerTeaser = toUrl
  })

  await t.test('bad input changes nothing', async (t) => {
    const before = {
      teasers: await db.prisma.teaser.count(),
      events: await db.prisma.collectionEvent.count(),
      audit: await db.prisma.auditEntry.count(),
    }
    const teaser = json<Box>(await api.box('top-stories', auth)).data[0] as Teaser
    const add = (payload: object, headers = {}) => api.add('top-stories', payload, headers)

    t.same(pointers(t, await add({ text: 'Neither' })), ['/articleId'], 'neither articleId nor url')
    t.same(
      pointers(t, await add({ text: 'Both', articleId, url: 'https://example.com/' })),
      ['/articleId'],
      'both articleId and url',
    )
    t.same(pointers(t, await add({ text: 'Null both', articleId: null, url: null })), ['/articleId'])
    for (const url of ['javascript:alert(1)', 'ftp://example.com/file', 'not a url', '//example.com/', 'data:,x']) {
      t.same(pointers(t, await add({ text: 'Bad URL', url })), ['/url'], `url ${url}`)
    }
    t.ok(
      pointers(t, await add({ text: 'x', url: 'https://example.com/', image: { url: 'javascript:x' } })).includes(
        '/image/url',
      ),
      'an image URL must be http(s) too',
    )
    const unknownArticle = assertProblem(t, await add({ text: 'x', articleId: missingId }), 422, 'ND_REFERENCE_MISSING')
    t.equal(unknownArticle.field, 'articleId')
    const unknownSource = assertProblem(
      t,
      await add({ text: 'x', url: 'https://example.com/', source: 'no-such-source' }),
      422,
      'ND_REFERENCE_MISSING',
    )
    t.equal(unknownSource.field, 'source')
    assertProblem(
      t,
      await add({ text: 'x', url: 'https://example.com/', source: missingId }),
      422,
      'ND_REFERENCE_MISSING',
    )
    assertProblem(t, await api.add('no-such-box', { text: 'x', url: 'https://example.com/' }), 404, 'ND_NOT_FOUND')
    assertProblem(
      t,
      await add({ text: 'x', url: 'https://example.com/' }, { 'if-match': '"v7"' }),
      412,
      'ND_PRECONDITION_FAILED',
    )
    t.same(pointers(t, await add({ text: 'x', url: 'https://example.com/', extra: 1, version: 2 })), [
      '/extra',
      '/version',
    ])
    t.same(pointers(t, await add({ text: '', url: 'https://example.com/' })), ['/text'])
    t.same(pointers(t, await add({ text: 'x'.repeat(501), url: 'https://example.com/' })), ['/text'])
    t.same(pointers(t, await add({ url: 'https://example.com/' })), ['/text'])
    t.same(pointers(t, await add({ text: 'x', url: 'https://example.com/', position: -1 })), ['/position'])
    t.same(pointers(t, await add({ text: 'x', url: 'https://example.com/', startsAt: 'tomorrow' })), ['/startsAt'])
    t.same(pointers(t, await add({ text: 'x', url: 'https://example.com/', pinned: 'yes' })), ['/pinned'])

    assertProblem(t, await api.getTeaser(missingId), 404, 'ND_NOT_FOUND')
    assertProblem(t, await api.patchTeaser(missingId, { text: 'x' }), 404, 'ND_NOT_FOUND')
    assertProblem(t, await api.deleteTeaser(missingId), 404, 'ND_NOT_FOUND')
    t.same(pointers(t, await api.patchTeaser('not-a-uuid', { text: 'x' })), ['/id'])
    t.same(pointers(t, await api.patchTeaser(teaser.id, {})), [''])
    t.same(pointers(t, await api.patchTeaser(teaser.id, { text: 'x', collectionId: missingId })), ['/collectionId'])
    t.same(pointers(t, await api.patchTeaser(teaser.id, { articleId: null })), ['/articleId'], 'would link to nothing')
    t.same(pointers(t, await api.patchTeaser(teaser.id, { url: 'https://example.com/', articleId })), ['/articleId'])
    t.same(pointers(t, await api.patchTeaser(teaser.id, { url: 'ftp://example.com/' })), ['/url'])
    assertProblem(t, await api.patchTeaser(teaser.id, { articleId: missingId }), 422, 'ND_REFERENCE_MISSING')
    assertProblem(t, await api.patchTeaser(teaser.id, { source: 'nope' }), 422, 'ND_REFERENCE_MISSING')
    const stale = assertProblem(
      t,
      await api.patchTeaser(teaser.id, { text: 'x' }, { 'if-match': '"v2"' }),
      412,
      'ND_PRECONDITION_FAILED',
    )
    t.equal(stale.currentVersion, 1, "the teaser's own version")
    t.equal(stale.currentEtag, '"v1"')
    const staleDelete = assertProblem(
      t,
      await api.deleteTeaser(teaser.id, { 'if-match': '"v0"' }),
      412,
      'ND_PRECONDITION_FAILED',
    )
    t.equal(staleDelete.currentVersion, 1)

    assertProblem(
      t,
      await api.add('top-stories', { text: 'x', url: 'https://example.com/' }, { authorization: '' }),
      401,
      'ND_UNAUTHORIZED',
    )
    assertProblem(
      t,
      await api.add('top-stories', { text: 'x', url: 'https://example.com/' }, preview.headers),
      403,
      'ND_FORBIDDEN',
    )
    assertProblem(t, await api.deleteTeaser(teaser.id, preview.headers), 403, 'ND_FORBIDDEN')
    assertProblem(t, await api.reorder('top-stories', [], preview.headers), 403, 'ND_FORBIDDEN')

    t.same(
      {
        teasers: await db.prisma.teaser.count(),
        events: await db.prisma.collectionEvent.count(),
        audit: await db.prisma.auditEntry.count(),
      },
      before,
      'no teaser, history event or audit entry was written',
    )
    t.equal(await api.etag('top-stories'), '"v1"', 'the version did not move')
    t.same(json<Teaser>(await api.getTeaser(teaser.id)).version, 1)

    const partner = partnerTeaser as Teaser
    const ok = await api.deleteTeaser(partner.id, { 'if-match': `"v${partner.version}"` })
    t.equal(ok.statusCode, 204, 'the current ETag deletes')
    assertProblem(t, await api.deleteTeaser(partner.id), 404, 'ND_NOT_FOUND')
    assertProblem(t, await api.getTeaser(partner.id), 404, 'ND_NOT_FOUND')
    t.same(
      json<Box>(await api.box('partner-news', auth)).data.map((d) => d.position),
      [0, 1],
      'the others close up',
    )
  })
  await t.test('create; a duplicate key is a 409; bad keys and unknown fields are 400s', async (t) => {
    const res = await api.createCollection({ key: 'breaking', title: 'Breaking', description: 'Now', maxItems: 3 })
    t.equal(res.statusCode, 201)
    const c = json<Collection>(res)
    t.match(c, {
      key: 'breaking',
      title: 'Breaking',
      description: 'Now',
      maxItems: 3,
      version: 1,
      createdBy: writer.id,
      updatedBy: writer.id,
    })
    t.match(c.id, /^[0-9a-f-]{36}$/)
    t.equal(res.headers.location, '/v1/collections/breaking')
    t.equal(res.headers.etag, '"v1"')
    const defaults = json<Collection>(await api.createCollection({ key: 'defaults', title: 'Defaults' }))
    t.match(defaults, { maxItems: 10, description: null })

    const before = await db.prisma.collection.count()
    const dup = assertProblem(
      t,
      await api.createCollection({ key: 'breaking', title: 'Again' }),
      409,
      'ND_UNIQUE_VIOLATION',
    )
    t.equal(dup.field, 'key')
    for (const key of ['Has Caps', 'trailing-', 'double--dash', '', 'x'.repeat(101)]) {
      t.same(pointers(t, await api.createCollection({ key, title: 'X' })), ['/key'], `key ${JSON.stringify(key)}`)
    }
    t.same(pointers(t, await api.createCollection({ key: 'ok-key', title: 'X', extra: 1, version: 3 })), [
      '/extra',
      '/version',
    ])
    t.same(pointers(t, await api.createCollection({ key: 'ok-key' })), ['/title'])
    t.same(pointers(t, await api.createCollection({ key: 'ok-key', title: 'X', maxItems: 0 })), ['/maxItems'])
    t.same(pointers(t, await api.createCollection({ key: 'ok-key', title: 'X', maxItems: 101 })), ['/maxItems'])
    assertProblem(
      t,
      await api.createCollection({ key: 'ok-key', title: 'X' }, { authorization: '' }),
      401,
      'ND_UNAUTHORIZED',
    )
    assertProblem(t, await api.createCollection({ key: 'ok-key', title: 'X' }, reader.headers), 403, 'ND_FORBIDDEN')
    t.equal(await db.prisma.collection.count(), before, 'no failed request wrote anything')
  })

  await t.test('list (by key, paginated) and get with a version ETag', async (t) => {
    const list = json<Page<Collection>>(await app.inject('/v1/collections'))
    t.same(
      list.data.map((c) => c.key),
      ['breaking', 'defaults', 'partner-news', 'top-stories'],
    )
    const first = await app.inject('/v1/collections?limit=2')
    const page1 = json<Page<Collection>>(first)
    t.same(
      page1.data.map((c) => c.key),
      ['breaking', 'defaults'],
    )
    t.type(page1.page.nextCursor, 'string')
    const page2 = json<Page<Collection>>(
      await app.inject(`/v1/collections?limit=2&cursor=${encodeURIComponent(String(page1.page.nextCursor))}`),
    )
    t.same(
      page2.data.map((c) => c.key),
      ['partner-news', 'top-stories'],
    )
    t.equal(page2.page.nextCursor, null)

    const res = await api.getCollection('top-stories')
    t.equal(res.statusCode, 200)
    t.equal(res.headers.etag, '"v1"')
    t.match(json<Collection>(res), { key: 'top-stories', title: 'Top stories', maxItems: 4, version: 1 })
    t.match(String(res.headers['cache-control']), /^public/)
    assertProblem(t, await api.getCollection('no-such-box'), 404, 'ND_NOT_FOUND')
    t.same(pointers(t, await api.getCollection('Bad_Key')), ['/key'])
  })

  await t.test('update with If-Match: the current ETag wins, a stale one is a 412 naming the version', async (t) => {
    const ok = await api.patchCollection('breaking', { title: 'Breaking news' }, { 'if-match': '"v1"' })
    t.equal(ok.statusCode, 200)
    t.equal(ok.headers.etag, '"v2"')
    t.match(json<Collection>(ok), { title: 'Breaking news', version: 2, maxItems: 3, description: 'Now' })
    const stale = assertProblem(
      t,
      await api.patchCollection('breaking', { title: 'Lost' }, { 'if-match': '"v1"' }),
      412,
      'ND_PRECONDITION_FAILED',
    )
    t.equal(stale.currentVersion, 2)
    t.equal(stale.currentEtag, '"v2"')
    const noMatch = await api.patchCollection('breaking', { description: null, maxItems: 5 })
    t.equal(noMatch.statusCode, 200, 'no If-Match: last write wins')
    t.match(json<Collection>(noMatch), { title: 'Breaking news', description: null, maxItems: 5, version: 3 })
    t.equal((await api.getCollection('breaking')).headers.etag, '"v3"')
    t.same(pointers(t, await api.patchCollection('breaking', {})), [''])
    t.same(pointers(t, await api.patchCollection('breaking', { key: 'renamed' })), ['/key'])
    t.same(pointers(t, await api.patchCollection('breaking', { maxItems: 0 })), ['/maxItems'])
    assertProblem(t, await api.patchCollection('no-such-box', { title: 'X' }), 404, 'ND_NOT_FOUND')
    t.equal(
      json<Collection>(await api.getCollection('breaking')).title,
      'Breaking news',
      'failed updates changed nothing',
    )
  })

  await t.test('delete: a 409 while it holds teasers, withTeasers=true deletes them too', async (t) => {
    const held = assertProblem(t, await api.deleteCollection('top-stories'), 409, 'ND_CONFLICT')
    t.equal(held.teaserCount, 4)
    t.equal(await db.prisma.teaser.count({ where: { collection: { key: 'top-stories' } } }), 4, 'nothing deleted')
    t.equal((await api.getCollection('top-stories')).headers.etag, '"v1"', 'the refused delete left the version')
    assertProblem(
      t,
      await api.deleteCollection('top-stories', '', { 'if-match': '"v9"' }),
      412,
      'ND_PRECONDITION_FAILED',
    )

    const teaserIds = (await db.prisma.teaser.findMany({ where: { collection: { key: 'top-stories' } } })).map(
      (r) => r.id,
    )
    const del = await api.deleteCollection('top-stories', '?withTeasers=true', { 'if-match': '"v1"' })
    t.equal(del.statusCode, 204)
    t.equal(del.body, '')
    assertProblem(t, await api.getCollection('top-stories'), 404, 'ND_NOT_FOUND')
    assertProblem(t, await api.box('top-stories'), 404, 'ND_NOT_FOUND')
    t.equal(await db.prisma.teaser.count({ where: { id: { in: teaserIds } } }), 0, 'its teasers are gone')
    t.equal(await db.prisma.article.count({ where: { deletedAt: null } }), 5, 'their articles are not')
    assertProblem(t, await api.getTeaser(teaserIds[0] as string), 404, 'ND_NOT_FOUND')

    t.equal((await api.deleteCollection('defaults')).statusCode, 204, 'an empty collection deletes without the flag')
    assertProblem(t, await api.deleteCollection('defaults'), 404, 'ND_NOT_FOUND')
    assertProblem(t, await api.deleteCollection('no-such-box', '?withTeasers=true'), 404, 'ND_NOT_FOUND')
    t.same(pointers(t, await api.deleteCollection('breaking', '?withTeasers=maybe')), ['/withTeasers'])
  })
  await t.test('every write is in the audit log', async (t) => {
    const collection = json<Collection>(await api.createCollection({ key: 'audited', title: 'Audited' }))
    t.equal((await api.patchCollection('audited', { maxItems: 3 })).statusCode, 200)
    const x = await api.link(t, 'audited', 'X')
    const y = await api.link(t, 'audited', 'Y')
    for (const payload of [{ text: 'X2' }, { pinned: true }, { pinned: false }]) {
      t.equal((await api.patchTeaser(x.id, payload)).statusCode, 200)
    }
    t.equal((await api.patchTeaser(y.id, { position: 0 })).statusCode, 200)
    t.equal((await api.reorder('audited', [x.id, y.id])).statusCode, 200)
    t.equal((await api.deleteTeaser(x.id)).statusCode, 204)
    t.equal((await api.deleteCollection('audited')).statusCode, 409, 'refused: not audited')
    t.equal((await api.deleteCollection('audited', '?withTeasers=true')).statusCode, 204)

    const entries = async (query: string) => {
      const res = await app.inject({ url: `/v1/audit?${query}&limit=100`, headers: admin.headers })
      t.equal(res.statusCode, 200)
      return json<Page<AuditEntry>>(res).data.reverse()
    }
    const collections = await entries(`resourceType=collection&resourceId=${collection.id}`)
    t.same(
      collections.map((e) => [e.action, e.resourceId]),
      [
        ['create', collection.id],
        ['update', collection.id],
        ['reorder', collection.id],
        ['delete', collection.id],
      ],
    )
    const teasers = (await entries('resourceType=teaser')).filter((e) => [x.id, y.id].includes(e.resourceId))
    t.same(
      teasers.map((e) => [e.action, e.resourceId]),
      [
        ['add', x.id],
        ['add', y.id],
        ['update', x.id],
        ['pin', x.id],
        ['unpin', x.id],
        ['move', y.id],
        ['remove', x.id],
      ],
    )
    t.ok(
      [...collections, ...teasers].every((e) => e.keyId === writer.id && typeof e.requestId === 'string'),
      'each names the key and the request',
    )
    assertProblem(t, await app.inject({ url: '/v1/audit', headers: auth }), 403, 'ND_FORBIDDEN')
  })
})
