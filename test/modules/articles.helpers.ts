// Shared by the articles test files: request helpers bound to one app, problem assertions.
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { assertProblem, type build, json, missingId, type Page, pointers, type Res } from '../helper.js'

export interface Revision {
  version: number
  changedFields: string[]
  keyId: string | null
  requestId: string | null
  createdAt: string
  snapshot?: Record<string, unknown>
}
export interface Tombstone {
  id: string
  slug: string
  deletedAt: string
  killed: boolean
  notice: string | null
  reason: string | null
}
export interface TagCount {
  slug: string
  name: string
  articleCount: number
}

/** Rate limits no test file comes near (anonymous callers get 120 requests a minute by default). */
export const env = { RATE_LIMIT_ANONYMOUS_MAX: '1000000', RATE_LIMIT_MAX: '1000000' }

export const seedSlug = 'iraq-to-share-intelligence-info-on-is-with-syria-russia-iran'
export const seedHeadline = 'Iraq to share intelligence info on IS with Syria, Russia, Iran'

export { assertProblem, missingId, pointers, type Res }

export type App = Awaited<ReturnType<typeof build>>['app']
export type Headers = Record<string, string>

/** Request helpers bound to one app and one writer key. */
export function client(app: App, auth: Headers) {
  const create = (payload: object, headers: Headers = {}) =>
    app.inject({ method: 'POST', url: '/v1/articles', headers: { ...auth, ...headers }, payload })
  const patch = (id: string, payload: object, headers: Headers = {}) =>
    app.inject({ method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...auth, ...headers }, payload })
  const action = (id: string, name: 'publish' | 'unpublish' | 'archive', payload?: object, headers: Headers = {}) =>
    app.inject({
      method: 'POST',
      url: `/v1/articles/${id}/${name}`,
      headers: { ...auth, ...headers },
      ...(payload ? { payload } : {}),
    })
  const get = (idOrSlug: string, headers: Headers = {}) => app.inject({ url: `/v1/articles/${idOrSlug}`, headers })
  const remove = (id: string, headers: Headers = {}) =>
    app.inject({ method: 'DELETE', url: `/v1/articles/${id}`, headers: { ...auth, ...headers } })
  const list = async (query: string, headers: Headers = {}) => {
    const res = await app.inject({ url: `/v1/articles?${query}`, headers })
    return { res, page: json<Page<SparseArticle>>(res) }
  }
  const tagCounts = async (headers: Headers = {}) => {
    const res = await app.inject({ url: '/v1/tags?limit=100', headers })
    return Object.fromEntries(json<Page<TagCount>>(res).data.map((c) => [c.slug, c.articleCount]))
  }
  /** Creates a draft and returns it (the test fails on anything but 201). */
  const draft = async (payload: object) => {
    const res = await create(payload)
    if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`)
    return json<Article>(res)
  }
  return { create, patch, action, get, remove, list, tagCounts, draft }
}
