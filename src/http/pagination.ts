// List conventions shared by every collection endpoint on the wire: `limit`, the cursor parameter,
// the `{ data, page }` envelope and the `Link: rel="next"` header (cursors themselves: src/lib/pagination.ts).
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import Type, { type TSchema } from 'typebox'
import { ref } from './schemas.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The configured PUBLIC_URL (no trailing slash), or null: links are then relative. */
    publicUrl: string | null
  }
}

/** Gives setNextLink the configured public base URL. */
export const publicLinks = fp<{ publicUrl?: string }>(
  async (app, { publicUrl }) => {
    app.decorate('publicUrl', publicUrl ?? null)
  },
  { name: 'newsdesk-public-links' },
)

export const maxLimit = 100
export const defaultLimit = 20

export const paginationQuery = {
  limit: Type.Integer({
    minimum: 1,
    maximum: maxLimit,
    format: 'int32',
    default: defaultLimit,
    description: `Items per page (1-${maxLimit}, default ${defaultLimit})`,
  }),
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 512,
      pattern: '^[A-Za-z0-9_-]+$',
      description: "Opaque cursor from the previous page's `page.nextCursor`",
    }),
  ),
}

export const PageSchema = Type.Object(
  {
    limit: Type.Integer({ description: 'The page size asked for (or the default)' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Cursor for the next page; null on the last page',
    }),
  },
  { $id: 'Page', additionalProperties: false },
)

/** A list's `{ data, page }` envelope as a named component (`<Item>Page`): register it, refer to it with ref(). */
export function listEnvelope<T extends TSchema>(item: T, $id: string) {
  return Type.Object({ data: Type.Array(item), page: ref(PageSchema) }, { $id, additionalProperties: false })
}

/**
 * Sets `Link: <...>; rel="next"` to the same request with the next cursor: absolute under
 * PUBLIC_URL, else a relative reference (RFC 8288 allows one; it resolves against the URL the
 * client asked for). Never built from Host or X-Forwarded-Host: the response cache keys on the
 * path alone, so a link to the host one request named would be served to every reader, and a
 * client following it would send its API key there.
 */
export function setNextLink(request: FastifyRequest, reply: FastifyReply, nextCursor: string | null): void {
  if (!nextCursor) return
  const params = requestQuery(request)
  params.set('cursor', nextCursor)
  const q = request.url.indexOf('?')
  const path = q === -1 ? request.url : request.url.slice(0, q)
  reply.header('link', `<${request.server.publicUrl ?? ''}${linkPath(path)}?${params}>; rel="next"`)
}

/**
 * The request's query parameters, as links built from the request read them: parsed from the
 * query alone (a URL object parses the whole URL, and its searchParams setter serialises and
 * parses it again: ~2 % of an uncached list's CPU).
 */
export function requestQuery(request: FastifyRequest): URLSearchParams {
  const q = request.url.indexOf('?')
  return new URLSearchParams(q === -1 ? '' : request.url.slice(q + 1))
}

/**
 * A request's path as a link may carry it: one leading slash (a relative "//host/x", or "/\host/x"
 * which URL parsers read the same way, would name another host), and every character that is not
 * one of a path's (RFC 3986 pchar, `/`, and `%` of the escapes it has) percent-encoded: a `>`
 * would end the link. The request line's bytes arrive as Latin-1 characters, so none is a lone
 * surrogate.
 */
function linkPath(path: string): string {
  return path.replace(/^[/\\]+/, '/').replace(/[^\w\-.~!$&'()*+,;=:@/%]/g, encodeURIComponent)
}
