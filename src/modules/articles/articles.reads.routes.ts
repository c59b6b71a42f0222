import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { ForbiddenError, invalidRequest } from '../../errors.js'
import { read } from '../../http/access.js'
import { canPreview, canWrite } from '../../http/auth.js'
import { cacheHeaders, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { type HeaderName, readResponses } from '../../http/responses.js'
import { IdOrSlugParamsSchema, problemResponses } from '../../http/schemas.js'
import { setFeedLinks } from '../feeds/feeds.http.js'
import { ninjsContent, sendNinjs } from '../ninjs/ninjs.http.js'
import { FormatSchema } from '../ninjs/ninjs.schemas.js'
import type { NinjsService } from '../ninjs/ninjs.service.js'
import type { SourcesService } from '../sources/sources.service.js'
import { readHeaders, serializeTrimmed, tags, viewOf } from './articles.http.js'
import {
  type ArticleListQuery,
  ArticleListQuerySchema,
  ArticleListSchema,
  ArticleSchema,
  ReadQuerySchema,
  TombstoneListSchema,
  TombstoneQuerySchema,
} from './articles.schemas.js'
import type { ArticlesService } from './articles.service.js'

/** The headers of an article read or list (readHeaders). */
const readHeaderNames: HeaderName[] = [...cacheHeaders, 'Last-Modified']

/**
 * One list for GET /articles and a source's or a person's articles: the same filters, views and
 * headers (`person`: the person's id or slug, for GET /people/{idOrSlug}/articles).
 */
async function listArticles(
  articles: ArticlesService,
  request: FastifyRequest,
  reply: FastifyReply,
  query: ArticleListQuery,
  scope: { sourceKey?: string; personKey?: string } = {},
) {
  const view = viewOf(request, query)
  if (query.status && !view.preview) throw new ForbiddenError('content:preview')
  if (query.sort === 'relevance' && !query.q) {
    throw invalidRequest([{ in: 'query', pointer: '/sort', message: 'relevance needs q' }])
  }
  const list = scope.personKey
    ? await articles.personArticles(scope.personKey, query, view)
    : await articles.list(query, { ...view, sourceKey: scope.sourceKey })
  setNextLink(request, reply, list.body.page.nextCursor)
  setFeedLinks(request, reply, { status: query.status, source: scope.sourceKey, person: scope.personKey })
  readHeaders(reply, list, view)
  return list.body
}

/** Lists: articles (searched and filtered), a source's articles, and deletions for sync clients. */
export const articleListRoutes: FastifyPluginAsyncTypebox<{
  articles: ArticlesService
  sources: SourcesService
}> = async (app, { articles, sources }) => {
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
        response: {
          ...readResponses('A page of articles', ArticleListSchema, ['Link', ...readHeaderNames]),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => listArticles(articles, request, reply, request.query),
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
        response: {
          ...readResponses("A page of the source's articles", ArticleListSchema, ['Link', ...readHeaderNames]),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      await sources.get(request.params.idOrSlug)
      return listArticles(articles, request, reply, request.query, { sourceKey: request.params.idOrSlug })
    },
  )

  app.get(
    '/people/:idOrSlug/articles',
    {
      config: read,
      schema: {
        operationId: 'listPersonArticles',
        tags,
        summary: "List a person's articles",
        description: 'The same list as GET /v1/articles, of the articles this person contributed to in any role.',
        params: IdOrSlugParamsSchema,
        querystring: Type.Omit(ArticleListQuerySchema, ['person'], { additionalProperties: false }),
        response: {
          ...readResponses("A page of the person's articles", ArticleListSchema, ['Link', ...readHeaderNames]),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) =>
      listArticles(articles, request, reply, request.query, { personKey: request.params.idOrSlug }),
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
          'with content:preview (or content:write) see every deleted article. A killed article (POST ' +
          '/v1/articles/{id}/kill) has `killed: true` and its public `notice`; callers with content:write see its ' +
          'internal `reason` too.',
        querystring: TombstoneQuerySchema,
        response: {
          ...readResponses('A page of deleted articles, oldest deletion first', TombstoneListSchema, [
            'Link',
            ...cacheHeaders,
          ]),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      const page = await articles.deletions(request.query, { preview, writer: canWrite(request) })
      setNextLink(request, reply, page.page.nextCursor)
      setCacheHeaders(reply, { shared: !preview, surrogateKeys: ['article-deletions'] })
      return page
    },
  )
}

// The single read's parameters, and `format` (ninjs: the IPTC document instead of the Article).
const SingleReadQuerySchema = Type.Object(
  { ...ReadQuerySchema.properties, format: Type.Optional(FormatSchema) },
  { additionalProperties: false },
)

/** One article, by id, slug or former slug; as an Article, or as an IPTC ninjs document. */
export const articleReadRoutes: FastifyPluginAsyncTypebox<{ articles: ArticlesService; ninjs: NinjsService }> = async (
  app,
  { articles, ninjs },
) => {
  const responses = readResponses('The article', ArticleSchema, [...readHeaderNames, 'Link'])
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
          'representation is what If-Match takes on changes. `format=ninjs` answers the article as an IPTC ninjs ' +
          '3.1 document (NinjsDocument, with `Link: <…>; rel="profile"` naming the ninjs schema; `fields` and ' +
          '`include` do not apply): the same visibility, caching headers and Surrogate-Key, a hash ETag of its ' +
          'own. Preview scopes read a deleted or killed article as `pubStatus: canceled` (public callers: 404).',
        params: IdOrSlugParamsSchema,
        querystring: SingleReadQuerySchema,
        response: {
          ...responses,
          200: { ...responses[200], content: { ...responses[200].content, ...ninjsContent } },
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const view = viewOf(request, request.query)
      if (request.query.format === 'ninjs') {
        return sendNinjs(reply, await ninjs.article(request.params.idOrSlug, view), view)
      }
      const article = await articles.get(request.params.idOrSlug, view)
      readHeaders(reply, article, view)
      serializeTrimmed(reply, view)
      return article.body
    },
  )
}
