// Shared by the feeds test files: an app with content to feed (a person, a section, a source with
// a credit line, a lead image), parsers for each format, and request helpers.
import Parser from 'rss-parser'
import type { Test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { build, json, testClock } from '../helper.js'

export const env = {
  RATE_LIMIT_ANONYMOUS_MAX: '1000000',
  RATE_LIMIT_MAX: '1000000',
  WEBHOOK_WORKER: 'false',
  PUBLIC_URL: 'https://api.example.com',
  PUBLIC_ARTICLE_URL: 'https://news.example.com/{yyyy}/{mm}/{dd}/{slug}',
}

export type Headers = Record<string, string>

/** Item fields rss-parser leaves out unless asked (arrays kept where an item may repeat one). */
export const rssParser = new Parser<Record<string, unknown>, Record<string, unknown>>({
  customFields: {
    item: [
      ['author', 'authors', { keepArray: true }],
      ['category', 'categoryElements', { keepArray: true }],
      ['media:content', 'mediaContent'],
      ['dc:rights', 'rights'],
      ['content:encoded', 'contentEncoded'],
      ['description', 'description'],
    ],
  },
})
export const atomParser = new Parser<Record<string, unknown>, Record<string, unknown>>({
  customFields: {
    item: [
      ['rights', 'rights'],
      ['published', 'published'],
      ['updated', 'updated'],
      ['category', 'categoryElements', { keepArray: true }],
      ['link', 'links', { keepArray: true }],
      ['summary', 'summaryHtml'],
      ['content', 'contentHtml'],
    ],
  },
})

export async function feedApp(t: Test, extraEnv: Record<string, string> = {}) {
  const clock = testClock(new Date('2026-11-30T08:00:00.000Z'))
  const built = await build(t, { env: { ...env, ...extraEnv }, clock })
  const { app, auth } = built
  const post = async <T>(url: string, payload: object, headers: Headers = auth): Promise<T> => {
    const res = await app.inject({ method: 'POST', url, headers, payload })
    if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
    return json<T>(res)
  }
  const publish = async (payload: object, publishAt = '2026-11-29T12:00:00.000Z'): Promise<Article> => {
    const draft = await post<Article>('/v1/articles', { body: 'A body', ...payload })
    return post<Article>(`/v1/articles/${draft.id}/publish`, { publishAt }, { ...auth, 'if-match': '"v1"' })
  }
  const get = (url: string, headers: Headers = {}) => app.inject({ url, headers })
  return { ...built, clock, post, publish, get }
}
