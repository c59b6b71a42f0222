// Article feeds: every field of an item in RSS, Atom and JSON Feed, read back with a feed parser;
// filters and limits; caching as the JSON reads (ETag/304, Surrogate-Key, the response cache and
// its purge); what never appears; partner keys; hostile headlines; discovery links.
import t from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { assertProblem, createKey, json } from '../helper.js'
import { atomParser, feedApp, rssParser } from './feeds.helpers.js'

type Node = { _?: string; $: Record<string, string> } & Record<string, unknown>
interface JsonItem {
  id: string
  url: string
  title: string
  summary?: string
  content_html?: string
  content_text?: string
  image?: string
  date_published: string
  date_modified: string
  authors?: { name: string }[]
  tags?: string[]
  _newsdesk?: { credit_line: string | null; image_credit: string | null }
}
interface JsonFeed {
  version: string
  title: string
  home_page_url: string
  feed_url: string
  items: JsonItem[]
}

t.test('article feeds', async (t) => {
  const { app, db, post, publish, get, auth, database } = await feedApp(t)
  const person = await post<{ slug: string }>('/v1/people', { name: 'Anna Hakobyan' })
  const section = await post<{ path: string }>('/v1/sections', { name: 'World & more' })
  const wire = await post<{ slug: string }>('/v1/sources', {
    name: 'Wire & Co',
    kind: 'agency',
    creditLine: '© {year} {source}',
    redistribution: 'forbidden',
  })
  const lead = await publish({
    headline: 'Iraq to share intelligence',
    summary: 'Iraq will share "security" information',
    body: 'Hello **world**',
    tags: ['iraq'],
    contributors: [{ person: person.slug, role: 'author' }],
    sections: [{ section: section.path, primary: true }],
    credits: [{ source: wire.slug }],
    leadImage: { url: 'https://img.example.com/a.jpg?x=1&y=2', caption: 'A caption', credit: 'Photo & Co' },
  })
  const older = await publish(
    { headline: 'An older story about comets', summary: 'Comets', bylines: ['Staff'], tags: ['comets'] },
    '2026-11-28T12:00:00.000Z',
  )
  const settle = async () => {
    // On a server, the write's notification may arrive after a read was cached: wait for it.
    await database.db.prisma.$executeRawUnsafe('NOTIFY newsdesk_content')
    await new Promise((r) => setTimeout(r, 100))
  }
  const link = `https://news.example.com/2026/11/29/${lead.slug}`

  await t.test('RSS 2.0: every field of an item', async (t) => {
    const res = await get('/v1/feeds/articles.rss?content=full')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/rss+xml; charset=utf-8')
    const feed = await rssParser.parseString(res.body)
    t.equal(feed.title, 'Articles')
    t.equal(feed.link, 'https://news.example.com/', 'the site: the origin of PUBLIC_ARTICLE_URL')
    t.equal(feed.feedUrl, 'https://api.example.com/v1/feeds/articles.rss?content=full', 'self link under PUBLIC_URL')
    t.same(
      feed.items.map((i) => i.guid),
      [lead.id, older.id],
      'newest first',
    )
    const item = feed.items[0] as Record<string, unknown>
    t.equal(item.title, lead.headline)
    t.equal(item.link, link, 'the public URL from PUBLIC_ARTICLE_URL')
    t.equal(item.guid, lead.id)
    t.match(res.body, `<guid isPermaLink="false">${lead.id}</guid>`)
    t.equal(item.isoDate, '2026-11-29T12:00:00.000Z', 'published')
    t.equal(item.description, 'Iraq will share &quot;security&quot; information', 'the summary, as HTML')
    t.equal(item.contentEncoded, '<p>Hello <strong>world</strong></p>', 'content=full: the body HTML')
    t.same(item.authors, ['Anna Hakobyan'])
    t.same(
      (item.categoryElements as Node[]).map((c) => [c.$.domain, c._]),
      [
        ['section', 'World & more'],
        ['tag', 'Iraq'],
      ],
    )
    t.match(item.rights, /^© \d{4} Wire & Co$/, 'the credit line')
    t.same(item.enclosure, { url: 'https://img.example.com/a.jpg?x=1&y=2', length: '0', type: 'image/jpeg' })
    const media = item.mediaContent as Node
    t.equal(media.$.url, 'https://img.example.com/a.jpg?x=1&y=2')
    t.equal(media.$.medium, 'image')
    t.same(media['media:credit'], ['Photo & Co'], 'the image credit')
    t.same(media['media:description'], ['A caption'])
    const second = feed.items[1] as Record<string, unknown>
    t.same(second.authors, ['Staff'], 'no author contributors: the bylines')
    t.equal(second.link, `https://news.example.com/2026/11/28/${older.slug}`)
    t.equal(second.contentEncoded, '<p>A body</p>')
    t.notOk(second.enclosure, 'no lead image: no enclosure')
    t.notOk(second.mediaContent)
    const summary = await rssParser.parseString((await get('/v1/feeds/articles.rss')).body)
    t.notOk((summary.items[0] as Record<string, unknown>).contentEncoded, 'content=summary (default): no body')
  })

  await t.test('Atom 1.0: every field of an entry', async (t) => {
    const res = await get('/v1/feeds/articles.atom?content=full')
    t.equal(res.headers['content-type'], 'application/atom+xml; charset=utf-8')
    const feed = await atomParser.parseString(res.body)
    t.equal(feed.link, 'https://news.example.com/')
    t.equal(feed.feedUrl, 'https://api.example.com/v1/feeds/articles.atom?content=full')
    t.match(res.body, '<id>https://api.example.com/v1/feeds/articles.atom?content=full</id>')
    const entry = feed.items[0] as Record<string, unknown>
    t.equal(entry.id, `urn:uuid:${lead.id}`)
    t.equal(entry.title, lead.headline)
    t.equal(entry.link, link)
    t.equal(entry.published, '2026-11-29T12:00:00.000Z')
    t.equal(entry.updated, lead.updatedAt)
    t.equal(entry.summaryHtml, 'Iraq will share &quot;security&quot; information')
    t.equal(entry.contentHtml, '<p>Hello <strong>world</strong></p>')
    t.equal(entry.author, 'Anna Hakobyan')
    t.same(
      (entry.categoryElements as Node[]).map((c) => ({ ...c.$ })),
      [
        { term: section.path, label: 'World & more' },
        { term: 'iraq', label: 'Iraq' },
      ],
    )
    t.match(entry.rights, /^© \d{4} Wire & Co$/)
    t.same(
      { ...(entry.links as Node[])[1]?.$ },
      {
        rel: 'enclosure',
        href: 'https://img.example.com/a.jpg?x=1&y=2',
        type: 'image/jpg',
      },
    )
  })

  await t.test('JSON Feed 1.1: every field of an item', async (t) => {
    const res = await get('/v1/feeds/articles.json?content=full')
    t.equal(res.headers['content-type'], 'application/feed+json; charset=utf-8')
    const feed = json<JsonFeed>(res)
    t.equal(feed.version, 'https://jsonfeed.org/version/1.1')
    t.equal(feed.home_page_url, 'https://news.example.com/')
    t.equal(feed.feed_url, 'https://api.example.com/v1/feeds/articles.json?content=full')
    const item = feed.items[0] as JsonItem
    t.match(item, {
      id: lead.id,
      url: link,
      title: lead.headline,
      summary: 'Iraq will share "security" information',
      content_html: '<p>Hello <strong>world</strong></p>',
      image: 'https://img.example.com/a.jpg?x=1&y=2',
      date_published: '2026-11-29T12:00:00.000Z',
      date_modified: lead.updatedAt,
      authors: [{ name: 'Anna Hakobyan' }],
      tags: ['World & more', 'Iraq'],
      _newsdesk: { credit_line: /^© \d{4} Wire & Co$/, image_credit: 'Photo & Co' },
    })
    t.notOk('author' in item, 'JSON Feed 1.1 names authors')
    const summary = json<JsonFeed>(await get('/v1/feeds/articles.json')).items[0] as JsonItem
    t.equal(summary.content_html, undefined)
    t.equal(summary.content_text, 'Iraq will share "security" information')
  })

  await t.test('the list’s filters, limit and bad input', async (t) => {
    const guids = async (query: string) =>
      (await rssParser.parseString((await get(`/v1/feeds/articles.rss?${query}`)).body)).items.map((i) => i.guid)
    t.same(await guids('tag=comets'), [older.id])
    t.same(await guids('tag=comets&tag=iraq'), [lead.id, older.id])
    t.same(await guids(`source=${wire.slug}`), [], 'the publishing source')
    t.same(await guids(`credit=${wire.slug}`), [lead.id], 'the credited source')
    t.same(await guids(`person=${person.slug}`), [lead.id])
    t.same(await guids(`section=${section.path}`), [lead.id])
    t.same(await guids('language=en'), [lead.id, older.id])
    t.same(await guids('q=comets'), [older.id])
    t.same(await guids('limit=1'), [lead.id])
    const title = (await rssParser.parseString((await get('/v1/feeds/articles.rss?tag=comets')).body)).title
    t.equal(title, 'Articles (tag comets)')
    assertProblem(t, await get('/v1/feeds/articles.rss?limit=101'), 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, await get('/v1/feeds/articles.atom?limit=0'), 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, await get('/v1/feeds/articles.json?status=draft'), 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, await get('/v1/feeds/articles.rss?content=everything'), 400, 'ND_VALIDATION_FAILED')
  })

  await t.test('cached as the JSON reads: ETag and 304, Surrogate-Key, the response cache and its purge', async (t) => {
    await settle()
    const url = '/v1/feeds/articles.rss?tag=iraq'
    const first = await get(url)
    t.match(first.headers['cache-control'], /^public, max-age=60/)
    const keys = String(first.headers['surrogate-key']).split(' ')
    t.equal(keys[0], 'articles', 'purged with every article list')
    t.notOk(keys.includes(`article:${lead.id}`), 'no key per article: `articles` is purged by every article change')
    t.ok(keys.includes('tag:iraq'), 'the records the items show')
    t.ok(first.headers['last-modified'])
    const etag = String(first.headers.etag)
    t.match(etag, /^"[^"]+"$/)
    const again = await get(url)
    t.ok(again.headers.age !== undefined, 'a hit of the response cache')
    t.equal(again.body, first.body)
    t.equal((await get(url, { 'if-none-match': etag })).statusCode, 304)
    const changed = await app.inject({
      method: 'PATCH',
      url: `/v1/articles/${lead.id}`,
      headers: auth,
      payload: { headline: 'Iraq to share intelligence, updated' },
    })
    t.equal(changed.statusCode, 200)
    await settle()
    const after = await get(url)
    t.equal(after.headers.age, undefined, 'the write emptied the cache')
    t.match(after.body, 'Iraq to share intelligence, updated')
    t.not(after.headers.etag, etag)
    t.equal((await get(url, { 'if-none-match': etag })).statusCode, 200)
  })

  await t.test('only public content: drafts, scheduled, embargoed, killed and deleted never appear', async (t) => {
    const draft = await post<Article>('/v1/articles', { headline: 'Draft secret', body: 'x', tags: ['hidden'] })
    await publish({ headline: 'Scheduled secret', tags: ['hidden'] }, '2099-01-01T00:00:00.000Z')
    const embargoed = await post<Article>('/v1/articles', {
      headline: 'Embargoed secret',
      body: 'x',
      tags: ['hidden'],
      embargoedUntil: '2099-01-01T00:00:00.000Z',
    })
    await post(`/v1/articles/${embargoed.id}/publish`, {}, { ...auth, 'if-match': '"v1"' })
    const killed = await publish({ headline: 'Killed secret', tags: ['hidden'] })
    const deleted = await publish({ headline: 'Deleted secret', tags: ['hidden'] })
    const kill = await app.inject({
      method: 'POST',
      url: `/v1/articles/${killed.id}/kill`,
      headers: auth,
      payload: { reason: 'Legal', notice: 'Withdrawn.' },
    })
    t.ok(kill.statusCode < 300, 'killed')
    const removed = await app.inject({ method: 'DELETE', url: `/v1/articles/${deleted.id}`, headers: auth })
    t.equal(removed.statusCode, 204)
    await settle()
    const preview = (await createKey(db, ['content:preview'])).headers
    const reader = (await createKey(db, ['content:read'])).headers
    for (const headers of [{}, reader]) {
      for (const format of ['rss', 'atom', 'json']) {
        const body = (await get(`/v1/feeds/articles.${format}?limit=100&content=full`, headers)).body
        t.notMatch(body, /secret/, `${format}: nothing hidden`)
      }
    }
    const previewed = (await get('/v1/feeds/articles.rss?limit=100', preview)).body
    t.notMatch(previewed, /(Draft|Scheduled|Killed|Deleted) secret/, 'a preview key: still no draft or scheduled')
    t.notMatch((await get('/v1/feeds/articles.rss?limit=100', auth)).body, /(Draft|Scheduled) secret/, 'nor a writer')
    t.ok(draft.id)
    const embargoKey = (await createKey(db, ['content:embargoed'])).headers
    const early = await get('/v1/feeds/articles.rss?tag=hidden', embargoKey)
    t.notMatch(early.body, 'Embargoed secret', 'not even to content:embargoed keys: feeds are for republishing')
    t.equal(early.headers['cache-control'], 'private, no-store')
    t.equal(early.headers.age, undefined)
  })

  await t.test('partner keys get no body of an article that is not syndicatable', async (t) => {
    const partner = (await createKey(db, ['content:syndicate'])).headers
    const open = await publish({ headline: 'Open story', body: 'Open **body**', tags: ['partners'] })
    await settle()
    for (const url of ['/v1/feeds/articles.json?content=full', '/v1/feeds/articles.json?content=full&tag=partners']) {
      const items = json<JsonFeed>(await get(url, partner)).items
      const closed = items.find((i) => i.id === lead.id)
      if (closed) {
        t.equal(closed.content_html, undefined, 'withheld: summary only')
        t.equal(closed.content_text, 'Iraq will share "security" information')
      }
      t.equal(items.find((i) => i.id === open.id)?.content_html, '<p>Open <strong>body</strong></p>')
    }
    const rss = (await get('/v1/feeds/articles.rss?content=full', partner)).body
    t.notMatch(rss, 'Hello <strong>world</strong>')
    t.match((await get('/v1/feeds/articles.rss?content=full')).body, 'Hello <strong>world</strong>', 'others do')
  })
})

