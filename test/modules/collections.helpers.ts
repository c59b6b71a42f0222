// Shared by the collections test files: request helpers bound to one app, the line-up check every
// ordering step makes, problem assertions.
import type { Test } from 'tap'
import type { Collection, Teaser } from '../../src/modules/collections/collections.schemas.js'
import { assertProblem, type build, json, missingId, pointers, type Res } from '../helper.js'

export type App = Awaited<ReturnType<typeof build>>['app']
export type Db = Awaited<ReturnType<typeof build>>['db']
export type Headers = Record<string, string>
export interface Box {
  data: Teaser[]
  page: { limit: number; nextCursor: null }
}
export interface HistoryEntry {
  id: string
  action: string
  teaserId: string | null
  keyId: string | null
  requestId: string | null
  at: string
  teaserIds: string[]
}

export { topStoriesOnThePage } from '../seed-page.js'
export type { Collection, Teaser }

export { assertProblem, missingId, pointers, type Res }

/** Request helpers bound to one app and one writer key. */
export function client(app: App, auth: Headers) {
  const w = (headers: Headers) => ({ ...auth, ...headers })
  return {
    createCollection: (payload: object, headers: Headers = {}) =>
      app.inject({ method: 'POST', url: '/v1/collections', headers: w(headers), payload }),
    getCollection: (key: string, headers: Headers = {}) => app.inject({ url: `/v1/collections/${key}`, headers }),
    patchCollection: (key: string, payload: object, headers: Headers = {}) =>
      app.inject({ method: 'PATCH', url: `/v1/collections/${key}`, headers: w(headers), payload }),
    deleteCollection: (key: string, query = '', headers: Headers = {}) =>
      app.inject({ method: 'DELETE', url: `/v1/collections/${key}${query}`, headers: w(headers) }),
    /** The box as the headers given see it (none: the public box). */
    box: (key: string, headers: Headers = {}, query = '') =>
      app.inject({ url: `/v1/collections/${key}/teasers${query}`, headers }),
    add: (key: string, payload: object, headers: Headers = {}) =>
      app.inject({ method: 'POST', url: `/v1/collections/${key}/teasers`, headers: w(headers), payload }),
    getTeaser: (id: string, headers: Headers = auth) => app.inject({ url: `/v1/teasers/${id}`, headers }),
    patchTeaser: (id: string, payload: object, headers: Headers = {}) =>
      app.inject({ method: 'PATCH', url: `/v1/teasers/${id}`, headers: w(headers), payload }),
    deleteTeaser: (id: string, headers: Headers = {}) =>
      app.inject({ method: 'DELETE', url: `/v1/teasers/${id}`, headers: w(headers) }),
    reorder: (key: string, teaserIds: string[], headers: Headers = {}) =>
      app.inject({ method: 'PUT', url: `/v1/collections/${key}/order`, headers: w(headers), payload: { teaserIds } }),
    history: (key: string, headers: Headers = auth, query = '') =>
      app.inject({ url: `/v1/collections/${key}/history${query}`, headers }),
    /** Adds a teaser linking to https://example.com/<text> and returns it. */
    async link(t: Test, key: string, text: string, extra: object = {}): Promise<Teaser> {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/collections/${key}/teasers`,
        headers: auth,
        payload: { text, url: `https://example.com/${text.toLowerCase()}`, ...extra },
      })
      t.equal(res.statusCode, 201, `teaser ${text} added`)
      return json<Teaser>(res)
    },
    async etag(key: string): Promise<string> {
      return String((await app.inject({ url: `/v1/collections/${key}`, headers: auth })).headers.etag)
    },
  }
}

/**
 * Checks the line-up after a change: the preview box lists `expected` (teaser texts) in order with
 * positions exactly 0..n-1, and the stored positions agree. Returns the preview box.
 */
export async function assertLineup(t: Test, app: App, db: Db, auth: Headers, key: string, expected: string[]) {
  const box = json<Box>(await app.inject({ url: `/v1/collections/${key}/teasers`, headers: auth }))
  t.same(
    box.data.map((d) => d.text),
    expected,
    `order ${expected.join(' ')}`,
  )
  t.same(
    box.data.map((d) => d.position),
    expected.map((_, i) => i),
    'box positions are 0..n-1 in box order',
  )
  const rows = await db.prisma.teaser.findMany({ where: { collection: { key } }, orderBy: { position: 'asc' } })
  t.same(
    rows.map((r) => r.position),
    expected.map((_, i) => i),
    'stored positions are dense and unique',
  )
  t.same(
    rows.map((r) => r.text),
    expected,
    'stored positions give the same order',
  )
  return box
}
