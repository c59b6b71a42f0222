import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { read } from '../../http/access.js'
import { cacheHeaders } from '../../http/caching.js'
import { readResponses } from '../../http/responses.js'
import { IdOrSlugParamsSchema, problemResponses } from '../../http/schemas.js'
import { readHeaders, tags, viewOf } from './articles.http.js'
import { RightsExplanationSchema } from './articles.rights.schemas.js'
import type { ArticlesService } from './articles.service.js'

/** Why an article is (not) syndicatable. */
export const articleRightsRoutes: FastifyPluginAsyncTypebox<{ articles: ArticlesService }> = async (
  app,
  { articles },
) => {
  app.get(
    '/articles/:idOrSlug/rights',
    {
      config: read,
      schema: {
        operationId: 'getArticleRights',
        tags,
        summary: "Explain an article's rights",
        description:
          'Whether the article is syndicatable and which rule decided: its own setting (`own-setting-forbids`), ' +
          'a credited source whose redistribution is `forbidden` (`credit-forbids`, naming the first such ' +
          'credit), an editor’s override with its reason (`override`), or nothing against it (`allowed`); ' +
          "and each credit's redistribution and rendered credit line. The article is named as a single read " +
          'names it (id, slug or former slug); public callers get 404 for one they may not see.',
        params: IdOrSlugParamsSchema,
        querystring: Type.Object({}, { additionalProperties: false }),
        response: {
          ...readResponses('The rights decision', RightsExplanationSchema, [...cacheHeaders, 'Last-Modified']),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const view = viewOf(request, {})
      const rights = await articles.rights(request.params.idOrSlug, view)
      readHeaders(reply, rights, view)
      return rights.body
    },
  )
}
