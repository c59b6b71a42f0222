// Shared by the tag test files: request helpers for the tag endpoints, bound to one app.
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import { type build, json } from '../helper.js'
import type { Headers } from './articles.helpers.js'

type App = Awaited<ReturnType<typeof build>>['app']

/** Request helpers for the tag endpoints. */
export function tagClient(app: App, auth: Headers) {
  const write = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers: Headers = auth) =>
    app.inject({ method, url, headers, ...(payload ? { payload } : {}) })
  return {
    create: (payload: object, headers?: Headers) => write('POST', '/v1/tags', payload, headers),
    patch: (slug: string, payload: object) => write('PATCH', `/v1/tags/${slug}`, payload),
    remove: (slug: string) => write('DELETE', `/v1/tags/${slug}`),
    merge: (slug: string, into: unknown) => write('POST', `/v1/tags/${slug}/merge`, { into }),
    get: (slug: string, headers: Headers = auth) => app.inject({ url: `/v1/tags/${slug}`, headers }),
    /** The tag events of the feed as these credentials see it. */
    async events(headers: Headers = {}) {
      const res = await app.inject({ url: '/v1/changes?resource=tag&limit=100', headers })
      return json<{ data: ChangeEvent[] }>(res).data
    },
  }
}
