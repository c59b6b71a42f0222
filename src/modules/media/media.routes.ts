import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { RateLimitedError } from '../../errors.js'
import { write } from '../../http/access.js'
import { actorOf } from '../../http/auth.js'
import { parseIfMatch, privateCacheControl } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { empty, readResponses, success } from '../../http/responses.js'
import { describedProblems, IdParamsSchema, IfMatchHeadersSchema, problemResponses } from '../../http/schemas.js'
import { versionEtag } from '../../lib/versions.js'
import { multipartLimits, readUpload } from './media.multipart.js'
import {
  MediaListQuerySchema,
  MediaListSchema,
  MediaSchema,
  MediaUpdateSchema,
  MediaUploadSchema,
} from './media.schemas.js'
import type { MediaService } from './media.service.js'

const tags = ['Media']

type MediaPlugin = FastifyPluginAsyncTypebox<{ media: MediaService; config: Config }>

/** Problem responses whose general description would mislead here (415 "not JSON"). */
function uploadProblems() {
  return describedProblems(problemResponses(413, 415, 422), {
    413: 'The file is larger than MEDIA_MAX_BYTES, or the body holds too many parts',
    415: 'The body is not multipart/form-data, or the file is not a JPEG, PNG, WebP, AVIF or GIF image (by its bytes)',
    422:
      'The image has more pixels than MEDIA_MAX_PIXELS, counting every frame of an animation, or more than 1000 ' +
      'frames (ND_IMAGE_TOO_LARGE), or cannot be decoded (ND_IMAGE_UNREADABLE)',
  })
}

/** The version ETag and no shared caching: the answer to a write. */
function writeHeaders(reply: FastifyReply, version: number): void {
  reply.header('etag', versionEtag(version)).header('cache-control', privateCacheControl)
}

/**
 * The library is the newsroom's: it holds images of drafts and embargoed stories, and an image's id
 * is enough to fetch its renditions. Readers get images through what embeds them (articles,
 * teasers, people), once that is public.
 */
const newsroomOnly = { access: 'content:preview' } as const
const newsroomNote =
  'The library holds images of unpublished stories: it is read with content:preview, and answers are ' +
  '`Cache-Control: private, no-store`. Public readers get images through the articles, teasers and people ' +
  'that embed them.'

const readRoutes: MediaPlugin = async (app, { media }) => {
  app.get(
    '/media',
    {
      config: newsroomOnly,
      schema: {
        operationId: 'listMedia',
        tags,
        summary: 'List media',
        description:
          'The media library, newest first by default, paginated with an opaque cursor; the `Link` header carries ' +
          'the next page. `q` searches the caption, alt text and credit; `credit` and `mimeType` filter exactly. ' +
          newsroomNote,
        querystring: MediaListQuerySchema,
        response: {
          ...readResponses('A page of media', MediaListSchema, ['Link', 'Cache-Control']),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const page = await media.list(request.query)
      setNextLink(request, reply, page.page.nextCursor)
      reply.header('cache-control', privateCacheControl)
      return page
    },
  )

  app.get(
    '/media/:id',
    {
      config: newsroomOnly,
      schema: {
        operationId: 'getMedia',
        tags,
        summary: 'Get a media record',
        description: `Its ETag ("v<version>") is what If-Match takes on changes. ${newsroomNote}`,
        params: IdParamsSchema,
        response: { ...readResponses('The media record', MediaSchema, ['Cache-Control']), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const record = await media.get(request.params.id)
      writeHeaders(reply, record.version)
      return record
    },
  )
}

/** A budget of uploads per key, counted beside (not instead of) the general request budget. */
function uploadBudget(app: Parameters<MediaPlugin>[0], config: Config) {
  const limit = app.createRateLimit({
    max: config.media.uploadMax,
    timeWindow: config.rateLimit.windowMs,
    // A write route: the caller is always a key.
    keyGenerator: (request: FastifyRequest) => `media-upload:${actorOf(request).keyId}`,
  })
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await limit(request)
    if (!result.isAllowed && result.isExceeded) {
      app.countRateLimited('uploads')
      reply.header('retry-after', String(result.ttlInSeconds))
      throw new RateLimitedError(result.max, `${result.ttlInSeconds} seconds (uploads: MEDIA_UPLOAD_MAX)`)
    }
  }
}

const uploadRoute: MediaPlugin = async (app, { media, config }) => {
  // Here only: no other route takes multipart bodies.
  await app.register(multipart, { limits: multipartLimits(config.media.maxBytes), throwFileSizeLimit: true })
  app.post(
    '/media',
    {
      config: write,
      preValidation: uploadBudget(app, config),
      schema: {
        operationId: 'uploadMedia',
        tags,
        summary: 'Upload an image',
        description:
          'A `multipart/form-data` body with the image in the part `file` and optional text fields. The type is ' +
          'taken from the bytes; width and height are as displayed (EXIF orientation applied). Caption, credit, ' +
          'copyright holder and capture time not given are taken from the file’s IPTC, XMP or EXIF metadata. ' +
          'Identical bytes answer 200 with the record that has them (the fields sent are not applied: change it ' +
          'with PATCH). Uploads per key are limited to MEDIA_UPLOAD_MAX per rate-limit window, beside the ' +
          'request budget.',
        'x-multipart-body': MediaUploadSchema,
        response: {
          200: success('These bytes were uploaded before: the record that has them', MediaSchema, ['Cache-Control']),
          201: success('Created; Location names it', MediaSchema, ['Location', 'Cache-Control']),
          ...uploadProblems(),
        },
      },
    },
    async (request, reply) => {
      const { file, fields } = await readUpload(request, config.media.maxBytes)
      const uploaded = await media.upload(file, fields, actorOf(request))
      writeHeaders(reply, uploaded.media.version)
      if (uploaded.created) reply.code(201).header('location', `/v1/media/${uploaded.media.id}`)
      return uploaded.media
    },
  )
}

const changeRoutes: MediaPlugin = async (app, { media }) => {
  app.patch(
    '/media/:id',
    {
      config: write,
      schema: {
        operationId: 'updateMedia',
        tags,
        summary: 'Update a media record',
        description:
          'Sends only the fields to change; `null` clears one. A new focal point changes the URLs of the cropped ' +
          'renditions. With If-Match, a stale version is a 412 carrying the current version.',
        params: IdParamsSchema,
        headers: IfMatchHeadersSchema,
        body: MediaUpdateSchema,
        response: {
          200: success('The media record as changed', MediaSchema, ['Cache-Control']),
          ...problemResponses(404, 412, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const record = await media.update(request.params.id, request.body, parseIfMatch(request), actorOf(request))
      writeHeaders(reply, record.version)
      return record
    },
  )

  app.delete(
    '/media/:id',
    {
      config: write,
      schema: {
        operationId: 'deleteMedia',
        tags,
        summary: 'Delete a media record and its files',
        description:
          'Refused with 409 (`ND_MEDIA_IN_USE`, `references` counting them) while an article (lead image or body), ' +
          'a teaser or a person uses the image. Deleted articles let go of it.',
        params: IdParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: empty('Deleted'), ...problemResponses(404, 409, 412) },
      },
    },
    async (request, reply) => {
      await media.remove(request.params.id, parseIfMatch(request), actorOf(request))
      return reply.code(204).send(null)
    },
  )
}

export const mediaRoutes: MediaPlugin = async (app, options) => {
  await app.register(readRoutes, options)
  await app.register(uploadRoute, options)
  await app.register(changeRoutes, options)
}
