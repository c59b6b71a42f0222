// GET /media/{id}/{file}: a rendition, public and unmetered (outside /v1: the URL a page embeds,
// a CDN's origin). GET /v1/media/{id}/original: the upload as it came, to write scopes only.
import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify'
import { privateCacheControl } from '../../http/caching.js'
import { empty, file } from '../../http/responses.js'
import { describedProblems, problemResponses, problemResponsesOnly } from '../../http/schemas.js'
import { immutableCacheControl, type RenditionsService, type Served } from './media.renditions.js'
import { imageTypes, OriginalParamsSchema, RenditionParamsSchema } from './media.renditions.schemas.js'

const tags = ['Media']

/**
 * An image is never a page: no sniffing it into HTML, no scripts should it be opened directly. Set
 * on sending, so that answers from the response cache (which keeps no security headers) carry it.
 */
const imageHeaders: onSendHookHandler = async (_request, reply, payload) => {
  reply.header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'; sandbox")
  return payload
}

/** Problem responses, the 500 and 503 described as a rendition's (not the database's). */
function renditionProblems() {
  return describedProblems(problemResponsesOnly(400, 404, 414, 500, 503), {
    500:
      'The original cannot give this rendition (ND_RENDITION_FAILED: answered at once for ten minutes, ' +
      'without trying again), or an unexpected error (ND_INTERNAL)',
    503:
      'Too many renditions are waiting to be generated (ND_RENDITIONS_BUSY), or the database is not ' +
      'available; retry after the number of seconds in Retry-After',
  })
}

/** Sends what the service found: the headers, then the bytes streamed from storage (none for HEAD). */
function send(request: FastifyRequest, reply: FastifyReply, served: Served) {
  reply.header('etag', served.etag)
  if (served.status === 304) return reply.code(304).send()
  reply.header('content-length', String(served.bytes)).type(served.mimeType)
  if (request.method === 'HEAD') {
    // Fastify drains a HEAD answer's stream to its end: close it unread and send an empty one,
    // which keeps the Content-Length of the GET.
    if (served.body instanceof Readable) served.body.destroy()
    return reply.send(Readable.from([]))
  }
  return reply.send(served.body)
}

export const mediaRenditionRoutes: FastifyPluginAsyncTypebox<{ renditions: RenditionsService }> = async (
  app,
  { renditions },
) => {
  app.get(
    '/media/:id/:file',
    {
      // Public and not rate limited: a page shows many images, and a stored rendition costs what a
      // static file does. Generation is bounded by the service (fixed names, one at a time each).
      // Hits come from the response cache while content is unchanged, as for JSON reads.
      config: { access: 'public', cache: true },
      onSend: imageHeaders,
      // A malformed id or file name names no file: 404, as for any other path that is not one.
      attachValidation: true,
      schema: {
        operationId: 'getMediaRendition',
        tags,
        summary: 'Get an image rendition',
        description:
          'One of the renditions a media record lists (its `renditions[].url`), made from the original on first ' +
          'request and stored. The URL changes when the image or its focal point does, so answers are cached for ' +
          'a year (`immutable`). Renditions carry no metadata: no EXIF (GPS position, camera serial), IPTC or XMP. ' +
          '`Surrogate-Key: media:<id>` names the record for CDN purges.',
        params: RenditionParamsSchema,
        response: {
          200: file('The image', imageTypes, ['Cache-Control', 'Surrogate-Key']),
          304: empty('Not modified: the ETag given in If-None-Match is still current (no body)', [
            'ETag',
            'Cache-Control',
            'Surrogate-Key',
          ]),
          // 400: a NUL character in the path, refused before routing as on every path.
          ...renditionProblems(),
        },
      },
    },
    async (request, reply) => {
      // The service checks both parameters against the same patterns (validation is attached, not thrown).
      const { id, file: name } = request.params
      const served = await renditions.rendition(id, name, request.headers['if-none-match'])
      reply.header('cache-control', immutableCacheControl).header('surrogate-key', `media:${id}`)
      return send(request, reply, served)
    },
  )
}

export const mediaOriginalRoutes: FastifyPluginAsyncTypebox<{ renditions: RenditionsService }> = async (
  app,
  { renditions },
) => {
  app.get(
    '/media/:id/original',
    {
      config: { access: 'content:write' },
      onSend: imageHeaders,
      schema: {
        operationId: 'getMediaOriginal',
        tags,
        summary: 'Get the original upload',
        description:
          'The file as it was uploaded, its metadata included (EXIF GPS position and camera serial among it): ' +
          'for the newsroom only, and never kept by shared caches.',
        params: OriginalParamsSchema,
        response: {
          200: file('The original file', imageTypes, ['Cache-Control']),
          304: empty('Not modified: the ETag given in If-None-Match is still current (no body)', [
            'ETag',
            'Cache-Control',
          ]),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const served = await renditions.original(request.params.id, request.headers['if-none-match'])
      reply.header('cache-control', privateCacheControl)
      return send(request, reply, served)
    },
  )
}
