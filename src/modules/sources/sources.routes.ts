import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { read, write } from '../../http/access.js'
import { actorOf } from '../../http/auth.js'
import { setNextLink } from '../../http/pagination.js'
import { IdOrSlugParamsSchema, IdParamsSchema, problemResponses } from '../../http/schemas.js'
import {
  SourceCreateSchema,
  SourceListQuerySchema,
  SourceListSchema,
  SourceSchema,
  SourceUpdateSchema,
} from './sources.schemas.js'
import type { SourcesService } from './sources.service.js'

const tags = ['Sources']

export const sourcesRoutes: FastifyPluginAsyncTypebox<{ sources: SourcesService }> = async (app, { sources }) => {
  app.get(
    '/sources',
    {
      config: read,
      schema: {
        operationId: 'listSources',
        tags,
        summary: 'List sources',
        description:
          'Publishers, news agencies and partners, ordered by `sort` and paginated with an opaque cursor. ' +
          'The `Link` header carries the next page.',
        querystring: SourceListQuerySchema,
        response: { 200: SourceListSchema, ...problemResponses() },
      },
    },
    async (request, reply) => {
      const page = await sources.list(request.query)
      setNextLink(request, reply, page.page.nextCursor)
      return page
    },
  )

  app.post(
    '/sources',
    {
      config: write,
      schema: {
        operationId: 'createSource',
        tags,
        summary: 'Create a source',
        description: 'The slug is generated from the name when omitted; a slug already in use is a 409.',
        body: SourceCreateSchema,
        response: { 201: SourceSchema, ...problemResponses(409, 413, 415) },
      },
    },
    async (request, reply) => {
      const source = await sources.create(request.body, actorOf(request))
      reply.code(201).header('location', `/v1/sources/${source.id}`)
      return source
    },
  )

  app.get(
    '/sources/:idOrSlug',
    {
      config: read,
      schema: {
        operationId: 'getSource',
        tags,
        summary: 'Get a source by id or slug',
        params: IdOrSlugParamsSchema,
        response: { 200: SourceSchema, ...problemResponses(404) },
      },
    },
    async (request) => sources.get(request.params.idOrSlug),
  )

  app.patch(
    '/sources/:id',
    {
      config: write,
      schema: {
        operationId: 'updateSource',
        tags,
        summary: 'Update a source',
        description: 'Sends only the fields to change; `null` clears an optional field.',
        params: IdParamsSchema,
        body: SourceUpdateSchema,
        response: { 200: SourceSchema, ...problemResponses(404, 409, 413, 415) },
      },
    },
    async (request) => sources.update(request.params.id, request.body, actorOf(request)),
  )

  app.delete(
    '/sources/:id',
    {
      config: write,
      schema: {
        operationId: 'deleteSource',
        tags,
        summary: 'Delete a source',
        description: 'Refused with 409 while articles, wire credits or teasers still reference the source.',
        params: IdParamsSchema,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await sources.remove(request.params.id, actorOf(request))
      return reply.code(204).send(null)
    },
  )
}
