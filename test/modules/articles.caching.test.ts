// Article reads through HTTP: caching headers, ETags and 304s, and a bounded number of SQL queries
// per list.
import { createHash } from 'node:crypto'
import type { SqlDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils'
import { test } from 'tap'
import { PrismaClient } from '../../src/generated/prisma/client.js'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, json, type Page } from '../helper.js'
import { client, env, seedSlug } from './articles.helpers.js'
import { listsFixture, published, walk } from './articles.lists.helpers.js'

test('article read caching', async (t) => {
  const { clock, app, db, auth, api, reader, previewer, seedArticle } = await listsFixture(t)

  await t.test('HTTP caching', async (t) => {
    const row = await db.prisma.article.findUniqueOrThrow({ where: { id: seedArticle.id }, include: { credits: true } })
    for (const headers of [{}, reader]) {
      const res = await api.get(seedSlug, headers)
      t.equal(res.statusCode, 200)
      t.equal(res.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
      t.match(String(res.headers.vary), /\bAuthorization\b/i)
      const keys = String(res.headers['surrogate-key']).split(' ')
      t.ok(keys.includes(`article:${seedArticle.id}`))
      t.ok(keys.includes(`source:${row.sourceId}`))
      t.ok(keys.includes(`source:${row.credits[0]?.sourceId}`), 'credited sources too')
      // Its tags show as slugs: a tag's own changes (name, type, URI) do not show here, and a new
      // slug is a new version of the article, which purges article:<id>.
      t.notOk(
        keys.some((key) => key.startsWith('tag:') || key.startsWith('person:')),
        'no keys of records shown by id or slug alone',
      )
      t.equal(res.headers.etag, `"v${row.version}"`)
      t.equal(res.headers['last-modified'], row.updatedAt.toUTCString())
    }
    const { res: listRes } = await api.list('limit=100')
    t.equal(listRes.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
    t.match(String(listRes.headers.vary), /\bAuthorization\b/i)
    const keys = String(listRes.headers['surrogate-key']).split(' ')
    t.ok(keys.includes('articles'))
    t.ok(keys.includes(`source:${row.sourceId}`), 'the sources behind the rights shown')
    t.notOk(
      keys.some((key) => key.startsWith('tag:')),
      'tags shown by slug',
    )
    // Every change to an article purges `articles`: a list needs no key per item.
    t.notOk(
      keys.some((key) => key.startsWith('article:')),
      'no key per article',
    )
    t.equal(new Set(keys).size, keys.length, 'each key once')
    // The hash ETag and Content-Length are of the UTF-8 bytes sent.
    const sent = listRes.rawPayload
    t.match(sent.toString('utf8'), /[^\p{ASCII}]/u, 'the page has non-ASCII text')
    t.equal(
      listRes.headers.etag,
      `"${createHash('sha1').update(sent).digest('base64')}"`,
      'the ETag hashes the bytes sent',
    )
    t.equal(Number(listRes.headers['content-length']), sent.length)
    t.ok(listRes.headers['last-modified'])
    const tags = await app.inject('/v1/tags')
    t.equal(tags.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
    t.match(String(tags.headers['surrogate-key']), /\btags\b/)
    const deletions = await app.inject('/v1/articles/deletions')
    t.equal(deletions.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')

    for (const [url, headers] of [
      [`/v1/articles/${seedArticle.id}`, auth],
      [`/v1/articles/${seedArticle.id}`, previewer],
      ['/v1/articles', previewer],
      ['/v1/tags', previewer],
      ['/v1/articles/deletions', previewer],
    ] as const) {
      const res = await app.inject({ url, headers })
      t.equal(res.headers['cache-control'], 'private, no-store', `${url} for preview`)
      t.match(String(res.headers.vary), /\bAuthorization\b/i)
    }

    const etag = `"v${row.version}"`
    const notModified = await app.inject({ url: `/v1/articles/${seedSlug}`, headers: { 'if-none-match': etag } })
    t.equal(notModified.statusCode, 304)
    t.equal(notModified.body, '')
    t.equal(notModified.headers.etag, etag)
    const modified = await app.inject({ url: `/v1/articles/${seedSlug}`, headers: { 'if-none-match': '"v99"' } })
    t.equal(modified.statusCode, 200)
    // RFC 9110: a list of tags, weak forms and * all revalidate.
    for (const given of [`"v99", ${etag}`, `W/${etag}`, '*']) {
      const res = await app.inject({ url: `/v1/articles/${seedSlug}`, headers: { 'if-none-match': given } })
      t.equal(res.statusCode, 304, `If-None-Match: ${given}`)
    }
    const listed = await app.inject({ url: '/v1/articles?limit=3', headers: { 'if-none-match': `"x", "y"` } })
    t.equal(listed.statusCode, 200, 'a list naming neither')

    const trimmed = await app.inject(`/v1/articles/${seedSlug}?fields=headline`)
    t.not(trimmed.headers.etag, etag, 'a trimmed representation has its own ETag')
    const trimmed304 = await app.inject({
      url: `/v1/articles/${seedSlug}?fields=headline`,
      headers: { 'if-none-match': String(trimmed.headers.etag) },
    })
    t.equal(trimmed304.statusCode, 304)

    const first = await api.list('limit=3')
    const listEtag = String(first.res.headers.etag)
    const list304 = await app.inject({ url: '/v1/articles?limit=3', headers: { 'if-none-match': listEtag } })
    t.equal(list304.statusCode, 304)
    t.equal(list304.body, '')
    const top = first.page.data[0] as Article
    clock.advance(1000)
    const patched = await api.patch(top.id, { dateline: 'Changed' })
    t.equal(patched.statusCode, 200)
    const after = await app.inject({ url: '/v1/articles?limit=3', headers: { 'if-none-match': listEtag } })
    t.equal(after.statusCode, 200, 'after a PATCH the list is sent again')
    t.not(after.headers.etag, listEtag, 'with a new ETag')
    const topRow = await db.prisma.article.findUniqueOrThrow({ where: { id: top.id } })
    t.equal(after.headers['last-modified'], topRow.updatedAt.toUTCString())
    const one = await app.inject({ url: `/v1/articles/${top.id}`, headers: { 'if-none-match': `"v${top.version}"` } })
    t.equal(one.statusCode, 200)
    t.equal(one.headers.etag, `"v${topRow.version}"`)
  })

  await t.test('Surrogate-Key names the records whose data the view shows', async (t) => {
    const made = await published(
      api,
      {
        headline: 'Keyed by what it shows',
        source: 'associated-press',
        credits: [{ source: 'associated-press' }],
        contributors: [{ person: 'davit-sargsyan' }],
        sections: [{ section: 'world/middle-east', primary: true }],
        tags: ['keyed-one', 'keyed-two'],
      },
      '2023-06-01T00:00:00.000Z',
    )
    const row = await db.prisma.article.findUniqueOrThrow({
      where: { id: made.id },
      include: { credits: true, contributors: true, sections: true, tags: { include: { tag: true } } },
    })
    const slug = row.slug
    const keysOf = async (url: string) => {
      const res = await app.inject(url)
      t.equal(res.statusCode, 200, url)
      return String(res.headers['surrogate-key']).split(' ')
    }
    const people = row.contributors.map((c) => `person:${c.personId}`)
    const sections = row.sections.map((s) => `section:${s.sectionId}`)
    const tags = row.tags.map((l) => `tag:${l.tag.slug}`)
    const sources = [`source:${row.sourceId}`, ...row.credits.map((c) => `source:${c.sourceId}`)]

    // Embedded records: their own changes show in the response.
    const embedded = await keysOf(`/v1/articles/${slug}?include=source,credits,contributors,sections,tags`)
    for (const key of [`article:${row.id}`, ...sources, ...people, ...sections, ...tags]) {
      t.ok(embedded.includes(key), `embedded: ${key}`)
    }
    // Ids and slugs alone: changing what the article links to is a new version of the article.
    const byId = await keysOf(`/v1/articles/${slug}?fields=headline,sourceId,credits,contributors,sections,tags`)
    t.same(byId, [`article:${row.id}`], 'only the article, for a view showing ids and slugs')
    const rights = await keysOf(`/v1/articles/${slug}?fields=rights`)
    t.same(rights.sort(), [`article:${row.id}`, ...new Set(sources)].sort(), 'rights: the credited sources')

    const list = `/v1/articles?limit=100&source=${row.sourceId}`
    t.same(await keysOf(`${list}&fields=headline,sourceId,tags,contributors,sections`), ['articles'])
    const embeddedList = await keysOf(`${list}&fields=headline&include=contributors,sections,tags`)
    for (const key of [...people, ...sections, ...tags]) t.ok(embeddedList.includes(key), `list, embedded: ${key}`)
    t.notOk(
      embeddedList.some((key) => key.startsWith('source:')),
      'no rights shown, none embedded: no source keys',
    )
  })
})

/** A driver adapter factory that counts every SQL statement sent to the database. */
function countingAdapter(inner: SqlDriverAdapterFactory, statements: string[]): SqlDriverAdapterFactory {
  const counted = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop) {
        const value = Reflect.get(obj, prop, obj)
        if (typeof value !== 'function') return value
        if (prop === 'queryRaw' || prop === 'executeRaw') {
          return (query: SqlQuery) => {
            statements.push(query.sql)
            return value.call(obj, query)
          }
        }
        if (prop === 'startTransaction') {
          return async (...args: unknown[]) => counted(await value.apply(obj, args))
        }
        return value.bind(obj)
      },
    })
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => counted(await inner.connect()),
  }
}

