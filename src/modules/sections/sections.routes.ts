// Sections' routes. A section is named by its id or its path, and a path has slashes: each route
// on /sections/{idOrPath} is registered twice, once as the spec documents it (one segment: an id,
// or a path with its slashes encoded, world%2Fmiddle-east) and once, hidden from the spec, as a
// wildcard taking the path with its slashes as they are (world/middle-east). The router tries the
// parameter first and falls back to the wildcard, so a path too long for one parameter works too.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify'
import { read, write } from '../../http/access.js'
import { actorOf, canPreview } from '../../http/auth.js'
import { cacheHeaders, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { empty, readResponses, success } from '../../http/responses.js'
import { problemResponses } from '../../http/schemas.js'
import {
  type IdOrPathParams,
  IdOrPathParamsSchema,
  SectionCreateSchema,
  SectionListQuerySchema,
  SectionListSchema,
  SectionSchema,
  type SectionUpdate,
  SectionUpdateSchema,
} from './sections.schemas.js'
import type { SectionsService } from './sections.service.js'

const tags = ['Sections']

/** The wildcard route's path, under the name the documented route gives it (before validation). */
async function pathFromWildcard(request: FastifyRequest) {
  const { '*': path } = request.params as { '*': string }
  request.params = { idOrPath: path }
}

type Handler = (
  request: FastifyRequest<{ Params: IdOrPathParams; Body: SectionUpdate }>,
  reply: FastifyReply,
) => Promise<unknown>

/** Registers a route on /sections/{idOrPath} and its hidden wildcard twin (see above). */
function onSection(
  app: FastifyInstance,
  method: 'GET' | 'PATCH' | 'DELETE',
  options: RouteShorthandOptions,
  handler: Handler,
) {
  const schema = { ...options.schema, params: IdOrPathParamsSchema }
  app.route({ ...options, method, url: '/sections/:idOrPath', schema, handler: handler as never })
  app.route({
    ...options,
    method,
    url: '/sections/*',
    schema: { ...schema, hide: true },
    preValidation: pathFromWildcard,
    handler: handler as never,
  })
}

type SectionsRoutes = FastifyPluginAsyncTypebox<{ sections: SectionsService }>

/** The list and one section. */
const sectionReadRoutes: SectionsRoutes = async (app, { sections }) => {
  app.get(
    '/sections',
    {
      config: read,
      schema: {
        operationId: 'listSections',
        tags,
        summary: 'List sections, flat or as a tree',
        description:
          'Flat (the default): every section, or the children of `parent`, ordered by path and paginated with ' +
          'an opaque cursor; the `Link` header carries the next page. With `tree=true`: every section in one ' +
          'answer, the roots with their `children`, siblings ordered by position, then slug.',
        querystring: SectionListQuerySchema,
        response: {
          ...readResponses('A page of sections, or the tree', SectionListSchema, ['Link', ...cacheHeaders]),
          ...problemResponses(409),
        },
      },
    },
    async (request, reply) => {
      const list = await sections.list(request.query)
      if ('page' in list) setNextLink(request, reply, list.page.nextCursor)
      setCacheHeaders(reply, { shared: !canPreview(request), surrogateKeys: ['sections'] })
      return list
    },
  )

  onSection(
    app,
    'GET',
    {
      config: read,
      schema: {
        operationId: 'getSection',
        tags,
        summary: 'Get a section by id or path',
        response: { ...readResponses('The section', SectionSchema, cacheHeaders), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const section = await sections.get(request.params.idOrPath)
      setCacheHeaders(reply, { shared: !canPreview(request), surrogateKeys: [`section:${section.id}`] })
      return section
    },
  )
}

/** Creating, changing (renaming, moving) and deleting a section. */
const sectionWriteRoutes: SectionsRoutes = async (app, { sections }) => {
  app.post(
    '/sections',
    {
      config: write,
      schema: {
        operationId: 'createSection',
        tags,
        summary: 'Create a section',
        description:
          'Under `parent` (an id or a path) or `parentId`; a root when neither is given or null. The slug is ' +
          'generated from the name when omitted (the first free among its siblings: name, name-2, …); a path ' +
          'already in use is a 409. An unknown parent, or one at the deepest level (8), is a 422.',
        body: SectionCreateSchema,
        response: {
          201: success('Created; Location names it', SectionSchema, ['Location']),
          ...problemResponses(409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const section = await sections.create(request.body, actorOf(request))
      reply.code(201).header('location', `/v1/sections/${section.id}`)
      return section
    },
  )

  onSection(
    app,
    'PATCH',
    {
      config: write,
      schema: {
        operationId: 'updateSection',
        tags,
        summary: 'Update, rename or move a section',
        description:
          'Takes the id or the path. Sends only the fields to change; `null` clears the description, and ' +
          'makes the section a root as `parent` or `parentId`. A new slug or parent rewrites the path and ' +
          'depth of the section and of its whole subtree at once. A move under itself or one of its ' +
          'descendants (ND_SECTION_CYCLE), or one that would take a section of the subtree deeper than 8 ' +
          'levels (ND_SECTION_TOO_DEEP), is a 422; a path already in use is a 409.',
        body: SectionUpdateSchema,
        response: {
          200: success('The section as changed', SectionSchema),
          ...problemResponses(404, 409, 413, 415, 422),
        },
      },
    },
    async (request) => sections.update(request.params.idOrPath, request.body, actorOf(request)),
  )

  onSection(
    app,
    'DELETE',
    {
      config: write,
      schema: {
        operationId: 'deleteSection',
        tags,
        summary: 'Delete a section',
        description:
          'Takes the id or the path. Refused with 409 while the section has child sections or articles ' +
          '(`sectionReferences` counts them).',
        response: { 204: empty('Deleted'), ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await sections.remove(request.params.idOrPath, actorOf(request))
      return reply.code(204).send(null)
    },
  )
}

// Reads first: the spec lists a path's methods in the order they are registered.
export const sectionsRoutes: SectionsRoutes = async (app, options) => {
  await app.register(sectionReadRoutes, options)
  await app.register(sectionWriteRoutes, options)
}
