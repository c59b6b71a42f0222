import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { read, write } from '../../http/access.js'
import { actorOf } from '../../http/auth.js'
import { setNextLink } from '../../http/pagination.js'
import { empty, readResponses, success } from '../../http/responses.js'
import { IdOrSlugParamsSchema, problemResponses, WriteIdParamsSchema } from '../../http/schemas.js'
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
        response: { ...readResponses('A page of sources', SourceListSchema, ['Link']), ...problemResponses() },
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
        description:
          'The slug is generated from the name when omitted (the first free of name, name-2, …); a slug given ' +
          'that is already in use is a 409.',
        body: SourceCreateSchema,
        response: {
          201: success('Created; Location names it', SourceSchema, ['Location']),
          ...problemResponses(409, 413, 415),
        },
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
        response: { ...readResponses('The source', SourceSchema), ...problemResponses(404) },
      },
    },
    async (request) => sources.get(request.params.idOrSlug),
  )

  app.patch(
    '/sources/:idOrSlug',
    {
      config: write,
      schema: {
        operationId: 'updateSource',
        tags,
        summary: 'Update a source',
        description: 'Sends only the fields to change; `null` clears an optional field.',
        params: WriteIdParamsSchema,
        body: SourceUpdateSchema,
        response: { 200: success('The source as changed', SourceSchema), ...problemResponses(404, 409, 413, 415) },
      },
    },
    async (request) => sources.update(request.params.idOrSlug, request.body, actorOf(request)),
  )

  app.delete(
    '/sources/:idOrSlug',
    {
      config: write,
      schema: {
        operationId: 'deleteSource',
        tags,
        summary: 'Delete a source',
        description: 'Refused with 409 while articles, wire credits or teasers still reference the source.',
        params: WriteIdParamsSchema,
        response: { 204: empty('Deleted'), ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await sources.remove(request.params.idOrSlug, actorOf(request))
      return reply.code(204).send(null)
    },
  )
}