t.test('hostile headlines: escaped, well-formed, readable back', async (t) => {
  const { publish, get } = await feedApp(t)
  const headline = 'A <script>alert(1)</script> & ]]> twice ]]> \u0001\u0008\u000B\uFFFE done 😀'
  const kept = 'A <script>alert(1)</script> & ]]> twice ]]>  done 😀'
  const a = await publish({ headline, summary: '<img src=x onerror=alert(1)> ]]>', body: 'x', tags: ['hostile'] })
  const rss = await get('/v1/feeds/articles.rss?content=full')
  t.notMatch(rss.body, '<script>alert(1)</script>]]>', 'no raw markup outside CDATA')
  const rssItem = (await rssParser.parseString(rss.body)).items[0] as Record<string, unknown>
  t.equal(rssItem.title, kept, 'RSS title: plain text, control characters dropped, emoji kept')
  t.equal(rssItem.description, '&lt;img src=x onerror=alert(1)&gt; ]]&gt;', 'the summary escaped as HTML')
  const atom = (await atomParser.parseString((await get('/v1/feeds/articles.atom')).body)).items[0] as Record<
    string,
    unknown
  >
  t.equal(
    atom.title,
    'A &lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt; twice ]]&gt;  done 😀',
    'Atom type="html" title: the headline escaped as HTML',
  )
  const item = json<JsonFeed>(await get('/v1/feeds/articles.json')).items[0] as JsonItem
  t.equal(item.id, a.id)
  t.equal(item.title, a.headline, 'JSON keeps the headline as it is')
  t.equal(a.headline, headline)
})

t.test('discovery: the JSON list links its feeds with the same filters', async (t) => {
  const { get } = await feedApp(t)
  const res = await get('/v1/articles?tag=iraq&tag=syria&q=oil&limit=5&fields=slug')
  const links = String(res.headers.link).split(', ')
  t.same(links, [
    '<https://api.example.com/v1/feeds/articles.rss?tag=iraq&tag=syria&q=oil>; rel="alternate"; type="application/rss+xml"',
    '<https://api.example.com/v1/feeds/articles.atom?tag=iraq&tag=syria&q=oil>; rel="alternate"; type="application/atom+xml"',
    '<https://api.example.com/v1/feeds/articles.json?tag=iraq&tag=syria&q=oil>; rel="alternate"; type="application/feed+json"',
  ])
  const again = await get('/v1/articles?tag=iraq&tag=syria&q=oil&limit=5&fields=slug')
  t.equal(again.headers.link, res.headers.link, 'kept by the response cache')
  const source = await get('/v1/sources/some-source/articles')
  t.equal(source.statusCode, 404)
})
