import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { read } from '../../http/access.js'
import { canPreview } from '../../http/auth.js'
import { cacheHeaders, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { readResponses } from '../../http/responses.js'
import { problemResponses } from '../../http/schemas.js'
import { TagListQuerySchema, TagListSchema } from './tags.schemas.js'
import type { TagsService } from './tags.service.js'

export const tagsRoutes: FastifyPluginAsyncTypebox<{ tags: TagsService }> = async (app, { tags }) => {
  app.get(
    '/tags',
    {
      config: read,
      schema: {
        operationId: 'listTags',
        tags: ['Tags'],
        summary: 'List tags with article counts',
        description:
          'By slug. Public callers see the tags of published articles, each counting its published articles. ' +
          'Callers with content:preview (or content:write) see every tag, counting every article not deleted ' +
          '(drafts and scheduled ones too), and tags no article uses any more.',
        querystring: TagListQuerySchema,
        response: {
          ...readResponses('A page of tags', TagListSchema, ['Link', ...cacheHeaders]),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      const page = await tags.list(request.query, preview)
      setNextLink(request, reply, page.page.nextCursor)
      setCacheHeaders(reply, { shared: !preview, surrogateKeys: ['tags'] })
      return page
    },
  )
}
