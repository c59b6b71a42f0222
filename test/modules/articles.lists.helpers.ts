// Shared by the article list test files: a fixed data set around the example content (a tie,
// other languages and sources, a draft, a scheduled and an archived article), and list walks.
// Subtests that add or change articles put the data set back as they found it.
import type { Test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, createKey, json, testClock } from '../helper.js'
import { client, env, type Headers, seedSlug } from './articles.helpers.js'

type Api = ReturnType<typeof client>

/** Creates an article and publishes it at the given time (in the past for the test clock). */
export async function published(api: Api, payload: object, publishAt: string): Promise<Article> {
  const a = await api.draft({ body: 'Body.', ...payload })
  const res = await api.action(a.id, 'publish', { publishAt })
  if (res.statusCode !== 200) throw new Error(`publish failed: ${res.body}`)
  return json<Article>(res)
}

/** Newest published first; the id breaks ties; unpublished (no publish time) last. */
export function byPublishedDesc(a: SparseArticle, b: SparseArticle): number {
  const pa = a.publishedAt ?? ''
  const pb = b.publishedAt ?? ''
  if (pa !== pb) return pa < pb ? 1 : -1
  return a.id < b.id ? 1 : -1
}

/** Follows nextCursor from the first page to the last; returns the ids in the order served. */
export async function walk(t: Test, api: Api, query: string, headers: Headers = {}) {
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
    // The list's feeds (rel="alternate") are named on every page.
    else t.notMatch(String(res.headers.link ?? ''), /rel="next"/, 'no next Link on the last page')
    cursor = page.page.nextCursor
    pages++
  } while (cursor && pages < 50)
  return { ids, pages }
}

/** An app on its own database holding the fixed data set, and what the subtests compare with. */
export async function listsFixture(t: Test) {
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
  return {
    clock,
    app,
    db,
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
  }
}
