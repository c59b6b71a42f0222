import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { read } from '../../http/access.js'
import { cacheHeaders } from '../../http/caching.js'
import { readResponses } from '../../http/responses.js'
import { IdOrSlugParamsSchema, problemResponses } from '../../http/schemas.js'
import { readHeaders, tags, viewOf } from './articles.http.js'
import { RelatedArticlesSchema, RelatedQuerySchema, rankingDescription } from './articles.related.schemas.js'
import type { ArticlesService } from './articles.service.js'

/** An article's related articles: a short list, best first, without pages. */
export const articleRelatedRoutes: FastifyPluginAsyncTypebox<{ articles: ArticlesService }> = async (
  app,
  { articles },
) => {
  app.get(
    '/articles/:idOrSlug/related',
    {
      config: read,
      schema: {
        operationId: 'listRelatedArticles',
        tags,
        summary: 'List related articles',
        description:
          `${rankingDescription} The article is named as a single read names it (id, slug or former slug), and ` +
          'public callers get 404 for one they may not see. `fields` and `include` shape the articles as on ' +
          'GET /v1/articles. No pages: `limit` of the best ones.',
        params: IdOrSlugParamsSchema,
        querystring: RelatedQuerySchema,
        response: {
          ...readResponses('Related articles, best first', RelatedArticlesSchema, [...cacheHeaders, 'Last-Modified']),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const view = viewOf(request, request.query)
      const related = await articles.related(request.params.idOrSlug, request.query, view)
      readHeaders(reply, related, view)
      return related.body
    },
  )
}
