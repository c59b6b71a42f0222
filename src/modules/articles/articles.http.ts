// HTTP pieces the article routes share: request headers, the caller's view, caching headers.

import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { canPreview, canSeeEmbargoed, readsSyndication } from '../../http/auth.js'
import { setCacheHeaders } from '../../http/caching.js'
import { success } from '../../http/responses.js'
import { problemResponses } from '../../http/schemas.js'
import { versionEtag } from '../../lib/versions.js'
import type { Cacheable } from './articles.reads.js'
import { type ArticleField, type ArticleInclude, ArticleSchema } from './articles.schemas.js'
import type { ViewOptions, Written } from './articles.service.js'

export const tags = ['Articles']
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7E]+$',
      description: 'Makes a retried POST safe: the same key and body return the first response',
    }),
  ),
})

export function viewOf(request: FastifyRequest, query: { fields?: string; include?: string }): ViewOptions {
  return {
    preview: canPreview(request),
    embargoed: canSeeEmbargoed(request),
    fields: query.fields ? ([...new Set(query.fields.split(','))] as ArticleField[]) : undefined,
    include: query.include ? ([...new Set(query.include.split(','))] as ArticleInclude[]) : undefined,
    ...(readsSyndication(request) ? { syndication: true } : {}),
  }
}

/**
 * Caching headers of a read; the version ETag names the full, default representation of one
 * article (not the syndication view's, which may withhold its body: that one gets a hash ETag).
 */
export function readHeaders(reply: FastifyReply, read: Cacheable<unknown>, view: ViewOptions) {
  if (read.version !== undefined && !view.fields && !view.include && !view.syndication)
    reply.header('etag', versionEtag(read.version))
  setCacheHeaders(reply, { shared: !view.preview, surrogateKeys: read.surrogateKeys, lastModified: read.lastModified })
}

// A single read's `fields` (deprecated) trims the article below what its Article schema requires.
const sparseArticle = { $ref: 'SparseArticle#' }

/** A single read trimmed by `fields` leaves as the SparseArticle it is (Article's serializer would refuse it). */
export function serializeTrimmed(reply: FastifyReply, view: ViewOptions) {
  if (view.fields) reply.serializer(reply.compileSerializationSchema(sparseArticle))
}

export function writeHeaders(reply: FastifyReply, { version }: Written) {
  reply.header('etag', versionEtag(version)).header('cache-control', 'private, no-store')
}

/** The responses of a change to an article: the article as it is now (see writeHeaders). */
export const writeResponses = (description: string, ...statuses: number[]) => ({
  200: success(description, ArticleSchema, ['Cache-Control']),
  ...problemResponses(404, 409, 412, ...statuses),
})
