import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { write } from '../../http/access.js'
import { actorOf } from '../../http/auth.js'
import { parseIfMatch } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { readResponses } from '../../http/responses.js'
import { IdParamsSchema, IfMatchHeadersSchema, problemResponses } from '../../http/schemas.js'
import { tags, writeHeaders, writeResponses } from './articles.http.js'
import {
  RevisionListQuerySchema,
  RevisionListSchema,
  RevisionParamsSchema,
  RevisionSchema,
} from './articles.schemas.js'
import type { ArticlesService } from './articles.service.js'

/** An article's revisions: listed, read and restored (editors only). */
export const articleRevisionsRoutes: FastifyPluginAsyncTypebox<{ articles: ArticlesService }> = async (
  app,
  { articles },
) => {
  app.get(
    '/articles/:id/revisions',
    {
      config: { access: 'content:preview' },
      schema: {
        operationId: 'listArticleRevisions',
        tags,
        summary: "List an article's revisions",
        description: 'Newest first: version, changed fields, who and when.',
        params: IdParamsSchema,
        querystring: RevisionListQuerySchema,
        response: {
          ...readResponses('A page of revisions, newest first', RevisionListSchema, ['Link', 'Cache-Control']),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const page = await articles.revisions(request.params.id, request.query.limit, request.query.cursor)
      setNextLink(request, reply, page.page.nextCursor)
      reply.header('cache-control', 'private, no-store')
      return page
    },
  )

  app.get(
    '/articles/:id/revisions/:version',
    {
      config: { access: 'content:preview' },
      schema: {
        operationId: 'getArticleRevision',
        tags,
        summary: 'Get one revision of an article',
        params: RevisionParamsSchema,
        response: { ...readResponses('The revision', RevisionSchema, ['Cache-Control']), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'private, no-store')
      return articles.revision(request.params.id, request.params.version)
    },
  )

  app.post(
    '/articles/:id/revisions/:version/restore',
    {
      config: write,
      schema: {
        operationId: 'restoreArticleRevision',
        tags,
        summary: 'Restore an earlier revision',
        description: 'Its content becomes a new version; the publication state is kept.',
        params: RevisionParamsSchema,
        headers: IfMatchHeadersSchema,
        // A revision's body is rendered again: one stored before today's budgets can be a 422.
        response: writeResponses('The article with the content restored, as a new version', 422),
      },
    },
    async (request, reply) => {
      const restored = await articles.restore(
        request.params.id,
        request.params.version,
        parseIfMatch(request),
        actorOf(request),
      )
      writeHeaders(reply, restored)
      return restored.article
    },
  )
}
