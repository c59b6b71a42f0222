// Article lists through HTTP: full-text search and snippets, fields/include/count, bad queries.
import { test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { json } from '../helper.js'
import { assertProblem, pointers, seedSlug } from './articles.helpers.js'
import { listsFixture, published, walk } from './articles.lists.helpers.js'

test('article search, fields and bad queries', async (t) => {
  const { api, previewer, tieA, seedArticle, slugsOf, list } = await listsFixture(t)

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

    const seedHit = hit.data[0] as SparseArticle
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
      tags: ['iran', 'iraq', 'islamic-state', 'russia', 'syria'],
      tagDetails: [
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
    t.same(
      Object.keys(both ?? {}).sort(),
      ['headline', 'id', 'source', 'tagDetails'],
      'tags stay slugs: names come beside them',
    )
    t.equal(both?.tagDetails?.[0]?.slug, 'iran')
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
})
