// HTTP caching for reads: Cache-Control by audience, Surrogate-Key for CDN purges,
// Last-Modified; ETags and 304s come from @fastify/etag (registered in app.ts) unless a route
// sets a version ETag itself. If-Match parsing for optimistic concurrency lives here too.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { PreconditionFailedError, withProblem } from '../errors.js'

export const publicCacheControl = 'public, max-age=60, stale-while-revalidate=300'
export const privateCacheControl = 'private, no-store'

export interface CacheOptions {
  /** Public (anonymous or content:read) view: shared caches may keep it. */
  shared: boolean
  surrogateKeys: string[]
  lastModified?: Date | null
}

export function setCacheHeaders(reply: FastifyReply, { shared, surrogateKeys, lastModified }: CacheOptions): void {
  reply.header('cache-control', shared ? publicCacheControl : privateCacheControl)
  varyOnAuthorization(reply)
  if (surrogateKeys.length > 0) reply.header('surrogate-key', [...new Set(surrogateKeys)].join(' '))
  if (lastModified) reply.header('last-modified', lastModified.toUTCString())
}

/** The same URL answers differently with and without credentials (kept beside CORS's Origin). */
export function varyOnAuthorization(reply: FastifyReply): void {
  const vary = String(reply.getHeader('vary') ?? '')
  if (!/\bauthorization\b/i.test(vary)) reply.header('vary', vary ? `${vary}, Authorization` : 'Authorization')
}

/** The ETag of a versioned record: it changes exactly when the version does. */
export function versionEtag(version: number): string {
  return `"v${version}"`
}

/** What an If-Match header allows: undefined (no header), '*' (any version) or the versions named. */
export type IfMatch = undefined | '*' | number[]

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

/** Throws 412 unless the If-Match header allows the current version. */
export function checkIfMatch(ifMatch: IfMatch, currentVersion: number): void {
  if (ifMatch === undefined || ifMatch === '*') return
  if (!ifMatch.includes(currentVersion)) throw preconditionFailed(currentVersion)
}

export function preconditionFailed(currentVersion: number): Error {
  return withProblem(
    new PreconditionFailedError(`The resource is at version ${currentVersion}; If-Match named another`),
    { currentVersion, currentEtag: versionEtag(currentVersion) },
  )
}
