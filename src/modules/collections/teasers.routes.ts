// Teasers' routes: the box (a collection's visible teasers), adding and reordering teasers, the
// line-up's history, and reading, editing and removing one teaser.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { ForbiddenError } from '../../errors.js'
import { read, write } from '../../http/access.js'
import { actorOf, canPreview, canSeeEmbargoed } from '../../http/auth.js'
import { cacheHeaders, parseIfMatch, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { empty, readResponses, success } from '../../http/responses.js'
import { IdParamsSchema, IfMatchHeadersSchema, problemResponses } from '../../http/schemas.js'
import { versionEtag } from '../../lib/versions.js'
import type { Box } from './collections.box.js'
import {
  HistoryListSchema,
  HistoryQuerySchema,
  KeyParamsSchema,
  OrderSchema,
  TeaserBoxQuerySchema,
  TeaserBoxSchema,
  TeaserCreateSchema,
  TeaserSchema,
  TeaserUpdateSchema,
} from './collections.schemas.js'
import type { CollectionsService } from './collections.service.js'

const tags = ['Collections']

function boxHeaders(reply: FastifyReply, box: Box, shared: boolean) {
  setCacheHeaders(reply, { shared, surrogateKeys: box.surrogateKeys, lastModified: box.lastModified })
  // A shared cache must not keep the box past the moment it changes by itself.
  if (shared && box.changesIn !== null && box.changesIn < 60) {
    reply.header('cache-control', `public, max-age=${box.changesIn}, stale-while-revalidate=0`)
  }
}

/** The box: what readers see of a collection, or all of it for editors. */
const boxRoutes: FastifyPluginAsyncTypebox<{ collections: CollectionsService }> = async (app, { collections }) => {
  app.get(
    '/collections/:key/teasers',
    {
      config: read,
      schema: {
        operationId: 'listCollectionTeasers',
        tags,
        summary: 'The box: visible teasers in order',
        description:
          'Pinned teasers first, then by position; only those inside their time window whose article is public, ' +
          'capped at the collection’s maxItems, each with its article (or URL) and source resolved. Preview and ' +
          'write scopes get every teaser with `visible` and `hiddenReason`, and may pass `at` for the box as it was.',
        params: KeyParamsSchema,
        querystring: TeaserBoxQuerySchema,
        response: {
          ...readResponses('The box: its teasers in order', TeaserBoxSchema, [...cacheHeaders, 'Last-Modified']),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      if (request.query.at && !preview) throw new ForbiddenError('content:preview')
      const box = await collections.box(request.params.key, {
        preview,
        at: request.query.at ? new Date(request.query.at) : undefined,
      })
      // Preview implies content:embargoed: neither answer may be kept by a shared cache.
      boxHeaders(reply, box, !canSeeEmbargoed(request))
      return { data: box.teasers, page: { limit: box.limit, nextCursor: null } }
    },
  )
}

/** Changes to the line-up (adding a teaser, reordering) and their history. */
const lineUpRoutes: FastifyPluginAsyncTypebox<{ collections: CollectionsService }> = async (app, { collections }) => {
  app.post(
    '/collections/:key/teasers',
    {
      config: write,
      schema: {
        operationId: 'addTeaser',
        tags,
        summary: 'Add a teaser to a collection',
        description:
          'Links to exactly one of an article (`articleId`; unknown: 422) or an http(s) `url`. `position` places it ' +
          '(default: last); positions of the others shift to stay dense. If-Match takes the collection’s ETag.',
        params: KeyParamsSchema,
        headers: IfMatchHeadersSchema,
        body: TeaserCreateSchema,
        response: {
          201: success('Added; Location names the teaser', TeaserSchema, ['Location']),
          ...problemResponses(404, 412, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const teaser = await collections.addTeaser(
        request.params.key,
        request.body,
        parseIfMatch(request),
        actorOf(request),
      )
      reply.code(201).header('location', `/v1/teasers/${teaser.id}`).header('etag', versionEtag(teaser.version))
      return teaser
    },
  )

  app.put(
    '/collections/:key/order',
    {
      config: write,
      schema: {
        operationId: 'reorderTeasers',
        tags,
        summary: 'Reorder a collection’s teasers atomically',
        description:
          'The body lists every teaser id of the collection in the new order (409 listing `missing` and `unexpected` ' +
          'ids otherwise). Pinned teasers stay first. With If-Match (the collection’s ETag), two editors reordering ' +
          'from the same version: one wins, the other gets 412.',
        params: KeyParamsSchema,
        headers: IfMatchHeadersSchema,
        body: OrderSchema,
        response: {
          200: success('The box in its new order', TeaserBoxSchema, ['Cache-Control']),
          ...problemResponses(404, 409, 412, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const box = await collections.reorder(
        request.params.key,
        request.body.teaserIds,
        parseIfMatch(request),
        actorOf(request),
      )
      reply.header('etag', versionEtag(box.version)).header('cache-control', 'private, no-store')
      return { data: box.teasers, page: { limit: box.limit, nextCursor: null } }
    },
  )

  app.get(
    '/collections/:key/history',
    {
      config: { access: 'content:preview' },
      schema: {
        operationId: 'listCollectionHistory',
        tags,
        summary: 'Changes to a collection’s line-up',
        description:
          'Newest first: each add, remove, move, pin, update and reorder, who made it and the line-up after it.',
        params: KeyParamsSchema,
        querystring: HistoryQuerySchema,
        response: {
          ...readResponses('A page of line-up changes, newest first', HistoryListSchema, ['Link', 'Cache-Control']),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const page = await collections.history(request.params.key, request.query.limit, request.query.cursor)
      setNextLink(request, reply, page.page.nextCursor)
      reply.header('cache-control', 'private, no-store')
      return page
    },
  )
}

/** One teaser: read, edited or removed. */
const teaserRoutes: FastifyPluginAsyncTypebox<{ collections: CollectionsService }> = async (app, { collections }) => {
  app.get(
    '/teasers/:id',
    {
      config: { access: 'content:preview' },
      schema: {
        operationId: 'getTeaser',
        tags,
        summary: 'Get a teaser',
        params: IdParamsSchema,
        response: { ...readResponses('The teaser', TeaserSchema, ['Cache-Control']), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      // The ETag is a hash of the body: it must change when others move this teaser or its article
      // changes, which its own version does not record. If-Match takes "v<version>" from the body.
      reply.header('cache-control', 'private, no-store')
      return collections.getTeaser(request.params.id)
    },
  )

  app.patch(
    '/teasers/:id',
    {
      config: write,
      schema: {
        operationId: 'updateTeaser',
        tags,
        summary: 'Update, move, pin or reschedule a teaser',
        description: 'If-Match takes the teaser’s version as "v<version>" (the `version` field).',
        params: IdParamsSchema,
        headers: IfMatchHeadersSchema,
        body: TeaserUpdateSchema,
        response: {
          200: success('The teaser as changed', TeaserSchema),
          ...problemResponses(404, 412, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const teaser = await collections.updateTeaser(
        request.params.id,
        request.body,
        parseIfMatch(request),
        actorOf(request),
      )
      reply.header('etag', versionEtag(teaser.version))
      return teaser
    },
  )

  app.delete(
    '/teasers/:id',
    {
      config: write,
      schema: {
        operationId: 'deleteTeaser',
        tags,
        summary: 'Remove a teaser',
        params: IdParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: empty('Removed'), ...problemResponses(404, 412) },
      },
    },
    async (request, reply) => {
      await collections.removeTeaser(request.params.id, parseIfMatch(request), actorOf(request))
      return reply.code(204).send(null)
    },
  )
}

// In the order of the spec, which lists paths as they are first registered and a path's methods in theirs.
export const teasersRoutes: FastifyPluginAsyncTypebox<{ collections: CollectionsService }> = async (
  app,
  { collections },
) => {
  await app.register(boxRoutes, { collections })
  await app.register(lineUpRoutes, { collections })
  await app.register(teaserRoutes, { collections })
}
