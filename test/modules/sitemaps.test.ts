// Sitemaps through HTTP: the index, month files, news, sections and people, valid against the
// sitemap XSDs (libxml2 in WebAssembly, offline), listing only what is public now; the split of a
// large month; bad file names; caching like the JSON reads.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'tap'
import { validateXML } from 'xmllint-wasm'
import { projectRoot } from '../../src/db/paths.js'
import { createSitemapsService } from '../../src/modules/sitemaps/sitemaps.service.js'
import { assertProblem, build, json, testClock } from '../helper.js'
import { env as articleEnv, client } from './articles.helpers.js'

const env = {
  ...articleEnv,
  PUBLIC_URL: 'https://api.example.com',
  PUBLIC_ARTICLE_URL: 'https://www.example.com/news/{yyyy}/{mm}/{slug}',
  PUBLIC_SECTION_URL: 'https://www.example.com/{path}',
  PUBLIC_PERSON_URL: 'https://www.example.com/people/{slug}',
  SITEMAP_NEWS_NAME: 'The Example Times',
}
const hour = 3600 * 1000
const base = 'https://api.example.com/v1/sitemaps'
const site = 'https://www.example.com'

const fixture = (name: string) => readFile(join(projectRoot, 'test', 'fixtures', 'sitemaps', name), 'utf8')
const sitemapXsd = () => readFile(join(projectRoot, 'node_modules', 'sitemap', 'schema', 'sitemap.xsd'), 'utf8')

/** The XSD's verdict on a sitemap: [] when valid, else libxml2's messages. */
async function xsdErrors(xml: string, kind: 'index' | 'urlset' | 'news'): Promise<string[]> {
  const sitemap = { fileName: 'sitemap.xsd', contents: await sitemapXsd() }
  const schema =
    kind === 'index'
      ? { fileName: 'siteindex.xsd', contents: await fixture('siteindex.xsd') }
      : kind === 'news'
        ? { fileName: 'urlset-news.xsd', contents: await fixture('urlset-news.xsd') }
        : sitemap
  const preload = kind === 'news' ? [sitemap, { fileName: 'news.xsd', contents: await fixture('news.xsd') }] : []
  const result = await validateXML({ xml: { fileName: 'file.xml', contents: xml }, schema, preload })
  return result.errors.map((e) => e.message)
}

const locs = (xml: string | Buffer) => [...String(xml).matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1])
const lastmods = (xml: string | Buffer) => [...String(xml).matchAll(/<lastmod>([^<]*)<\/lastmod>/g)].map((m) => m[1])

