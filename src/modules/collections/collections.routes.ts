import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import Type from 'typebox'
import { ForbiddenError } from '../../errors.js'
import { read, write } from '../../http/access.js'
import { actorOf, canPreview } from '../../http/auth.js'
import { parseIfMatch, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { IdParamsSchema, problemResponses } from '../../http/schemas.js'
import { versionEtag } from '../../lib/versions.js'
import {
  CollectionCreateSchema,
  CollectionDeleteQuerySchema,
  CollectionListQuerySchema,
  CollectionListSchema,
  CollectionSchema,
  CollectionUpdateSchema,
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
import type { Box, CollectionsService } from './collections.service.js'

const tags = ['Collections']
const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 200, description: 'ETag ("v<version>") the change is based on' })),
})

function boxHeaders(reply: FastifyReply, box: Box, shared: boolean) {
  // Only what the answer shows: a public box must not name the teasers, articles and sources it
  // hides. `articles` purges it when an article is published, which may show a hidden teaser.
  const keys = [
    `collection:${box.collection.key}`,
    'articles',
    ...box.teasers.flatMap((teaser) => [
      `teaser:${teaser.id}`,
      ...(teaser.article ? [`article:${teaser.article.id}`] : []),
      ...(teaser.article?.source ? [`source:${teaser.article.source.id}`] : []),
      ...(teaser.sourceId ? [`source:${teaser.sourceId}`] : []),
    ]),
  ]
  setCacheHeaders(reply, { shared, surrogateKeys: keys, lastModified: box.collection.updatedAt })
  // A shared cache must not keep the box past the moment it changes by itself.
  if (shared && box.nextChangeAt) {
    const seconds = Math.max(0, Math.floor((box.nextChangeAt.getTime() - box.at.getTime()) / 1000))
    if (seconds < 60) reply.header('cache-control', `public, max-age=${seconds}, stale-while-revalidate=0`)
  }
}

export const collectionsRoutes: FastifyPluginAsyncTypebox<{ collections: CollectionsService }> = async (
  app,
  { collections },
) => {
  app.get(
    '/collections',
    {
      config: read,
      schema: {
        operationId: 'listCollections',
        tags,
        summary: 'List collections',
        querystring: CollectionListQuerySchema,
        response: { 200: CollectionListSchema, ...problemResponses() },
      },
    },
    async (request, reply) => {
      const page = await collections.list(request.query.limit, request.query.cursor)
      setNextLink(request, reply, page.page.nextCursor)
      setCacheHeaders(reply, { shared: !canPreview(request), surrogateKeys: ['collections'] })
      return page
    },
  )

  app.post(
    '/collections',
    {
      config: write,
      schema: {
        operationId: 'createCollection',
        tags,
        summary: 'Create a collection',
        body: CollectionCreateSchema,
        response: { 201: CollectionSchema, ...problemResponses(409, 413, 415) },
      },
    },
    async (request, reply) => {
      const collection = await collections.create(request.body, actorOf(request))
      reply
        .code(201)
        .header('location', `/v1/collections/${collection.key}`)
        .header('etag', versionEtag(collection.version))
      return collection
    },
  )

  app.get(
    '/collections/:key',
    {
      config: read,
      schema: {
        operationId: 'getCollection',
        tags,
        summary: 'Get a collection',
        description: 'Its ETag ("v<version>") is what If-Match takes on edits and reorders.',
        params: KeyParamsSchema,
        response: { 200: CollectionSchema, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const collection = await collections.get(request.params.key)
      reply.header('etag', versionEtag(collection.version))
      setCacheHeaders(reply, { shared: !canPreview(request), surrogateKeys: [`collection:${collection.key}`] })
      return collection
    },
  )

  app.patch(
    '/collections/:key',
    {
      config: write,
      schema: {
        operationId: 'updateCollection',
        tags,
        summary: 'Update a collection',
        params: KeyParamsSchema,
        headers: IfMatchHeaders,
        body: CollectionUpdateSchema,
        response: { 200: CollectionSchema, ...problemResponses(404, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      const collection = await collections.update(
        request.params.key,
        request.body,
        parseIfMatch(request),
        actorOf(request),
      )
      reply.header('etag', versionEtag(collection.version))
      return collection
    },
  )

  app.delete(
    '/collections/:key',
    {
      config: write,
      schema: {
        operationId: 'deleteCollection',
        tags,
        summary: 'Delete a collection',
        description: 'A collection that holds teasers is a 409 unless `withTeasers=true`.',
        params: KeyParamsSchema,
        querystring: CollectionDeleteQuerySchema,
        headers: IfMatchHeaders,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(404, 409, 412) },
      },
    },
    async (request, reply) => {
      await collections.remove(
        request.params.key,
        request.query.withTeasers === true,
        parseIfMatch(request),
        actorOf(request),
      )
      return reply.code(204).send(null)
    },
  )

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
        response: { 200: TeaserBoxSchema, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      if (request.query.at && !preview) throw new ForbiddenError('content:preview')
      const box = await collections.box(request.params.key, {
        preview,
        at: request.query.at ? new Date(request.query.at) : undefined,
      })
      boxHeaders(reply, box, !preview)
      return { data: box.teasers, page: { limit: box.collection.maxItems, nextCursor: null } }
    },
  )

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
        headers: IfMatchHeaders,
        body: TeaserCreateSchema,
        response: { 201: TeaserSchema, ...problemResponses(404, 412, 413, 415, 422) },
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
        headers: IfMatchHeaders,
        body: OrderSchema,
        response: { 200: TeaserBoxSchema, ...problemResponses(404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      const box = await collections.reorder(
        request.params.key,
        request.body.teaserIds,
        parseIfMatch(request),
        actorOf(request),
      )
      reply.header('etag', versionEtag(box.collection.version)).header('cache-control', 'private, no-store')
      return { data: box.teasers, page: { limit: box.collection.maxItems, nextCursor: null } }
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
        response: { 200: HistoryListSchema, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const page = await collections.history(request.params.key, request.query.limit, request.query.cursor)
      setNextLink(request, reply, page.page.nextCursor)
      reply.header('cache-control', 'private, no-store')
      return page
    },
  )

  app.get(
    '/teasers/:id',
    {
      config: { access: 'content:preview' },
      schema: {
        operationId: 'getTeaser',
        tags,
        summary: 'Get a teaser',
        params: IdParamsSchema,
        response: { 200: TeaserSchema, ...problemResponses(404) },
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
        headers: IfMatchHeaders,
        body: TeaserUpdateSchema,
        response: { 200: TeaserSchema, ...problemResponses(404, 412, 413, 415, 422) },
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
        headers: IfMatchHeaders,
        response: { 204: Type.Null({ description: 'Removed' }), ...problemResponses(404, 412) },
      },
    },
    async (request, reply) => {
      await collections.removeTeaser(request.params.id, parseIfMatch(request), actorOf(request))
      return reply.code(204).send(null)
    },
  )
}
