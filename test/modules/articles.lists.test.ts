// Article lists through HTTP: order, keyset pagination (also while articles are published between
// pages), filters, full-text search and snippets, fields/include/count, tag counts, per-source
// lists, HTTP caching, and a bounded number of SQL queries per list.
import type { SqlDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils'
import { type Test, test } from 'tap'
import { PrismaClient } from '../../src/generated/prisma/client.js'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, createKey, json, type Page, testClock } from '../helper.js'
import { assertProblem, client, env, type Headers, pointers, seedSlug, type TagCount } from './articles.helpers.js'

type Api = ReturnType<typeof client>

/** Creates an article and publishes it at the given time (in the past for the test clock). */
async function published(api: Api, payload: object, publishAt: string): Promise<Article> {
  const a = await api.draft({ body: 'Body.', ...payload })
  const res = await api.action(a.id, 'publish', { publishAt })
  if (res.statusCode !== 200) throw new Error(`publish failed: ${res.body}`)
  return json<Article>(res)
}

/** Newest published first; the id breaks ties; unpublished (no publish time) last. */
function byPublishedDesc(a: Article, b: Article): number {
  const pa = a.publishedAt ?? ''
  const pb = b.publishedAt ?? ''
  if (pa !== pb) return pa < pb ? 1 : -1
  return a.id < b.id ? 1 : -1
}

/** Follows nextCursor from the first page to the last; returns the ids in the order served. */
async function walk(t: Test, api: Api, query: string, headers: Headers = {}) {
  const ids: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const { res, page }: Awaited<ReturnType<Api['list']>> = await api.list(
      `${query}${cursor ? `&cursor=${cursor}` : ''}`,
      headers,
    )
    t.equal(res.statusCode, 200, `${query} page ${pages + 1}`)
    ids.push(...page.data.map((a) => a.id))
    if (page.page.nextCursor) t.match(String(res.headers.link), /rel="next"/)
    else t.notOk(res.headers.link, 'no Link on the last page')
    cursor = page.page.nextCursor
    pages++
  } while (cursor && pages < 50)
  return { ids, pages }
}

