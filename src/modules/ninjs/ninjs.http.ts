// The HTTP side of a ninjs answer: its media type and profile link, its caching headers and its
// serializer (the route's 200 is declared for both representations; Fastify picks a serializer by
// the media type alone, which both share).
import type { FastifyReply } from 'fastify'
import { setCacheHeaders } from '../../http/caching.js'
import { ref } from '../../http/schemas.js'
import type { Cacheable } from '../articles/articles.reads.js'
import type { ViewOptions } from '../articles/articles.view.js'
import { type NinjsDocument, NinjsDocumentSchema, ninjsMediaType, ninjsSchemaUrl } from './ninjs.schemas.js'

/** The 200 content of a read that answers ninjs too: Fastify documents both media types. */
export const ninjsContent = { [ninjsMediaType]: { schema: ref(NinjsDocumentSchema) } }

/**
 * Sends a ninjs document with the headers of the JSON read: Surrogate-Key, Last-Modified and
 * Cache-Control the same; the ETag a hash of the body (conditionalReads), so it never equals the
 * JSON representation's "v<version>".
 */
export function sendNinjs(reply: FastifyReply, read: Cacheable<NinjsDocument>, view: ViewOptions): NinjsDocument {
  setCacheHeaders(reply, { shared: !view.preview, surrogateKeys: read.surrogateKeys, lastModified: read.lastModified })
  reply
    .header('link', `<${ninjsSchemaUrl}>; rel="profile"`)
    .type(ninjsMediaType)
    .serializer(reply.compileSerializationSchema({ $ref: 'NinjsDocument#' }))
  return read.body
}
