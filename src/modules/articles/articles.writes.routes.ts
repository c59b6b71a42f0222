import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { write } from '../../http/access.js'
import { actorOf } from '../../http/auth.js'
import { parseIfMatch } from '../../http/caching.js'
import { empty, success } from '../../http/responses.js'
import { IfMatchHeadersSchema, problemResponses, WriteIdParamsSchema } from '../../http/schemas.js'
import { IdempotencyHeaders, tags, writeHeaders, writeResponses } from './articles.http.js'
import { ArticleCreateSchema, ArticleUpdateSchema } from './articles.input.schemas.js'
import { ArticleSchema } from './articles.schemas.js'
import type { ArticlesService } from './articles.service.js'

/** Creating, editing and deleting an article. */
export const articleWriteRoutes: FastifyPluginAsyncTypebox<{ articles: ArticlesService }> = async (
  app,
  { articles },
) => {
  app.post(
    '/articles',
    {
      config: write,
      schema: {
        operationId: 'createArticle',
        tags,
        summary: 'Create an article (a draft)',
        description:
          'Creates a draft; publish it with POST /v1/articles/{id}/publish. The slug is generated from the headline ' +
          'when omitted (the first free of headline, headline-2, …). Unknown sources are a 422; new tags are created. Send `Idempotency-Key` to make retries safe.',
        headers: IdempotencyHeaders,
        body: ArticleCreateSchema,
        response: {
          201: success('Created (a draft); Location names it', ArticleSchema, [
            'Location',
            'Cache-Control',
            'Idempotent-Replayed',
          ]),
          ...problemResponses(409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const created = await articles.create(request.body, actorOf(request), request.headers['idempotency-key'])
      writeHeaders(reply.code(201).header('location', `/v1/articles/${created.article.id}`), created)
      if (created.replayed) reply.header('idempotent-replayed', 'true')
      return created.article
    },
  )

  app.patch(
    '/articles/:idOrSlug',
    {
      config: write,
      schema: {
        operationId: 'updateArticle',
        tags,
        summary: 'Update an article',
        description:
          'Send only the fields to change (`null` clears). With If-Match, a stale version is a 412 carrying the ' +
          'current version. Every change writes a revision. A changed slug keeps the old one resolving. After ' +
          'the first publication, `correction` appends a public note (`corrections`) and makes the change an ' +
          '`article.corrected` event; before it, a 422 ND_NOT_YET_PUBLISHED and nothing is written. A killed ' +
          'article is a 409 ND_ARTICLE_KILLED.',
        params: WriteIdParamsSchema,
        headers: IfMatchHeadersSchema,
        body: ArticleUpdateSchema,
        response: writeResponses('The article as changed', 413, 415, 422),
      },
    },
    async (request, reply) => {
      const updated = await articles.update(
        request.params.idOrSlug,
        request.body,
        parseIfMatch(request),
        actorOf(request),
      )
      writeHeaders(reply, updated)
      return updated.article
    },
  )

  app.delete(
    '/articles/:idOrSlug',
    {
      config: write,
      schema: {
        operationId: 'deleteArticle',
        tags,
        summary: 'Delete an article',
        description:
          'It leaves every read (404) and is listed in GET /v1/articles/deletions. A killed article is a 409 ' +
          'ND_ARTICLE_KILLED.',
        params: WriteIdParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: empty('Deleted'), ...problemResponses(404, 409, 412) },
      },
    },
    async (request, reply) => {
      await articles.remove(request.params.idOrSlug, parseIfMatch(request), actorOf(request))
      return reply.code(204).send(null)
    },
  )
}