test('article lists', async (t) => {
  const clock = testClock(new Date('2031-01-01T00:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  await seed(db.prisma)
  const api = client(app, auth)
  const reader = (await createKey(db, ['content:read'])).headers
  const previewer = (await createKey(db, ['content:preview'])).headers

  const armenian = await published(
    api,
    { headline: 'Yerevan story', language: 'hy', source: 'panarmenian-net', tags: ['armenia'] },
    '2023-01-01T00:00:00.000Z',
  )
  const russian = await published(
    api,
    {
      headline: 'Moscow wire',
      language: 'ru',
      source: 'associated-press',
      credits: [{ source: 'associated-press' }],
      tags: ['russia'],
    },
    '2023-02-01T00:00:00.000Z',
  )
  const tieA = await published(api, { headline: 'Tie A' }, '2023-03-01T00:00:00.000Z')
  const tieB = await published(api, { headline: 'Tie B' }, '2023-03-01T00:00:00.000Z')
  const draft = await api.draft({ headline: 'Draft in lists', tags: ['iraq', 'armenia'] })
  const scheduled = await api.draft({ headline: 'Scheduled in lists', body: 'Body.', tags: ['armenia'] })
  await api.action(scheduled.id, 'publish', { publishAt: '2031-06-01T00:00:00.000Z' })
  const archived = await published(api, { headline: 'Archived in lists' }, '2023-04-01T00:00:00.000Z')
  await api.action(archived.id, 'archive')

  const preview = (await api.list('limit=100', auth)).page.data
  const seedArticle = preview.find((a) => a.slug === seedSlug) as Article
  const visible = preview.filter((a) => a.status === 'published').sort(byPublishedDesc)
  const slugsOf = (articles: { id: string }[]) =>
    articles.map((a) => preview.find((p) => p.id === a.id)?.slug ?? `unknown ${a.id}`)
  const list = async (query: string, headers: Headers = {}) => {
    const { res, page } = await api.list(query, headers)
    if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`)
    return page
  }

  await t.test('default order: newest published first, public articles only', async (t) => {
    const all = await list('limit=100')
    t.equal(all.data.length, 9, 'five seed articles and four published here')
    t.same(slugsOf(all.data), slugsOf(visible))
    t.same(
      all.data.map((a) => a.status),
      Array(9).fill('published'),
    )
    const [first, second] = all.data
    t.same([first?.id, second?.id], [tieB.id, tieA.id].sort().reverse(), 'a publish-time tie is ordered by id')
    t.equal(all.page.nextCursor, null)
    t.same(slugsOf((await list('limit=100', reader)).data), slugsOf(visible), 'content:read sees the same')
    const previewAll = await list('limit=100', previewer)
    t.same(
      previewAll.data.map((a) => a.id),
      [...preview].sort(byPublishedDesc).map((a) => a.id),
      'preview: every status, drafts (no publish time) last',
    )
    t.ok(previewAll.data.some((a) => a.id === draft.id))
    t.equal(previewAll.data.at(-1)?.id, draft.id)
    t.equal((await list('')).page.limit, 20, 'default limit')
  })

  await t.test('cursor pagination neither skips nor repeats', async (t) => {
    for (const [query, headers, expected] of [
      ['limit=2', {}, visible.map((a) => a.id)],
      ['limit=1', {}, visible.map((a) => a.id)],
      ['limit=3', previewer, [...preview].sort(byPublishedDesc).map((a) => a.id)],
      ['limit=2&tag=armenia', previewer, [scheduled.id, armenian.id, draft.id]],
    ] as const) {
      const { ids } = await walk(t, api, query, headers)
      t.same(ids, expected, `walk ${query}`)
    }
    const first = await api.list('limit=2')
    const link = String(first.res.headers.link)
    t.match(link, /^<\/v1\/articles\?limit=2&cursor=[A-Za-z0-9_-]+>; rel="next"$/)
  })

  await t.test('a walk stays consistent while articles are published between pages', async (t) => {
    const seen: string[] = []
    const page1 = await list('limit=3')
    seen.push(...page1.data.map((a) => a.id))
    t.equal(page1.data[2]?.id, russian.id)
    // The cursor sits after the third article (2023-02-01). One article is published before that
    // position (older: it belongs to the pages still to come) and one after it (newer).
    const older = await published(api, { headline: 'Published mid-walk, older' }, '2022-12-01T00:00:00.000Z')
    const newer = await published(api, { headline: 'Published mid-walk, newer' }, '2024-01-01T00:00:00.000Z')
    const page2 = await list(`limit=3&cursor=${page1.page.nextCursor}`)
    seen.push(...page2.data.map((a) => a.id))
    t.same(
      page2.data.map((a) => a.id),
      [armenian.id, older.id, visible[4]?.id],
    )
    // One more at exactly the time of the last row served: its newer id sorts it before that row,
    // so it is behind the position too.
    const tie = await published(api, { headline: 'Published mid-walk, tie' }, page2.data[2]?.publishedAt as string)
    let cursor = page2.page.nextCursor
    while (cursor) {
      const page = await list(`limit=3&cursor=${cursor}`)
      seen.push(...page.data.map((a) => a.id))
      cursor = page.page.nextCursor
    }
    t.equal(new Set(seen).size, seen.length, 'no article is served twice')
    t.notOk(seen.includes(newer.id), 'an article newer than the position does not appear in later pages')
    t.notOk(seen.includes(tie.id), 'nor one at the position with a newer id')
    t.equal(seen.filter((id) => id === older.id).length, 1, 'an older one appears once, in its place')
    t.same(
      seen.filter((id) => id !== older.id),
      visible.map((a) => a.id),
      'nothing that was there is skipped',
    )
    const now = await list('limit=100')
    t.same(
      now.data.slice(0, 1).map((a) => a.id),
      [newer.id],
    )
    // Delete the extra articles so that the other subtests see the fixed data set.
    for (const a of [older, newer, tie]) t.equal((await api.remove(a.id)).statusCode, 204)
    t.same(slugsOf((await list('limit=100')).data), slugsOf(visible))
  })

  await t.test('filters', async (t) => {
    const ids = async (query: string, headers: Headers = {}) =>
      (await list(`limit=100&${query}`, headers)).data.map((a) => a.id)
    const pan = visible.filter((a) => a.id !== russian.id).map((a) => a.id)
    t.same(
      await ids('source=panarmenian-net'),
      pan.filter((id) => ![tieA.id, tieB.id].includes(id)),
    )
    t.same(await ids(`source=${seedArticle.sourceId}`), await ids('source=panarmenian-net'), 'source by id')
    t.same(await ids('source=associated-press'), [russian.id])
    t.same(await ids('source=nobody'), [])
    t.same(await ids('credit=associated-press'), [russian.id, seedArticle.id])
    t.same(
      await ids('tag=azerbaijan'),
      visible.filter((a) => (a.tags as string[]).includes('azerbaijan')).map((a) => a.id),
    )
    t.equal((await ids('tag=azerbaijan')).length, 2)
    t.same(await ids('tag=armenia'), [armenian.id])
    t.same(
      await ids('tag=armenia&tag=azerbaijan&tag=no-such-tag'),
      visible.filter((a) => (a.tags as string[]).some((s) => ['armenia', 'azerbaijan'].includes(s))).map((a) => a.id),
      'several tags: any of them',
    )
    t.same(await ids('tag=armenia', previewer), [scheduled.id, armenian.id, draft.id])
    t.same(await ids('tag=no-such-tag'), [])
    t.same(await ids('language=hy'), [armenian.id])
    t.same(await ids('language=HY'), [armenian.id], 'the language filter is normalised')
    t.same(await ids('language=ru'), [russian.id])
    t.equal((await ids('language=en')).length, 7)
    const s = (slug: string) => preview.find((a) => a.slug === slug)?.id
    t.same(await ids('publishedAfter=2022-10-01T00:00:00Z&publishedBefore=2022-11-01T07:00:00Z'), [
      s('bill-targets-broad-interpretation-of-compatriot'),
      s('azerbaijan-to-raise-defense-budget-in-2023'),
    ])
    t.same(
      await ids('publishedAfter=2022-11-01T07:00:00.000Z&publishedBefore=2023-01-01T00:00:00.001Z'),
      [armenian.id, s('earthquake-causes-temporary-blackout')],
      'publishedAfter is inclusive, publishedBefore exclusive',
    )
    t.same(await ids('publishedAfter=2023-01-01T03:00:00%2B03:00&publishedBefore=2023-01-01T00:00:01Z'), [armenian.id])
    t.same(await ids('source=panarmenian-net&tag=azerbaijan&publishedAfter=2022-10-01T00:00:00Z'), [
      s('azerbaijan-to-raise-defense-budget-in-2023'),
    ])
    t.same(await ids('source=panarmenian-net&language=ru'), [])

    t.same(await ids('status=draft', previewer), [draft.id])
    t.same(await ids('status=scheduled', previewer), [scheduled.id])
    t.same(await ids('status=archived', previewer), [archived.id])
    t.same(
      await ids('status=published', previewer),
      visible.map((a) => a.id),
    )
    t.same(await ids('status=draft&tag=iraq', auth), [draft.id])
    const forbidden = await api.list('status=draft', reader)
    t.match(assertProblem(t, forbidden.res, 403, 'ND_FORBIDDEN').detail, /content:preview/)
    assertProblem(t, (await api.list('status=published')).res, 403, 'ND_FORBIDDEN')
  })

  await t.test('sort=-updatedAt', async (t) => {
    const target = visible.at(-1) as Article
    clock.advance(1000)
    await api.patch(target.id, { dateline: 'Touched' })
    const page = await list('sort=-updatedAt&limit=100')
    t.equal(page.data[0]?.id, target.id, 'the article changed last comes first')
    const times = page.data.map((a) => a.updatedAt as string)
    t.same(times, [...times].sort().reverse())
    t.same(new Set(page.data.map((a) => a.id)), new Set(visible.map((a) => a.id)))
    const { ids } = await walk(t, api, 'sort=-updatedAt&limit=2')
    t.same(
      ids,
      page.data.map((a) => a.id),
    )
    const preview = await walk(t, api, 'sort=-updatedAt&limit=4', previewer)
    t.equal(preview.ids.length, 12)
  })

  await t.test('full-text search', async (t) => {
    const hit = await list('q=intelligence')
    t.same(
      hit.data.map((a) => a.id),
      [seedArticle.id],
    )
    t.same(slugsOf((await list('q=INTELLIGENCE')).data), [seedSlug], 'case does not matter')
    t.same((await list('q=intelligence -syria')).data, [], 'web search syntax: -excluded')
    t.same(slugsOf((await list('q=%22share%20intelligence%22')).data), [seedSlug], 'a phrase')
    t.same((await list('q=%22intelligence%20share%22')).data, [])
    t.same((await list('q=zzzunknownword')).data, [])
    for (const q of ["'", '"', 'a & b', ':*', 'or', '-', '\\', '(a', 'a <-> b', 'x:A', '!!!', 'the']) {
      for (const language of ['', '&language=en']) {
        const { res } = await api.list(`q=${encodeURIComponent(q)}${language}`)
        t.equal(res.statusCode, 200, `q=${q}${language} is just words`)
      }
    }

    const headlineHit = await published(
      api,
      { headline: 'Volcano erupts near a village', body: 'Lava flows down the slope.' },
      '2020-01-01T00:00:00.000Z',
    )
    const bodyHit = await published(
      api,
      {
        headline: 'Village news',
        summary: 'A quiet week.',
        body: 'Residents watched the volcano from afar. The `<script>alert(1)</script>` tag & <b>bold</b> stay text.',
      },
      '2021-01-01T00:00:00.000Z',
    )
    const byDate = await list('q=volcano')
    t.same(
      byDate.data.map((a) => a.id),
      [bodyHit.id, headlineHit.id],
      'q alone keeps the default order',
    )
    const byRank = await list('q=volcano&sort=relevance')
    t.same(
      byRank.data.map((a) => a.id),
      [headlineHit.id, bodyHit.id],
      'a headline hit ranks above a body-only hit',
    )
    const { ids } = await walk(t, api, 'q=volcano&sort=relevance&limit=1')
    t.same(ids, [headlineHit.id, bodyHit.id], 'relevance pages neither skip nor repeat')
    t.same(pointers(t, (await api.list('sort=relevance')).res), ['/sort'], 'relevance needs q')

    t.same((await list('q=erupting')).data, [], 'without a language, words match as written')
    t.same(
      (await list('q=erupting&language=en')).data.map((a) => a.id),
      [headlineHit.id],
      'with a language, words are stemmed',
    )

    const seedHit = hit.data[0] as Article
    t.match(seedHit.snippet, /<mark>intelligence<\/mark>/i, 'the snippet marks the match')
    t.match(
      byDate.data.find((a) => a.id === headlineHit.id)?.snippet,
      /^<mark>Volcano<\/mark> erupts near a village … Lava flows/,
      'a match only in the headline: the snippet shows it there',
    )
    t.notOk((await list('limit=1')).data[0]?.snippet, 'no snippet without q')
    for (const query of ['q=volcano', 'q=volcano&language=en', 'q=bold', 'q=afar&language=en']) {
      const found = (await list(query)).data.find((a) => a.id === bodyHit.id)
      t.ok(found, `${query} finds the body hit`)
      const snippet = found?.snippet ?? ''
      t.match(snippet, /<mark>/, `${query}: ${snippet}`)
      const markup = snippet.replace(/<\/?mark>/g, '')
      t.notMatch(markup, /[<>]/, `${query}: no markup but <mark>`)
    }
    // PostgreSQL's parser reads "<script>…</script>" in the text as a tag, so "alert" is not a word
    // of the index; the snippet around it still shows it, escaped.
    const escaped = (await list('q=volcano')).data.find((a) => a.id === bodyHit.id)?.snippet ?? ''
    t.match(escaped, '&lt;script&gt;', 'text that looks like markup is escaped')
    t.match(escaped, '&amp;')
    const trimmed = (await list('q=volcano&fields=headline')).data
    t.same(Object.keys(trimmed[0] ?? {}).sort(), ['headline', 'id', 'snippet'], 'the snippet comes with fields too')
    t.same(pointers(t, (await api.list(`q=${'x'.repeat(201)}`)).res), ['/q'])
    t.same(pointers(t, (await api.list('q=')).res), ['/q'])

    // The index follows changes: a new body, headline or language is searched at once.
    await api.patch(bodyHit.id, { body: 'Geysers everywhere.' })
    t.same(
      (await list('q=geysers')).data.map((a) => a.id),
      [bodyHit.id],
    )
    t.same(
      (await list('q=volcano')).data.map((a) => a.id),
      [headlineHit.id],
    )
    await api.patch(headlineHit.id, { language: 'de', headline: 'Vulkane brechen aus' })
    t.same((await list('q=volcano')).data, [])
    t.same(
      (await list('q=vulkan&language=de')).data.map((a) => a.id),
      [headlineHit.id],
      'stemmed in its new language',
    )

    // Back to the fixed data set.
    for (const a of [headlineHit, bodyHit]) await api.remove(a.id)
  })

  await t.test('fields, include, count', async (t) => {
    const trimmed = await list('fields=headline&limit=100')
    t.ok(trimmed.data.every((a) => Object.keys(a).sort().join() === 'headline,id'))
    const two = await list('fields=slug,publishedAt,slug&limit=1')
    t.same(Object.keys(two.data[0] ?? {}).sort(), ['id', 'publishedAt', 'slug'])
    const embedded = (await list('include=source,credits,tags&limit=100')).data.find((a) => a.id === seedArticle.id)
    t.match(embedded, {
      source: { slug: 'panarmenian-net', name: 'PanARMENIAN.Net', kind: 'publisher' },
      credits: [{ role: 'wire', source: { slug: 'associated-press', kind: 'agency' } }],
      tags: [
        { slug: 'iran', name: 'Iran' },
        { slug: 'iraq', name: 'Iraq' },
        { slug: 'islamic-state', name: 'Islamic State' },
        { slug: 'russia', name: 'Russia' },
        { slug: 'syria', name: 'Syria' },
      ],
    })
    const noSource = (await list('include=source&limit=100')).data.find((a) => a.id === tieA.id)
    t.equal(noSource?.source, null, 'include=source on an article without one is null')
    const both = (await list('fields=headline&include=source,tags&limit=100')).data.find((a) => a.id === seedArticle.id)
    t.same(Object.keys(both ?? {}).sort(), ['headline', 'id', 'source', 'tags'])
    t.equal((both?.tags as { slug: string }[] | undefined)?.[0]?.slug, 'iran')
    const one = json<Article>(await api.get(`${seedSlug}?include=credits&fields=headline`))
    t.same(Object.keys(one).sort(), ['credits', 'headline', 'id'])

    const counted = await list('count=true&limit=2')
    t.equal((counted.page as { total?: number }).total, 9)
    t.equal(counted.data.length, 2)
    const next = await list(`count=true&limit=2&cursor=${counted.page.nextCursor}`)
    t.equal((next.page as { total?: number }).total, 9, 'the total ignores the cursor')
    t.equal(((await list('count=true&tag=azerbaijan')) as { page: { total?: number } }).page.total, 2)
    t.equal(((await list('count=true', previewer)) as { page: { total?: number } }).page.total, 12)
    t.equal(((await list('count=true&q=intelligence')) as { page: { total?: number } }).page.total, 1)
    t.notOk('total' in (await list('limit=1')).page, 'no total unless asked')
    t.notOk('total' in (await list('count=false&limit=1')).page)
  })

  await t.test('bad queries are 400s naming the parameter', async (t) => {
    const bad = async (query: string, pointer: string, message?: string) => {
      const res = (await api.list(query)).res
      const problem = assertProblem(t, res, 400, 'ND_VALIDATION_FAILED')
      const field = problem.errors?.find((e) => e.pointer === pointer && e.in === 'query')
      t.ok(field, `${query} names ${pointer}`)
      if (message) t.equal(field?.message, message)
    }
    await bad('tags=iraq', '/tags', 'is not a known query parameter')
    await bad('sourc=panarmenian-net', '/sourc', 'is not a known query parameter')
    await bad('limit=0', '/limit')
    await bad('limit=101', '/limit')
    await bad('sort=headline', '/sort')
    await bad('sort=publishedAt', '/sort')
    await bad('status=deleted', '/status')
    await bad('publishedAfter=yesterday', '/publishedAfter')
    await bad('publishedBefore=2023-01-01', '/publishedBefore')
    await bad('language=!!', '/language')
    await bad('tag=Not%20A%20Slug', '/tag/0')
    await bad(`tag=${Array.from({ length: 11 }, (_, i) => `t${i}`).join('&tag=')}`, '/tag')
    await bad('fields=headline,secret', '/fields')
    await bad('fields=', '/fields')
    await bad('include=author', '/include')
    await bad('count=maybe', '/count')
    await bad('cursor=not%20base64!', '/cursor')

    const cursor = async (value: string) =>
      assertProblem(t, (await api.list(`limit=1&cursor=${value}`)).res, 400, 'ND_INVALID_CURSOR')
    await cursor('AAAA')
    await cursor(
      Buffer.from('{"s":"-publishedAt:","v":["2020-01-01T00:00:00.000Z","not-a-uuid"]}').toString('base64url'),
    )
    await cursor(Buffer.from('{"s":"-publishedAt:","v":["2020-01-01T00:00:00.000Z"]}').toString('base64url'))
    await cursor(Buffer.from('[1,2]').toString('base64url'))
    const id = seedArticle.id
    await cursor(Buffer.from(JSON.stringify({ s: '-publishedAt:', v: ['not a date', id] })).toString('base64url'))
    await cursor(Buffer.from(JSON.stringify({ s: 'relevance:x', v: ['high', id] })).toString('base64url'))
    await cursor(Buffer.from(JSON.stringify({ s: '-updatedAt:', v: ['2020-13-45', id] })).toString('base64url'))
    const otherSort = (await list('sort=-updatedAt&limit=1')).page.nextCursor as string
    await cursor(otherSort)
    const otherQuery = (await list('q=azerbaijan&limit=1')).page.nextCursor as string
    t.ok(otherQuery)
    const reused = await api.list(`q=earthquake&limit=1&cursor=${otherQuery}`)
    assertProblem(t, reused.res, 400, 'ND_INVALID_CURSOR')
  })

  await t.test("a source's articles", async (t) => {
    const bySlug = json<Page<Article>>(await app.inject('/v1/sources/panarmenian-net/articles?limit=100&fields=slug'))
    const expected = visible.filter((a) => a.sourceId === seedArticle.sourceId).map((a) => a.id)
    t.same(
      bySlug.data.map((a) => a.id),
      expected,
    )
    t.equal(expected.length, 6)
    const byId = json<Page<Article>>(await app.inject(`/v1/sources/${seedArticle.sourceId}/articles?limit=100`))
    t.same(
      byId.data.map((a) => a.id),
      expected,
    )
    const filtered = json<Page<Article>>(await app.inject('/v1/sources/panarmenian-net/articles?tag=azerbaijan'))
    t.equal(filtered.data.length, 2)
    const ap = json<Page<Article>>(await app.inject('/v1/sources/associated-press/articles'))
    t.same(
      ap.data.map((a) => a.id),
      [russian.id],
      'the publishing source, not credits',
    )
    const paged = await app.inject('/v1/sources/panarmenian-net/articles?limit=4')
    t.match(String(paged.headers.link), /\/v1\/sources\/panarmenian-net\/articles\?limit=4&cursor=/)
    t.match(String(paged.headers['surrogate-key']), /source-articles:panarmenian-net/)
    assertProblem(t, await app.inject('/v1/sources/no-such-source/articles'), 404, 'ND_NOT_FOUND')
    const withSource = await app.inject('/v1/sources/panarmenian-net/articles?source=associated-press')
    t.same(pointers(t, withSource), ['/source'])
    const drafts = json<Page<Article>>(
      await app.inject({ url: '/v1/sources/panarmenian-net/articles?status=draft', headers: previewer }),
    )
    t.same(drafts.data, [])
  })

  await t.test('tags with article counts', async (t) => {
    const counts = await api.tagCounts()
    t.match(counts, { iraq: 1, syria: 1, russia: 2, azerbaijan: 2, armenia: 1, iran: 1, 'islamic-state': 1 })
    t.match(await api.tagCounts(reader), { iraq: 1, armenia: 1 })
    t.match(await api.tagCounts(previewer), { iraq: 2, armenia: 3, russia: 2 }, 'preview counts drafts and scheduled')
    const page = json<Page<TagCount>>(await app.inject('/v1/tags'))
    t.same(
      page.data.map((c) => c.slug),
      [...page.data.map((c) => c.slug)].sort(),
      'by slug',
    )
    t.same(
      page.data.find((c) => c.slug === 'islamic-state'),
      { slug: 'islamic-state', name: 'Islamic State', articleCount: 1 },
    )
    const walked: string[] = []
    let cursor: string | null = null
    do {
      const res: { body: string } = await app.inject(`/v1/tags?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      const p: Page<TagCount> = json<Page<TagCount>>(res)
      walked.push(...p.data.map((c) => c.slug))
      cursor = p.page.nextCursor
    } while (cursor)
    t.same(
      walked,
      page.data.map((c) => c.slug),
    )
    t.same(pointers(t, await app.inject('/v1/tags?limit=0')), ['/limit'])
    t.same(pointers(t, await app.inject('/v1/tags?tag=x')), ['/tag'])
  })

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
      for (const tag of ['iraq', 'syria', 'russia', 'iran', 'islamic-state']) t.ok(keys.includes(`tag:${tag}`), tag)
      t.equal(res.headers.etag, `"v${row.version}"`)
      t.equal(res.headers['last-modified'], row.updatedAt.toUTCString())
    }
    const { res: listRes } = await api.list('limit=100')
    t.equal(listRes.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
    t.match(String(listRes.headers.vary), /\bAuthorization\b/i)
    const keys = String(listRes.headers['surrogate-key']).split(' ')
    for (const key of ['articles', `article:${seedArticle.id}`, `article:${russian.id}`, 'tag:azerbaijan']) {
      t.ok(keys.includes(key), key)
    }
    t.notOk(keys.includes(`article:${draft.id}`))
    t.ok(listRes.headers.etag)
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
    env: { ...env, RESPONSE_CACHE_MB: '0' },
    database: { db: { ...database.db, prisma } },
  })
  t.teardown(() => prisma.$disconnect().catch(() => undefined))
  const queries = async (url: string) => {
    const before = statements.length
    const res = await counted.app.inject(url)
    t.equal(res.statusCode, 200, url)
    return { n: statements.length - before, sql: statements.slice(before), body: json<Page<Article>>(res) }
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
