// List conventions shared by every collection endpoint on the wire: `limit`, the cursor parameter,
// the `{ data, page }` envelope and the `Link: rel="next"` header (cursors themselves: src/lib/pagination.ts).
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type, { type TSchema } from 'typebox'

export const maxLimit = 100
export const defaultLimit = 20

export const paginationQuery = {
  limit: Type.Integer({
    minimum: 1,
    maximum: maxLimit,
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
    limit: Type.Integer(),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Cursor for the next page; null on the last page',
    }),
  },
  { additionalProperties: false },
)

export function listEnvelope<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), page: PageSchema }, { additionalProperties: false })
}

/** Sets `Link: <...>; rel="next"` to the same request with the next cursor. */
export function setNextLink(request: FastifyRequest, reply: FastifyReply, nextCursor: string | null): void {
  if (!nextCursor) return
  const url = new URL(request.url, `${request.protocol}://${request.host}`)
  url.searchParams.set('cursor', nextCursor)
  reply.header('link', `<${url.toString()}>; rel="next"`)
}
