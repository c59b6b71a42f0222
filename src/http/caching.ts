// HTTP caching for reads: Cache-Control by audience, Surrogate-Key for CDN purges,
// Last-Modified; ETags come from @fastify/etag (registered in app.ts) unless a route sets a
// version ETag itself, and 304s from the If-None-Match check here (lists, weak forms and `*`, as
// RFC 9110 §13.1.2 reads them). If-Match parsing lives here; the version check in src/lib/versions.ts.
import etag from '@fastify/etag'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { type IfMatch, matchesEtag } from '../lib/versions.js'
import { canPreview, canSeeEmbargoed } from './auth.js'
import type { HeaderName } from './responses.js'

export const publicCacheControl = 'public, max-age=60, stale-while-revalidate=300'
export const privateCacheControl = 'private, no-store'

export interface CacheOptions {
  /** Public (anonymous or content:read) view: shared caches may keep it. */
  shared: boolean
  surrogateKeys: string[]
  lastModified?: Date | null
}

/** The headers setCacheHeaders sends, for the spec (and Last-Modified when given a time). */
export const cacheHeaders: HeaderName[] = ['Cache-Control', 'Vary', 'Surrogate-Key']

export function setCacheHeaders(reply: FastifyReply, { shared, surrogateKeys, lastModified }: CacheOptions): void {
  // A content:embargoed caller (without preview, whose routes decide `shared` themselves) may see
  // what the public may not yet: never kept by a shared cache.
  const embargoed = canSeeEmbargoed(reply.request) && !canPreview(reply.request)
  reply.header('cache-control', shared && !embargoed ? publicCacheControl : privateCacheControl)
  varyOnAuthorization(reply)
  if (surrogateKeys.length > 0) reply.header('surrogate-key', [...new Set(surrogateKeys)].join(' '))
  if (lastModified) reply.header('last-modified', lastModified.toUTCString())
}

/** The same URL answers differently with and without credentials (kept beside CORS's Origin). */
export function varyOnAuthorization(reply: FastifyReply): void {
  const vary = String(reply.getHeader('vary') ?? '')
  if (!/\bauthorization\b/i.test(vary)) reply.header('vary', vary ? `${vary}, Authorization` : 'Authorization')
}

export function parseIfMatch(request: FastifyRequest): IfMatch {
  const header = request.headers['if-match']
  if (header === undefined) return undefined
  if (header.trim() === '*') return '*'
  // Tags that are not strong version ETags ("v<n>") never match (If-Match compares strongly): 412.
  return header
    .split(',')
    .map((tag) => /^\s*"v(\d+)"\s*$/.exec(tag)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
}

/**
 * Strong ETags (a hash of the body) and 304s for If-None-Match on every response a route did not
 * give a version ETag itself — for reads only. @fastify/etag compares If-None-Match whatever the
 * method: a write sent with the new version's ETag was made and then answered 304 without its
 * body. A write ignores If-None-Match (If-Match is its precondition).
 */
export const conditionalReads = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') delete request.headers['if-none-match']
      done()
    })
    // A serialized body is encoded to UTF-8 once, here: the ETag's hash, the response cache and
    // the socket then read the same bytes. Given the string, each encoded it again (an uncached
    // 600 KB month sitemap took 15.6 ms of CPU that way, 14.2 ms with this hook; the sitemaps now
    // send bytes of their own, sitemaps.xml.ts). Bodies that are bytes already pass as they are.
    app.addHook('onSend', (_request, _reply, payload, done) => {
      done(null, typeof payload === 'string' && payload.length > 0 ? Buffer.from(payload) : payload)
    })
    // @fastify/etag compares If-None-Match as one opaque string: a list never matched.
    await app.register(etag, { replyWith304: false })
    app.addHook('onSend', (request, reply, payload, done) => {
      const condition = request.headers['if-none-match']
      if (condition === undefined || reply.statusCode !== 200) return done(null, payload)
      const tag = reply.getHeader('etag')
      if (typeof tag !== 'string' || !matchesEtag(condition, tag)) return done(null, payload)
      reply.code(304)
      done(null, '')
    })
  },
  { name: 'newsdesk-conditional-reads' },
)
