import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { ForbiddenError, ValidationError, withProblem } from '../../errors.js'
import { read, write } from '../../http/access.js'
import { actorOf, canPreview } from '../../http/auth.js'
import { parseIfMatch, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { IdOrSlugParamsSchema, IdParamsSchema, problemResponses } from '../../http/schemas.js'
import type { SourcesService } from '../sources/sources.service.js'
import {
  IdempotencyHeaders,
  IfMatchHeaders,
  readHeaders,
  tags,
  viewOf,
  writeHeaders,
  writeResponses,
} from './articles.http.js'
import { articleRevisionsRoutes } from './articles.revisions.routes.js'
import {
  ArticleCreateSchema,
  type ArticleListQuery,
  ArticleListQuerySchema,
  ArticleListSchema,
  ArticleSchema,
  ArticleUpdateSchema,
  PublishSchema,
  ReadQuerySchema,
  TombstoneListSchema,
  TombstoneQuerySchema,
} from './articles.schemas.js'
import type { ArticlesService } from './articles.service.js'

export const articlesRoutes: FastifyPluginAsyncTypebox<{ articles: ArticlesService; sources: SourcesService }> = async (
  app,
  { articles, sources },
) => {
  async function listArticles(
    request: FastifyRequest,
    reply: FastifyReply,
    query: ArticleListQuery,
    sourceKey?: string,
  ) {
    const view = viewOf(request, query)
    if (query.status && !view.preview) throw new ForbiddenError('content:preview')
    if (query.sort === 'relevance' && !query.q) {
      throw withProblem(new ValidationError('The request is invalid: query /sort relevance needs q'), {
        errors: [{ in: 'query', pointer: '/sort', message: 'relevance needs q' }],
      })
    }
    const list = await articles.list(query, { ...view, sourceKey })
    setNextLink(request, reply, list.body.page.nextCursor)
    readHeaders(reply, list, view)
    return list.body
  }

  app.get(
    '/articles',
    {
      config: read,
      schema: {
        operationId: 'listArticles',
        tags,
        summary: 'List and search articles',
        description:
          'Newest published first. Filters combine (AND); `tag` may repeat (any of them). `q` is full-text search ' +
          '(web search syntax; headline weighs more than summary, summary more than body; stemmed in the ' +
          "`language` filter's language, words as written otherwise) and adds a `snippet`. `fields` trims each " +
          'article (list views should not ship bodies); `include` embeds related records. Unknown parameters are ' +
          'rejected. `count=true` adds an exact `page.total`, which costs a full count.',
        querystring: ArticleListQuerySchema,
        response: { 200: ArticleListSchema, ...problemResponses() },
      },
    },
    async (request, reply) => listArticles(request, reply, request.query),
  )

  app.get(
    '/sources/:idOrSlug/articles',
    {
      config: read,
      schema: {
        operationId: 'listSourceArticles',
        tags,
        summary: "List a source's articles",
        description: 'The same list as GET /v1/articles, published by this source.',
        params: IdOrSlugParamsSchema,
        // Omit does not carry the object's options over: unknown parameters must stay a 400 here too.
        querystring: Type.Omit(ArticleListQuerySchema, ['source'], { additionalProperties: false }),
        response: { 200: ArticleListSchema, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      await sources.get(request.params.idOrSlug)
      return listArticles(request, reply, request.query, request.params.idOrSlug)
    },
  )

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
          'when omitted. Unknown sources are a 422; new tags are created. Send `Idempotency-Key` to make retries safe.',
        headers: IdempotencyHeaders,
        body: ArticleCreateSchema,
        response: { 201: ArticleSchema, ...problemResponses(409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const created = await articles.create(request.body, actorOf(request), request.headers['idempotency-key'])
      writeHeaders(reply.code(201).header('location', `/v1/articles/${created.article.id}`), created)
      if (created.replayed) reply.header('idempotent-replayed', 'true')
      return created.article
    },
  )

  app.get(
    '/articles/deletions',
    {
      config: read,
      schema: {
        operationId: 'listArticleDeletions',
        tags,
        summary: 'List deleted articles (tombstones)',
        description:
          'Oldest deletion first, so sync clients can page forward from their last `since`. Public callers see the ' +
          'articles that were public at some time (never-published drafts were never theirs to forget); callers ' +
          'with content:preview (or content:write) see every deleted article.',
        querystring: TombstoneQuerySchema,
        response: { 200: TombstoneListSchema, ...problemResponses() },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      const page = await articles.deletions(request.query, preview)
      setNextLink(request, reply, page.page.nextCursor)
      setCacheHeaders(reply, { shared: !preview, surrogateKeys: ['article-deletions'] })
      return page
    },
  )

  app.get(
    '/articles/:idOrSlug',
    {
      config: read,
      schema: {
        operationId: 'getArticle',
        tags,
        summary: 'Get an article by id, slug or former slug',
        description:
          'Public callers see published articles only (404 otherwise). The ETag ("v<version>") of the full ' +
          'representation is what If-Match takes on changes.',
        params: IdOrSlugParamsSchema,
        querystring: ReadQuerySchema,
        response: { 200: ArticleSchema, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const view = viewOf(request, request.query)
      const read = await articles.get(request.params.idOrSlug, view)
      readHeaders(reply, read, view)
      return read.body
    },
  )

  app.patch(
    '/articles/:id',
    {
      config: write,
      schema: {
        operationId: 'updateArticle',
        tags,
        summary: 'Update an article',
        description:
          'Send only the fields to change (`null` clears). With If-Match, a stale version is a 412 carrying the ' +
          'current version. Every change writes a revision. A changed slug keeps the old one resolving.',
        params: IdParamsSchema,
        headers: IfMatchHeaders,
        body: ArticleUpdateSchema,
        response: writeResponses(413, 415, 422),
      },
    },
    async (request, reply) => {
      const updated = await articles.update(request.params.id, request.body, parseIfMatch(request), actorOf(request))
      writeHeaders(reply, updated)
      return updated.article
    },
  )

  app.delete(
    '/articles/:id',
    {
      config: write,
      schema: {
        operationId: 'deleteArticle',
        tags,
        summary: 'Delete an article',
        description: 'It leaves every read (404) and is listed in GET /v1/articles/deletions.',
        params: IdParamsSchema,
        headers: IfMatchHeaders,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(404, 412) },
      },
    },
    async (request, reply) => {
      await articles.remove(request.params.id, parseIfMatch(request), actorOf(request))
      return reply.code(204).send(null)
    },
  )

  for (const [action, summary, description] of [
    [
      'publish',
      'Publish or schedule an article',
      'From draft or scheduled. A future `publishAt` schedules it: it becomes public at that time, with no further request. Needs a headline and a body (422).',
    ],
    ['unpublish', 'Unpublish an article', 'Back to draft, from published, scheduled or archived.'],
    ['archive', 'Archive (withdraw) an article', 'From published. Archived articles are not public.'],
  ] as const) {
    app.post(
      `/articles/:id/${action}`,
      {
        config: write,
        // The body is optional: a POST without one means "now".
        preValidation: async (request) => {
          if (action === 'publish') request.body ??= {}
        },
        schema: {
          operationId: `${action}Article`,
          tags,
          summary,
          description: `${description} An invalid transition is a 409 naming the current status.`,
          params: IdParamsSchema,
          headers: IfMatchHeaders,
          ...(action === 'publish' ? { body: PublishSchema } : {}),
          response: writeResponses(...(action === 'publish' ? [422] : [])),
        },
      },
      async (request, reply) => {
        const ifMatch = parseIfMatch(request)
        const actor = actorOf(request)
        const id = (request.params as { id: string }).id
        const changed =
          action === 'publish'
            ? await articles.publish(id, (request.body ?? {}) as { publishAt?: string }, ifMatch, actor)
            : action === 'unpublish'
              ? await articles.unpublish(id, ifMatch, actor)
              : await articles.archive(id, ifMatch, actor)
        writeHeaders(reply, changed)
        return changed.article
      },
    )
  }

  // Registered last, as before: the spec lists an article's revisions after its other routes.
  await app.register(articleRevisionsRoutes, { articles })
}