test('lists run a bounded number of queries (no N+1)', async (t) => {
  const { app, db, auth, database } = await build(t, { env })
  await seed(db.prisma)
  const api = client(app, auth)
  for (let i = 0; i < 22; i++) {
    await published(
      api,
      {
        headline: `Bulk story ${i}`,
        source: i % 2 ? 'panarmenian-net' : 'associated-press',
        credits: [{ source: 'associated-press' }, { source: 'panarmenian-net', role: 'partner' }],
        tags: [`bulk-${i}`, 'bulk', i % 2 ? 'odd' : 'even'],
      },
      new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
    )
  }

  // A second app on the same database whose Prisma client counts the SQL it sends.
  const statements: string[] = []
  const prisma = new PrismaClient({ adapter: countingAdapter(database.db.adapterFactory, statements) })
  // The response cache off: every read reaches the database and is counted.
  const counted = await build(t, {
    // Nor its background worker, whose queries would be counted with the request's.
    env: { ...env, RESPONSE_CACHE_MB: '0', WEBHOOK_WORKER: 'false' },
    database: { db: { ...database.db, prisma } },
  })
  t.teardown(() => prisma.$disconnect().catch(() => undefined))
  const queries = async (url: string) => {
    const before = statements.length
    const res = await counted.app.inject(url)
    t.equal(res.statusCode, 200, url)
    return { n: statements.length - before, sql: statements.slice(before), body: json<Page<SparseArticle>>(res) }
  }

  const small = await queries('/v1/articles?limit=2&include=source,credits,tags')
  const large = await queries('/v1/articles?limit=20&include=source,credits,tags')
  t.equal(small.body.data.length, 2)
  t.equal(large.body.data.length, 20)
  t.ok(
    large.body.data.every((a) => a.source && (a.credits ?? []).every((c) => c.source) && (a.tags ?? []).length === 3),
  )
  t.ok(small.n > 0, `queries counted (${small.n})`)
  t.equal(large.n, small.n, `20 articles cost what 2 do: ${large.sql.join('\n')}`)
  t.equal(large.n, 1, 'a page with its sources, credits and tags is one statement')

  const searchSmall = await queries('/v1/articles?limit=2&q=bulk&include=source,credits,tags&count=true')
  const searchLarge = await queries('/v1/articles?limit=20&q=bulk&include=source,credits,tags&count=true')
  t.equal(searchLarge.body.data.length, 20)
  t.equal(searchLarge.n, searchSmall.n, 'search with a count is bounded too')
  t.equal(searchLarge.n, 2, 'search with a count: the page and the count')
  // The bulk stories rank the same for "bulk": the id breaks the ties, across pages too.
  const relevance = await walk(t, api, 'q=bulk&sort=relevance&limit=3')
  t.equal(relevance.ids.length, 22)
  t.equal(new Set(relevance.ids).size, 22, 'relevance pages over equal ranks neither skip nor repeat')
  const bySource = await queries('/v1/sources/panarmenian-net/articles?limit=20&include=source,credits,tags')
  t.equal(bySource.n, large.n + 2, "a source's list adds the source's record and the lookup of its id")
  const byTags = await queries('/v1/articles?limit=20&tag=bulk&tag=odd&source=associated-press')
  t.equal(byTags.n, large.n + 1, 'tag and source filters add one lookup of their ids, whatever their number')
  const tagsSmall = await queries('/v1/tags?limit=2')
  const tagsLarge = await queries('/v1/tags?limit=30')
  t.equal(tagsLarge.n, tagsSmall.n, 'tag counts are one query, whatever the page size')
  const one = await queries(`/v1/articles/${seedSlug}?include=source,credits,tags`)
  t.equal(one.n, 1, 'one article with its relations is one statement')
})
