// Collections' routes: the collections themselves, read and written. Their teasers (the box, the
// line-up's changes and history, single teasers) are in teasers.routes.ts. The spec lists paths in
// the order they are first registered and a path's methods in theirs: reads go first, so GET comes
// before POST on /collections and before PATCH and DELETE on /collections/{key}.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { read, write } from '../../http/access.js'
import { actorOf, canPreview } from '../../http/auth.js'
import { cacheHeaders, parseIfMatch, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { empty, readResponses, success } from '../../http/responses.js'
import { IfMatchHeadersSchema, problemResponses } from '../../http/schemas.js'
import { versionEtag } from '../../lib/versions.js'
import {
  CollectionCreateSchema,
  CollectionDeleteQuerySchema,
  CollectionListQuerySchema,
  CollectionListSchema,
  CollectionSchema,
  CollectionUpdateSchema,
  KeyParamsSchema,
} from './collections.schemas.js'
import type { CollectionsService } from './collections.service.js'
import { teasersRoutes } from './teasers.routes.js'

const tags = ['Collections']

/** Reading collections: the list and one collection. */
const collectionReadRoutes: FastifyPluginAsyncTypebox<{ collections: CollectionsService }> = async (
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
        response: {
          ...readResponses('A page of collections', CollectionListSchema, ['Link', ...cacheHeaders]),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const page = await collections.list(request.query.limit, request.query.cursor)
      setNextLink(request, reply, page.page.nextCursor)
      setCacheHeaders(reply, { shared: !canPreview(request), surrogateKeys: ['collections'] })
      return page
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
        response: { ...readResponses('The collection', CollectionSchema, cacheHeaders), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const collection = await collections.get(request.params.key)
      reply.header('etag', versionEtag(collection.version))
      setCacheHeaders(reply, { shared: !canPreview(request), surrogateKeys: [`collection:${collection.key}`] })
      return collection
    },
  )
}

/** Creating, editing and deleting a collection. */
const collectionWriteRoutes: FastifyPluginAsyncTypebox<{ collections: CollectionsService }> = async (
  app,
  { collections },
) => {
  app.post(
    '/collections',
    {
      config: write,
      schema: {
        operationId: 'createCollection',
        tags,
        summary: 'Create a collection',
        description: 'A key already in use is a 409 (so the example succeeds once on the example content).',
        body: CollectionCreateSchema,
        response: {
          201: success('Created; Location names it', CollectionSchema, ['Location']),
          ...problemResponses(409, 413, 415),
        },
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

  app.patch(
    '/collections/:key',
    {
      config: write,
      schema: {
        operationId: 'updateCollection',
        tags,
        summary: 'Update a collection',
        params: KeyParamsSchema,
        headers: IfMatchHeadersSchema,
        body: CollectionUpdateSchema,
        response: {
          200: success('The collection as changed', CollectionSchema),
          ...problemResponses(404, 412, 413, 415),
        },
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
        headers: IfMatchHeadersSchema,
        response: { 204: empty('Deleted'), ...problemResponses(404, 409, 412) },
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
}

export const collectionsRoutes: FastifyPluginAsyncTypebox<{ collections: CollectionsService }> = async (
  app,
  { collections },
) => {
  await app.register(collectionReadRoutes, { collections })
  await app.register(collectionWriteRoutes, { collections })
  await app.register(teasersRoutes, { collections })
}
