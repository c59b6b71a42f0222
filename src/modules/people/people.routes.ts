import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { read, write } from '../../http/access.js'
import { actorOf, canWrite } from '../../http/auth.js'
import { cacheHeaders, privateCacheControl, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { empty, readResponses, success } from '../../http/responses.js'
import { IdOrSlugParamsSchema, problemResponses, WriteIdParamsSchema } from '../../http/schemas.js'
import {
  PersonCreateSchema,
  PersonListQuerySchema,
  PersonListSchema,
  PersonSchema,
  PersonUpdateSchema,
} from './people.schemas.js'
import type { PeopleService } from './people.service.js'

const tags = ['People']
const emailNote =
  '`email` appears only to callers with content:write; their answers are `Cache-Control: private, no-store`.'

/** A write's answer shows the email address: no shared cache may keep it. */
function privateAnswer(reply: FastifyReply): void {
  reply.header('cache-control', privateCacheControl)
}

type PeoplePlugin = FastifyPluginAsyncTypebox<{ people: PeopleService }>

/** Reads: public, cached; the email address only for write scopes, whose answers stay private. */
const readRoutes: PeoplePlugin = async (app, { people }) => {
  app.get(
    '/people',
    {
      config: read,
      schema: {
        operationId: 'listPeople',
        tags,
        summary: 'List people',
        description:
          'People credited on articles (authors, photographers…), ordered by `sort` and paginated with an opaque ' +
          `cursor; the \`Link\` header carries the next page. ${emailNote}`,
        querystring: PersonListQuerySchema,
        response: {
          ...readResponses('A page of people', PersonListSchema, ['Link', ...cacheHeaders]),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const withEmail = canWrite(request)
      const page = await people.list(request.query, { withEmail })
      setNextLink(request, reply, page.page.nextCursor)
      const surrogateKeys = [
        'people',
        ...page.data.flatMap((p) => [`person:${p.id}`, ...(p.image ? [`media:${p.image.mediaId}`] : [])]),
        // The affiliation filter names a source by slug: a renamed or new source changes the list.
        ...(request.query.affiliation ? ['sources'] : []),
      ]
      setCacheHeaders(reply, { shared: !withEmail, surrogateKeys })
      return page
    },
  )

  app.get(
    '/people/:idOrSlug',
    {
      config: read,
      schema: {
        operationId: 'getPerson',
        tags,
        summary: 'Get a person by id or slug',
        description: emailNote,
        params: IdOrSlugParamsSchema,
        response: { ...readResponses('The person', PersonSchema, cacheHeaders), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const withEmail = canWrite(request)
      const person = await people.get(request.params.idOrSlug, { withEmail })
      // A change to the picture's media record changes the person's `image`.
      const surrogateKeys = [`person:${person.id}`, ...(person.image ? [`media:${person.image.mediaId}`] : [])]
      setCacheHeaders(reply, { shared: !withEmail, surrogateKeys })
      return person
    },
  )
}

const writeRoutes: PeoplePlugin = async (app, { people }) => {
  app.post(
    '/people',
    {
      config: write,
      schema: {
        operationId: 'createPerson',
        tags,
        summary: 'Create a person',
        description:
          'The slug is generated from the name when omitted (the first free of name, name-2, …); a slug given that ' +
          'is already in use is a 409. `bio` is Markdown, served also as sanitised `bioHtml`. The affiliation is ' +
          'named by `affiliationId` (as reads show it) or `affiliation` (a source id or slug); an unknown one is a 422.',
        body: PersonCreateSchema,
        response: {
          201: success('Created; Location names it', PersonSchema, ['Location', 'Cache-Control']),
          ...problemResponses(409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const person = await people.create(request.body, actorOf(request))
      privateAnswer(reply)
      reply.code(201).header('location', `/v1/people/${person.id}`)
      return person
    },
  )

  app.patch(
    '/people/:idOrSlug',
    {
      config: write,
      schema: {
        operationId: 'updatePerson',
        tags,
        summary: 'Update a person',
        description: 'Sends only the fields to change; `null` clears an optional field, `sameAs: []` the profiles.',
        params: WriteIdParamsSchema,
        body: PersonUpdateSchema,
        response: {
          200: success('The person as changed', PersonSchema, ['Cache-Control']),
          ...problemResponses(404, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const person = await people.update(request.params.idOrSlug, request.body, actorOf(request))
      privateAnswer(reply)
      return person
    },
  )

  app.delete(
    '/people/:idOrSlug',
    {
      config: write,
      schema: {
        operationId: 'deletePerson',
        tags,
        summary: 'Delete a person',
        description: 'Refused with 409 while articles credit the person (`references.articles` counts them).',
        params: WriteIdParamsSchema,
        response: { 204: empty('Deleted'), ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await people.remove(request.params.idOrSlug, actorOf(request))
      return reply.code(204).send(null)
    },
  )
}

export const peopleRoutes: PeoplePlugin = async (app, options) => {
  await app.register(readRoutes, options)
  await app.register(writeRoutes, options)
}