test('only public articles, with their public URLs and last public change, in valid files', async (t) => {
  const clock = testClock(new Date('2031-04-20T10:00:00.000Z'))
  const { app, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const publish = async (payload: object, publishAt?: string) => {
    const a = await api.draft({ body: 'Text.', ...payload })
    const res = await api.action(a.id, 'publish', publishAt ? { publishAt } : {})
    if (res.statusCode !== 200) throw new Error(res.body)
    return a
  }
  const post = async (url: string, payload: object) =>
    json<{ id: string }>(await app.inject({ method: 'POST', url, headers: auth, payload }))
  await publish({ headline: 'April story', slug: 'april-story' })
  const now = new Date('2031-05-10T12:00:00.000Z')
  clock.set(new Date(now.getTime() - 48 * hour))
  await publish({ headline: 'Edge story', slug: 'edge-story' })
  clock.set(new Date(now.getTime() - 24 * hour))
  const wire = await post('/v1/sources', { name: 'Wire & Co', kind: 'agency' })
  const fresh = await publish({ headline: 'Fresh <news>', slug: 'fresh-story', language: 'hy-AM', source: wire.id })
  await publish({ headline: 'Elsewhere', slug: 'elsewhere', canonicalUrl: 'https://other.example/elsewhere?a=1&b=2' })
  await api.draft({ headline: 'Draft', slug: 'draft-story' })
  const embargoedUntil = new Date(now.getTime() + 2 * hour).toISOString()
  await publish({ headline: 'Embargoed', slug: 'embargoed-story', embargoedUntil })
  await publish({ headline: 'Scheduled', slug: 'scheduled-story' }, new Date(now.getTime() + hour).toISOString())
  const killed = await publish({ headline: 'Killed', slug: 'killed-story' })
  const kill = { reason: 'Legal.', notice: 'Withdrawn.' }
  await app.inject({ method: 'POST', url: `/v1/articles/${killed.id}/kill`, headers: auth, payload: kill })
  const deleted = await publish({ headline: 'Deleted', slug: 'deleted-story' })
  await api.remove(deleted.id)
  await post('/v1/sections', { name: 'World' })
  await post('/v1/people', { name: 'Ana Writer' })
  clock.set(now)
  const get = (file: string) => app.inject({ url: `/v1/sitemaps/${file}` })

  await t.test('the index names every file, with absolute URLs', async (t) => {
    const res = await get('index.xml')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/xml; charset=utf-8')
    t.same(await xsdErrors(res.body, 'index'), [])
    t.same(locs(res.body), [
      `${base}/articles/2031-04.xml`,
      `${base}/articles/2031-05.xml`,
      `${base}/news.xml`,
      `${base}/sections.xml`,
      `${base}/people.xml`,
    ])
    t.equal(lastmods(res.body)[0], '2031-04-20T10:00:00.000Z')
    t.match(res.headers['surrogate-key'], /\barticles\b/)
    t.match(res.headers['surrogate-key'], /\bsitemaps\b/)
  })

  await t.test('a month file: public articles oldest first', async (t) => {
    const res = await get('articles/2031-05.xml')
    t.equal(res.statusCode, 200)
    t.same(await xsdErrors(res.body, 'urlset'), [])
    t.same(locs(res.body), [
      `${site}/news/2031/05/edge-story`,
      `${site}/news/2031/05/fresh-story`,
      'https://other.example/elsewhere?a=1&amp;b=2',
    ])
    t.same(lastmods(res.body), ['2031-05-08T12:00:00.000Z', '2031-05-09T12:00:00.000Z', '2031-05-09T12:00:00.000Z'])
    t.equal(res.headers['last-modified'], new Date('2031-05-09T12:00:00.000Z').toUTCString())
    t.same(locs((await get('articles/2031-04.xml')).body), [`${site}/news/2031/04/april-story`])
  })

  await t.test('news: the last 48 hours with publication, date and title', async (t) => {
    const res = await get('news.xml')
    t.equal(res.statusCode, 200)
    t.same(await xsdErrors(res.body, 'news'), [])
    t.same(locs(res.body), [
      'https://other.example/elsewhere?a=1&amp;b=2',
      `${site}/news/2031/05/fresh-story`,
      `${site}/news/2031/05/edge-story`,
    ])
    t.match(
      res.body,
      '<news:publication><news:name>Wire &amp; Co</news:name><news:language>hy</news:language></news:publication>' +
        '<news:publication_date>2031-05-09T12:00:00.000Z</news:publication_date><news:title>Fresh &lt;news&gt;</news:title>',
    )
    t.match(res.body, '<news:name>The Example Times</news:name><news:language>en</news:language>')
    clock.advance(1)
    const later = await get('news.xml')
    t.equal(later.headers.age, undefined, 'never from the response cache: time changes it')
    t.notMatch(later.body, 'edge-story', 'published 48 hours and 1 ms ago: out')
    t.match(later.body, fresh.slug)
    clock.set(now)
  })

  await t.test('sections and people', async (t) => {
    const sections = await get('sections.xml')
    t.same(await xsdErrors(sections.body, 'urlset'), [])
    t.same(locs(sections.body), [`${site}/world`])
    const people = await get('people.xml')
    t.same(await xsdErrors(people.body, 'urlset'), [])
    t.same(locs(people.body), [`${site}/people/ana-writer`])
    t.match(people.headers['surrogate-key'], /\bpeople\b/)
  })

  await t.test('nothing hidden: drafts, scheduled, embargoed, killed, deleted', async (t) => {
    const all = [
      ...(await Promise.all(['index.xml', 'articles/2031-05.xml', 'news.xml'].map(get))).map((r) => r.body),
    ].join('')
    for (const slug of ['draft-story', 'embargoed-story', 'scheduled-story', 'killed-story', 'deleted-story']) {
      t.notMatch(all, slug, slug)
    }
  })

  await t.test('a scheduled publication and an embargo lift appear with no write, lastmod their instant', async (t) => {
    clock.set(new Date(now.getTime() + 2 * hour))
    const res = await get('articles/2031-05.xml')
    t.same(await xsdErrors(res.body, 'urlset'), [])
    const found = Object.fromEntries(locs(res.body).map((loc, i) => [loc, lastmods(res.body)[i]]))
    t.equal(found[`${site}/news/2031/05/embargoed-story`], embargoedUntil)
    t.equal(found[`${site}/news/2031/05/scheduled-story`], new Date(now.getTime() + hour).toISOString())
    clock.set(now)
  })
})

test('a month larger than a file is split, each part listed in the index', async (t) => {
  const clock = testClock(new Date('2031-05-10T12:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  for (let i = 0; i < 5; i++) {
    const a = await api.draft({ headline: `Story ${i}`, slug: `story-${i}`, body: 'Text.' })
    await api.action(a.id, 'publish', {})
    clock.advance(60_000)
  }
  const sitemaps = createSitemapsService(db.prisma, {
    clock,
    publicUrl: env.PUBLIC_URL,
    urls: { article: env.PUBLIC_ARTICLE_URL },
    partSize: 2,
  })
  const index = await sitemaps.index()
  t.same(await xsdErrors(index.xml.toString(), 'index'), [])
  t.same(
    locs(index.xml).filter((l) => l?.includes('/articles/')),
    ['2031-05.xml', '2031-05-2.xml', '2031-05-3.xml'].map((f) => `${base}/articles/${f}`),
  )
  const part = async (name: string, part: number) =>
    locs((await sitemaps.month({ name, year: 2031, month: 5, part })).xml)
  t.same(
    await part('2031-05.xml', 1),
    [0, 1].map((i) => `${site}/news/2031/05/story-${i}`),
  )
  t.same(
    await part('2031-05-2.xml', 2),
    [2, 3].map((i) => `${site}/news/2031/05/story-${i}`),
  )
  t.same(await part('2031-05-3.xml', 3), [`${site}/news/2031/05/story-4`])
  const section = json<{ id: string }>(
    await app.inject({ method: 'POST', url: '/v1/sections', headers: auth, payload: { name: 'World' } }),
  )
  const filed = await api.draft({
    headline: 'Filed',
    slug: 'filed',
    body: 'Text.',
    sections: [{ sectionId: section.id }],
  })
  await api.action(filed.id, 'publish', {})
  const bySection = createSitemapsService(db.prisma, {
    clock,
    urls: { article: 'https://www.example.com/{section}/{slug}' },
  })
  const filedMonth = (await bySection.month({ name: '2031-05.xml', year: 2031, month: 5, part: 1 })).xml
  t.same(locs(filedMonth), [`${site}/world/filed`], '{section}: the primary section; an article without one left out')
  const beyond = await sitemaps.month({ name: '2031-05-4.xml', year: 2031, month: 5, part: 4 }).catch((e) => e)
  t.equal(beyond.statusCode, 404, 'a part past the last')
})

test('bad file names, empty files, missing configuration', async (t) => {
  const { app } = await build(t, { env })
  for (const file of ['2031-13.xml', '2031-00.xml', '1899-01.xml', '2031-5.xml', '2031-05-1.xml', '2031-05.json']) {
    assertProblem(t, await app.inject({ url: `/v1/sitemaps/articles/${file}` }), 400, 'ND_VALIDATION_FAILED')
  }
  for (const file of ['articles/2031-05.xml', 'articles/2031-05-2.xml', 'sections.xml', 'people.xml']) {
    assertProblem(t, await app.inject({ url: `/v1/sitemaps/${file}` }), 404, 'ND_NOT_FOUND')
  }
  const index = await app.inject({ url: '/v1/sitemaps/index.xml' })
  t.same(locs(index.body), [`${base}/news.xml`], 'an empty site: the index names news.xml alone')
  t.same(await xsdErrors(index.body, 'index'), [])
  const news = await app.inject({ url: '/v1/sitemaps/news.xml' })
  t.equal(news.statusCode, 200)
  t.same(locs(news.body), [], 'a quiet 48 hours: an empty urlset')
  const bare = await build(t, { env: articleEnv, database: undefined })
  const problem = assertProblem(t, await bare.app.inject({ url: '/v1/sitemaps/index.xml' }), 404, 'ND_NOT_FOUND')
  t.match(problem.detail, 'PUBLIC_URL')
  assertProblem(t, await bare.app.inject({ url: '/v1/sitemaps/people.xml' }), 404, 'ND_NOT_FOUND')
})

test('cached and revalidated like the JSON reads, purged by a write', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = client(app, auth)
  const a = await api.draft({ headline: 'Cached', slug: 'cached-story', body: 'Text.' })
  await api.action(a.id, 'publish', {})
  // On a server, the write's notification may arrive after a read was cached: wait for it.
  await db.prisma.$executeRawUnsafe('NOTIFY newsdesk_content')
  await new Promise((resolve) => setTimeout(resolve, 100))
  const first = await app.inject({ url: '/v1/sitemaps/index.xml' })
  t.equal(first.statusCode, 200)
  t.equal(first.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
  t.ok(first.headers.etag)
  const hit = await app.inject({ url: '/v1/sitemaps/index.xml' })
  t.ok(hit.headers.age !== undefined, 'served from the response cache')
  t.equal(hit.body, first.body)
  const revalidated = await app.inject({
    url: '/v1/sitemaps/index.xml',
    headers: { 'if-none-match': String(first.headers.etag) },
  })
  t.equal(revalidated.statusCode, 304)
  t.equal(revalidated.body, '')
  await new Promise((resolve) => setTimeout(resolve, 5))
  await api.patch(a.id, { headline: 'Cached, changed' })
  const after = await app.inject({ url: '/v1/sitemaps/index.xml' })
  t.equal(after.headers.age, undefined, 'the write emptied the cache')
  t.not(after.headers.etag, first.headers.etag, 'lastmod moved')
})

test("a month's URLs are the articles' own url, whatever placeholders the template uses", async (t) => {
  const clock = testClock(new Date('2031-04-30T23:30:00.000Z'))
  const template = 'https://www.example.com/{yyyy}/{mm}/{dd}/{section}/{id}/{slug}'
  const { app, auth } = await build(t, { clock, env: { ...env, PUBLIC_ARTICLE_URL: template } })
  const api = client(app, auth)
  const section = json<{ id: string }>(
    await app.inject({ method: 'POST', url: '/v1/sections', headers: auth, payload: { name: 'World' } }),
  )
  const sections = [{ sectionId: section.id }]
  // First published on the last day of April (UTC), republished in May: the URL keeps April's date.
  const moved = await api.draft({ headline: 'Moved', slug: 'moved', body: 'Text.', sections })
  await api.action(moved.id, 'publish', {})
  await api.action(moved.id, 'unpublish', {})
  clock.set(new Date('2031-05-02T08:00:00.000Z'))
  await api.action(moved.id, 'publish', {})
  const plain = await api.draft({ headline: 'Plain', slug: 'plain', body: 'Text.', sections })
  await api.action(plain.id, 'publish', {})
  const canonical = await api.draft({ headline: 'Elsewhere', body: 'Text.', canonicalUrl: 'https://other.example/x' })
  await api.action(canonical.id, 'publish', {})
  const urls = await Promise.all(
    [moved, plain, canonical].map(async (a) => json<{ url: string }>(await api.get(a.id)).url),
  )
  t.match(urls[0], '/2031/04/30/world/', "the first publication's UTC date")
  const res = await app.inject('/v1/sitemaps/articles/2031-05.xml')
  t.equal(res.statusCode, 200)
  t.same(locs(res.body), urls, 'each <loc> is the url the article itself shows')
})
