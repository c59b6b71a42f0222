// Discovery: a JSON list of articles names its feeds, `Link: <…/v1/feeds/articles.rss?…>;
// rel="alternate"; type="application/rss+xml"` (and Atom, JSON Feed), with the list's filters a
// feed takes. Relative unless PUBLIC_URL is set, as rel="next" is (never built from Host).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { requestQuery } from '../../http/pagination.js'
import { feedFilters, feedFormats, feedMediaTypes } from './feeds.schemas.js'

/** The filters of the list's URL a feed takes, plus a scope's own (a source's or a person's articles). */
function feedQuery(request: FastifyRequest, scope: { source?: string; person?: string }): string {
  const given = requestQuery(request)
  const query = new URLSearchParams()
  for (const name of feedFilters) {
    const scoped = scope[name as keyof typeof scope]
    if (scoped !== undefined) query.append(name, scoped)
    else for (const value of given.getAll(name)) query.append(name, value)
  }
  const text = query.toString()
  return text ? `?${text}` : ''
}

/** Adds the feeds' links beside those already set (rel="next"); none for a list filtered by status (previews). */
export function setFeedLinks(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { status?: string; source?: string; person?: string },
): void {
  if (options.status) return
  const query = feedQuery(request, options)
  const links = feedFormats.map(
    (format) =>
      `<${request.server.publicUrl ?? ''}/v1/feeds/articles.${format}${query}>; rel="alternate"; type="${feedMediaTypes[format]}"`,
  )
  const existing = reply.getHeader('link')
  reply.header('link', [...(existing ? [String(existing)] : []), ...links].join(', '))
}
