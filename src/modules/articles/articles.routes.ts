import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { ForbiddenError, ValidationError, withProblem } from '../../errors.js'
import { read, write } from '../../http/access.js'
import { actorOf, canPreview } from '../../http/auth.js'
import { parseIfMatch, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { IdOrSlugParamsSchema, IdParamsSchema, problemResponses } from '../../http/schemas.js'
import { versionEtag } from '../../lib/versions.js'
import type { SourcesService } from '../sources/sources.service.js'
import type * as repo from './articles.repository.js'
import {
  ArticleCreateSchema,
  type ArticleField,
  type ArticleInclude,
  type ArticleListQuery,
  ArticleListQuerySchema,
  ArticleListSchema,
  ArticleSchema,
  ArticleUpdateSchema,
  PublishSchema,
  ReadQuerySchema,
  RevisionListSchema,
  RevisionParamsSchema,
  RevisionSchema,
  TagListQuerySchema,
  TagListSchema,
  TombstoneListSchema,
  TombstoneQuerySchema,
} from './articles.schemas.js'
import { type ArticlesService, surrogateKeysOf, type ViewOptions } from './articles.service.js'

const tags = ['Articles']
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7E]+$',
      description: 'Makes a retried POST safe: the same key and body return the first response',
    }),
  ),
})
const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'The article ETag ("v<version>") the change is based on; 412 if stale',
    }),
  ),
})

function viewOf(request: FastifyRequest, query: { fields?: string; include?: string }): ViewOptions {
  return {
    preview: canPreview(request),
    fields: query.fields ? ([...new Set(query.fields.split(','))] as ArticleField[]) : undefined,
    include: query.include ? ([...new Set(query.include.split(','))] as ArticleInclude[]) : undefined,
  }
}

/** Caching headers for one article; the version ETag names the full, default representation. */
function articleHeaders(reply: FastifyReply, row: repo.ArticleRow, view: ViewOptions) {
  if (!view.fields && !view.include) reply.header('etag', versionEtag(row.version))
  setCacheHeaders(reply, { shared: !view.preview, surrogateKeys: surrogateKeysOf(row), lastModified: row.updatedAt })
}

function writeHeaders(reply: FastifyReply, row: repo.ArticleRow) {
  reply.header('etag', versionEtag(row.version)).header('cache-control', 'private, no-store')
}

const writeResponses = (...statuses: number[]) => ({
  200: ArticleSchema,
  ...problemResponses(404, 409, 412, ...statuses),
})

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
    const { rows, body } = await articles.list(query, { ...view, sourceKey })
    setNextLink(request, reply, body.page.nextCursor)
    setCacheHeaders(reply, {
      shared: !view.preview,
      surrogateKeys: [
        'articles',
        ...(sourceKey ? [`source-articles:${sourceKey}`] : []),
        ...rows.flatMap(surrogateKeysOf),
      ],
      lastModified: rows.reduce<Date | null>((max, r) => (!max || r.updatedAt > max ? r.updatedAt : max), null),
    })
    return body
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
      const key = request.headers['idempotency-key']
      const view: ViewOptions = { preview: true }
      if (key) {
        const result = await articles.createIdempotent(key, request.body, actorOf(request), (row) =>
          articles.view(row, view),
        )
        const body = result.body as { id: string; version: number }
        reply.code(201).header('location', `/v1/articles/${body.id}`).header('etag', versionEtag(body.version))
        if (result.replayed) reply.header('idempotent-replayed', 'true')
        return body
      }
      const row = await articles.create(request.body, actorOf(request))
      writeHeaders(reply.code(201).header('location', `/v1/articles/${row.id}`), row)
      return articles.view(row, view)
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
        description: 'Oldest deletion first, so sync clients can page forward from their last `since`.',
        querystring: TombstoneQuerySchema,
        response: { 200: TombstoneListSchema, ...problemResponses() },
      },
    },
    async (request, reply) => {
      const page = await articles.deletions(request.query.limit, request.query.since, request.query.cursor)
      setNextLink(request, reply, page.page.nextCursor)
      setCacheHeaders(reply, { shared: !canPreview(request), surrogateKeys: ['article-deletions'] })
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
      const row = await articles.get(request.params.idOrSlug, view)
      articleHeaders(reply, row, view)
      return articles.view(row, view)
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
      const row = await articles.update(request.params.id, request.body, parseIfMatch(request), actorOf(request))
      writeHeaders(reply, row)
      return articles.view(row, { preview: true })
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
        const row =
          action === 'publish'
            ? await articles.publish(id, (request.body ?? {}) as { publishAt?: string }, ifMatch, actor)
            : action === 'unpublish'
              ? await articles.unpublish(id, ifMatch, actor)
              : await articles.archive(id, ifMatch, actor)
        writeHeaders(reply, row)
        return articles.view(row, { preview: true })
      },
    )
  }

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
        querystring: TagListQuerySchema,
        response: { 200: RevisionListSchema, ...problemResponses(404) },
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
        response: { 200: RevisionSchema, ...problemResponses(404) },
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
        headers: IfMatchHeaders,
        response: writeResponses(),
      },
    },
    async (request, reply) => {
      const row = await articles.restore(
        request.params.id,
        request.params.version,
        parseIfMatch(request),
        actorOf(request),
      )
      writeHeaders(reply, row)
      return articles.view(row, { preview: true })
    },
  )

  app.get(
    '/tags',
    {
      config: read,
      schema: {
        operationId: 'listTags',
        tags: ['Tags'],
        summary: 'List tags with article counts',
        description: 'By slug. Counts include only the articles the caller can see.',
        querystring: TagListQuerySchema,
        response: { 200: TagListSchema, ...problemResponses() },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      const page = await articles.tags(request.query.limit, preview, request.query.cursor)
      setNextLink(request, reply, page.page.nextCursor)
      setCacheHeaders(reply, { shared: !preview, surrogateKeys: ['tags'] })
      return page
    },
  )
}
