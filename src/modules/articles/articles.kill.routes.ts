import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { write } from '../../http/access.js'
import { actorOf } from '../../http/auth.js'
import { parseIfMatch } from '../../http/caching.js'
import { empty } from '../../http/responses.js'
import { IdParamsSchema, IfMatchHeadersSchema, problemResponses } from '../../http/schemas.js'
import { tags } from './articles.http.js'
import { KillSchema } from './articles.kill.schemas.js'
import type { ArticlesService } from './articles.service.js'

/** POST /articles/{id}/kill: withdrawing a published article everywhere. */
export const articleKillRoutes: FastifyPluginAsyncTypebox<{ articles: ArticlesService }> = async (
  app,
  { articles },
) => {
  app.post(
    '/articles/:id/kill',
    {
      config: write,
      schema: {
        operationId: 'killArticle',
        tags,
        summary: 'Kill (withdraw everywhere) a published article',
        description:
          'For an article that was published at some time (422 ND_NOT_YET_PUBLISHED otherwise: delete a draft). In ' +
          'one transaction it leaves every read as a deleted article does (404), and `article.killed` is recorded ' +
          "with the public `notice` (`data.notice`) and the article's surrogate keys: webhooks receive it before " +
          'every other pending delivery. It stays as a tombstone in GET /v1/articles/deletions (`killed: true`, ' +
          'with the notice). A killed article can no longer be edited, restored or deleted (409 ND_ARTICLE_KILLED). ' +
          'The reason is internal. With If-Match, a stale version is a 412.',
        params: IdParamsSchema,
        headers: IfMatchHeadersSchema,
        body: KillSchema,
        response: { 204: empty('Killed'), ...problemResponses(404, 409, 412, 415, 422) },
      },
    },
    async (request, reply) => {
      await articles.kill(request.params.id, request.body, parseIfMatch(request), actorOf(request))
      return reply.code(204).send(null)
    },
  )
}
