// Box feeds: a collection's visible teasers as RSS, Atom and JSON Feed, articles and teasers that
// link out; hidden teasers never appear; cached, purged and timed as the box read.
import t from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { assertProblem, json } from '../helper.js'
import { atomParser, feedApp, rssParser } from './feeds.helpers.js'

interface JsonFeed {
  version: string
  title: string
  items: { id: string; url: string; title: string; summary?: string; _newsdesk?: { credit_line: string | null } }[]
}

t.test('collection feeds', async (t) => {
  const { app, post, publish, get, auth, clock, database } = await feedApp(t)
  const settle = async () => {
    await database.db.prisma.$executeRawUnsafe('NOTIFY newsdesk_content')
    await new Promise((r) => setTimeout(r, 100))
  }
  await post('/v1/collections', { key: 'front', title: 'Top stories', description: 'The front page' })
  const partner = await post<{ id: string }>('/v1/sources', { name: 'Partner Daily', kind: 'publisher' })
  const story = await publish({ headline: 'Lead story', summary: 'The lead', tags: ['lead'] })
  const draft = await post<Article>('/v1/articles', { headline: 'Draft secret', body: 'x' })
  const add = (payload: object) => post<{ id: string }>('/v1/collections/front/teasers', payload)
  await add({ text: 'Read the lead', title: 'Lead story, as the box titles it', articleId: story.id })
  const external = await add({
    text: 'A partner story',
    title: 'Partner headline',
    url: 'https://partner.example.org/story?id=1&ref=newsdesk',
    sourceId: partner.id,
  })
  await add({ text: 'Hidden draft', articleId: draft.id })
  const later = new Date(clock().getTime() + 30_000).toISOString()
  await add({ text: 'Soon secret', url: 'https://partner.example.org/soon', startsAt: later })
  await settle()

  await t.test('RSS: the article and the teaser linking out, in order; hidden teasers never', async (t) => {
    const res = await get('/v1/feeds/collections/front.rss')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/rss+xml; charset=utf-8')
    t.notMatch(res.body, /secret/i)
    const feed = await rssParser.parseString(res.body)
    t.equal(feed.title, 'Top stories')
    t.equal(feed.description, 'The front page')
    t.equal(feed.feedUrl, 'https://api.example.com/v1/feeds/collections/front.rss')
    t.same(
      feed.items.map((i) => [i.guid, i.title, i.link]),
      [
        [story.id, 'Lead story, as the box titles it', `https://news.example.com/2026/11/29/${story.slug}`],
        [external.id, 'Partner headline', 'https://partner.example.org/story?id=1&ref=newsdesk'],
      ],
    )
    const out = feed.items[1] as Record<string, unknown>
    t.equal(out.description, 'A partner story')
    t.equal(out.rights, 'Partner Daily', 'its source as the credit line')
    // A window opens in 30 seconds: shared caches keep the feed no longer than that.
    t.match(res.headers['cache-control'], /^public, max-age=(2\d|30), stale-while-revalidate=0$/)
    t.match(String(res.headers['surrogate-key']), /^collection:front articles /)
  })

  await t.test('Atom and JSON Feed', async (t) => {
    const atom = await atomParser.parseString((await get('/v1/feeds/collections/front.atom')).body)
    t.same(
      atom.items.map((i) => (i as Record<string, unknown>).id),
      [`urn:uuid:${story.id}`, `urn:uuid:${external.id}`],
    )
    t.equal(atom.items[1]?.link, 'https://partner.example.org/story?id=1&ref=newsdesk')
    const res = await get('/v1/feeds/collections/front.json')
    t.equal(res.headers['content-type'], 'application/feed+json; charset=utf-8')
    const feed = json<JsonFeed>(res)
    t.equal(feed.title, 'Top stories')
    t.match(feed.items, [
      { id: story.id, title: 'Lead story, as the box titles it' },
      {
        id: external.id,
        url: 'https://partner.example.org/story?id=1&ref=newsdesk',
        summary: 'A partner story',
        _newsdesk: { credit_line: 'Partner Daily' },
      },
    ])
  })

  await t.test('cached and purged as the box', async (t) => {
    clock.advance(60_000)
    await settle()
    const url = '/v1/feeds/collections/front.json'
    const first = await get(url)
    t.match(
      json<JsonFeed>(first).items.map((i) => i.title),
      ['Lead story, as the box titles it', 'Partner headline', 'Soon secret'],
      'the window opened',
    )
    const hit = await get(url)
    t.ok(hit.headers.age !== undefined, 'from the response cache')
    t.equal((await get(url, { 'if-none-match': String(first.headers.etag) })).statusCode, 304)
    const killed = await app.inject({
      method: 'POST',
      url: `/v1/articles/${story.id}/kill`,
      headers: auth,
      payload: { reason: 'Legal', notice: 'Withdrawn.' },
    })
    t.ok(killed.statusCode < 300)
    await settle()
    const after = await get(url)
    t.equal(after.headers.age, undefined)
    t.notMatch(after.body, story.id, 'a killed article leaves the feed')
  })

  await t.test('an unknown collection is a 404 problem; bad input a 400', async (t) => {
    assertProblem(t, await get('/v1/feeds/collections/nothing-here.rss'), 404, 'ND_NOT_FOUND')
    assertProblem(t, await get('/v1/feeds/collections/front.rss?limit=5'), 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, await get('/v1/feeds/collections/Not_A_Key.atom'), 400, 'ND_VALIDATION_FAILED')
  })
})
