// Article lists through HTTP: order, keyset pagination (also while articles are published between
// pages), filters, sort=-updatedAt, per-source lists and tag counts.
import { test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { json, type Page } from '../helper.js'
import { assertProblem, type Headers, pointers, type TagCount } from './articles.helpers.js'
import { byPublishedDesc, listsFixture, published, walk } from './articles.lists.helpers.js'

test('article lists', async (t) => {
  const {
    clock,
    app,
    auth,
    api,
    reader,
    previewer,
    armenian,
    russian,
    tieA,
    tieB,
    draft,
    scheduled,
    archived,
    preview,
    seedArticle,
    visible,
    slugsOf,
    list,
  } = await listsFixture(t)

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
    t.match(link, /^<\/v1\/articles\?limit=2&cursor=[A-Za-z0-9_-]+>; rel="next", </)
    t.match(link, /, <\/v1\/feeds\/articles\.rss>; rel="alternate"; type="application\/rss\+xml"/, 'beside its feeds')
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

  await t.test("a source's articles", async (t) => {
    const bySlug = json<Page<SparseArticle>>(
      await app.inject('/v1/sources/panarmenian-net/articles?limit=100&fields=slug'),
    )
    const expected = visible.filter((a) => a.sourceId === seedArticle.sourceId).map((a) => a.id)
    t.same(
      bySlug.data.map((a) => a.id),
      expected,
    )
    t.equal(expected.length, 6)
    const byId = json<Page<SparseArticle>>(await app.inject(`/v1/sources/${seedArticle.sourceId}/articles?limit=100`))
    t.same(
      byId.data.map((a) => a.id),
      expected,
    )
    const filtered = json<Page<SparseArticle>>(await app.inject('/v1/sources/panarmenian-net/articles?tag=azerbaijan'))
    t.equal(filtered.data.length, 2)
    const ap = json<Page<SparseArticle>>(await app.inject('/v1/sources/associated-press/articles'))
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
    const drafts = json<Page<SparseArticle>>(
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
    t.match(
      page.data.find((c) => c.slug === 'islamic-state'),
      {
        slug: 'islamic-state',
        name: 'Islamic State',
        type: 'subject',
        articleCount: 1,
      },
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
})
