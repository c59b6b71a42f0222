import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { read, write } from '../../http/access.js'
import { actorOf, canPreview } from '../../http/auth.js'
import { cacheHeaders, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { empty, readResponses, success } from '../../http/responses.js'
import { problemResponses } from '../../http/schemas.js'
import {
  TagCreateSchema,
  TagListQuerySchema,
  TagListSchema,
  TagMergeSchema,
  TagParamsSchema,
  TagUpdateSchema,
  TagWithCountSchema,
} from './tags.schemas.js'
import type { TagsService } from './tags.service.js'

const tags = ['Tags']

const visibility =
  'Public callers see a tag only while at least one published article uses it, counting those (a tag ' +
  'of drafts alone would tell what is being written); callers with content:preview (or content:write) ' +
  'see every tag, counting every article not deleted.'

type TagsPlugin = FastifyPluginAsyncTypebox<{ tags: TagsService }>

/** The vocabulary: listed and added to. */
const vocabularyRoutes: TagsPlugin = async (app, { tags: service }) => {
  app.get(
    '/tags',
    {
      config: read,
      schema: {
        operationId: 'listTags',
        tags,
        summary: 'List tags with article counts',
        description: `By slug, filtered by \`type\` and \`q\` (a substring of the name or slug). ${visibility}`,
        querystring: TagListQuerySchema,
        response: {
          ...readResponses('A page of tags', TagListSchema, ['Link', ...cacheHeaders]),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      const page = await service.list(request.query, preview)
      setNextLink(request, reply, page.page.nextCursor)
      setCacheHeaders(reply, { shared: !preview, surrogateKeys: ['tags'] })
      return page
    },
  )

  app.post(
    '/tags',
    {
      config: write,
      schema: {
        operationId: 'createTag',
        tags,
        summary: 'Create a tag',
        description:
          'A slug another tag has, or had (it still resolves to that tag), is a 409. `uri` ties the tag to ' +
          'another vocabulary: an IPTC Media Topic, a Wikidata item.',
        body: TagCreateSchema,
        response: {
          201: success('Created; Location names it', TagWithCountSchema, ['Location']),
          ...problemResponses(409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const tag = await service.create(request.body, actorOf(request))
      reply.code(201).header('location', `/v1/tags/${tag.slug}`)
      return tag
    },
  )
}

/** One tag: read, changed, deleted, merged into another. */
const tagRoutes: TagsPlugin = async (app, { tags: service }) => {
  app.get(
    '/tags/:slug',
    {
      config: read,
      schema: {
        operationId: 'getTag',
        tags,
        summary: 'Get a tag by its slug',
        description:
          'A former slug (of a renamed tag, or of one merged into it) answers the tag it resolves to: its `slug` ' +
          `is the current one. ${visibility} A tag the caller may not see is a 404.`,
        params: TagParamsSchema,
        response: {
          ...readResponses('The tag with its article count', TagWithCountSchema, cacheHeaders),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      const tag = await service.get(request.params.slug, preview)
      const surrogateKeys = [`tag:${tag.slug}`, `tag:${request.params.slug}`, 'tags']
      setCacheHeaders(reply, { shared: !preview, surrogateKeys })
      return tag
    },
  )

  app.patch(
    '/tags/:slug',
    {
      config: write,
      schema: {
        operationId: 'updateTag',
        tags,
        summary: 'Update a tag',
        description:
          'Sends only the fields to change; `null` clears `uri` or `description`. A new `slug` keeps the old one ' +
          'resolving to the tag (reads, article writes, the `tag` filter of article lists), and the articles ' +
          'using the tag get a new version and revision (their `tags` show the new slug). Changes name the ' +
          'tag by its current slug: a former one is a 409.',
        params: TagParamsSchema,
        body: TagUpdateSchema,
        response: {
          200: success('The tag as changed', TagWithCountSchema),
          ...problemResponses(404, 409, 413, 415),
        },
      },
    },
    async (request) => service.update(request.params.slug, request.body, actorOf(request)),
  )

  app.delete(
    '/tags/:slug',
    {
      config: write,
      schema: {
        operationId: 'deleteTag',
        tags,
        summary: 'Delete a tag',
        description:
          'Refused with 409 (`articleCount`) while articles that are not deleted use the tag: remove it from them ' +
          'or merge it into another tag. Its links from deleted articles go with it.',
        params: TagParamsSchema,
        response: { 204: empty('Deleted'), ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.slug, actorOf(request))
      return reply.code(204).send(null)
    },
  )
}

const mergeRoutes: TagsPlugin = async (app, { tags: service }) => {
  app.post(
    '/tags/:slug/merge',
    {
      config: write,
      schema: {
        operationId: 'mergeTag',
        tags,
        summary: 'Merge a tag into another',
        description:
          'In one transaction: every article of the tag moves to `into` (one that had both keeps one) and gets a ' +
          'new version and revision, the tag is deleted, and its slug and former slugs resolve to `into` from ' +
          'then on. `into` naming no tag, or this one, is a 422. Answers `into` after the merge.',
        params: TagParamsSchema,
        body: TagMergeSchema,
        response: {
          200: success('The tag merged into, as it is now', TagWithCountSchema),
          ...problemResponses(404, 409, 413, 415, 422),
        },
      },
    },
    async (request) => service.merge(request.params.slug, request.body, actorOf(request)),
  )
}

// Registered in path order: the spec lists paths in the order they are first registered.
export const tagsRoutes: TagsPlugin = async (app, options) => {
  await app.register(vocabularyRoutes, options)
  await app.register(tagRoutes, options)
  await app.register(mergeRoutes, options)
}
