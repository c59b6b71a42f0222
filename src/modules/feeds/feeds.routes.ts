// GET /feeds/articles.{rss,atom,json} and /feeds/collections/{key}.{rss,atom,json}: the article list
// and a box for feed readers, partners and aggregators. Read, cached and purged as the JSON reads
// are (config `read`: the response cache; Surrogate-Key, Last-Modified, ETag and 304).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { read } from '../../http/access.js'
import { canSeeEmbargoed, readsSyndication } from '../../http/auth.js'
import { cacheHeaders, setCacheHeaders } from '../../http/caching.js'
import { empty, type HeaderName, headerDefinitions } from '../../http/responses.js'
import { problemResponses } from '../../http/schemas.js'
import { KeyParamsSchema } from '../collections/collections.schemas.js'
import {
  ArticleFeedQuerySchema,
  CollectionFeedQuerySchema,
  type FeedFormat,
  feedExamples,
  feedFormats,
  feedMediaTypes,
  feedNames,
} from './feeds.schemas.js'
import type { FeedsService, FeedView, RenderedFeed } from './feeds.service.js'

const tags = ['Feeds']
const headerNames: HeaderName[] = ['ETag', ...cacheHeaders, 'Last-Modified']

function headerSchemas(names: HeaderName[]) {
  return Object.fromEntries(
    (['X-Request-Id', ...names] as HeaderName[]).map((name) => {
      const { description, schema } = headerDefinitions[name]
      return [name, { ...schema, description }]
    }),
  )
}

/** The 200 in the format's media type (XML as a string, JSON Feed as an object), with an example. */
function feedResponses(format: FeedFormat, description: string) {
  const schema = format === 'json' ? { type: 'object' } : { type: 'string', contentMediaType: feedMediaTypes[format] }
  return {
    200: {
      description,
      headers: headerSchemas(headerNames),
      content: {
        [feedMediaTypes[format]]: {
          schema,
          example: format === 'json' ? JSON.parse(feedExamples.json) : feedExamples[format],
        },
      },
    },
    304: empty('Not modified: the ETag given in If-None-Match is still current (no body)', headerNames),
  }
}

/**
 * A feed shows public content only, whoever asks: the view of an anonymous JSON list (no preview,
 * and no article still under embargo, even for content:embargoed keys: feeds are what aggregators
 * republish), with partner keys' bodies withheld as in the JSON reads (see feeds.service.ts).
 */
function viewOf(request: FastifyRequest): FeedView {
  return { embargoed: false, ...(readsSyndication(request) ? { syndication: true } : {}) }
}

function send(reply: FastifyReply, format: FeedFormat, feed: RenderedFeed) {
  setCacheHeaders(reply, { shared: true, surrogateKeys: feed.surrogateKeys, lastModified: feed.lastModified })
  // As the box read: a shared cache must not keep it past the moment it changes by itself.
  if (feed.changesIn !== null && feed.changesIn < 60 && !canSeeEmbargoed(reply.request)) {
    reply.header('cache-control', `public, max-age=${feed.changesIn}, stale-while-revalidate=0`)
  }
  // A Buffer is sent as it is (a string in a +json type would be serialized as a JSON string).
  return reply.type(`${feedMediaTypes[format]}; charset=utf-8`).send(Buffer.from(feed.body, 'utf8'))
}

/** This feed's absolute URL (its Atom id and self link): under PUBLIC_URL, never from Host. */
const selfOf = (apiBase: string, request: FastifyRequest) => `${apiBase}${request.url}`

const itemDescription =
  'Each item: title, link (the public URL: canonicalUrl or PUBLIC_ARTICLE_URL, else the API read ' +
  '/v1/articles/{slug}), guid/id (the article id; Atom: urn:uuid:<id>), published and updated times, summary, ' +
  'authors (contributors in the author role, else the bylines), categories (sections, then tags), the credit line ' +
  '(RSS dc:rights, Atom rights, JSON Feed _newsdesk.credit_line), the body HTML with content=full, and the lead ' +
  'image (RSS media:content with media:credit plus an enclosure of length 0, the size being unknown; Atom a ' +
  'link rel="enclosure"; JSON Feed image). Drafts, scheduled, embargoed and deleted articles never appear; ' +
  'partner keys (content:syndicate) get no body of an article that is not syndicatable.'

export const feedsRoutes: FastifyPluginAsyncTypebox<{ feeds: FeedsService; apiBase: string }> = async (
  app,
  { feeds, apiBase },
) => {
  for (const format of feedFormats) {
    app.get(
      `/feeds/articles.${format}`,
      {
        config: read,
        schema: {
          operationId: `getArticlesFeed${format === 'json' ? 'Json' : format === 'rss' ? 'Rss' : 'Atom'}`,
          tags,
          summary: `Articles as ${feedNames[format]}`,
          description:
            `The newest published articles (the list GET /v1/articles answers) as ${feedNames[format]}, with ` +
            `the list's filters; \`limit\` defaults to 50. ${itemDescription}`,
          querystring: ArticleFeedQuerySchema,
          response: { ...feedResponses(format, `The feed (${feedMediaTypes[format]})`), ...problemResponses() },
        },
      },
      async (request, reply) =>
        send(reply, format, await feeds.articles(format, request.query, viewOf(request), selfOf(apiBase, request))),
    )
  }

  for (const format of feedFormats) {
    app.get(
      `/feeds/collections/:key.${format}`,
      {
        config: read,
        schema: {
          operationId: `getCollectionFeed${format === 'json' ? 'Json' : format === 'rss' ? 'Rss' : 'Atom'}`,
          tags,
          summary: `A box as ${feedNames[format]}`,
          description:
            `The box GET /v1/collections/{key}/teasers shows (its visible teasers, in order) as ${feedNames[format]}: ` +
            'a teaser of an article is that article (titled by the teaser’s title when it has one); a teaser ' +
            'that links out is an item linking to its URL, its source as the credit line. ' +
            itemDescription,
          params: KeyParamsSchema,
          querystring: CollectionFeedQuerySchema,
          response: { ...feedResponses(format, `The feed (${feedMediaTypes[format]})`), ...problemResponses(404) },
        },
      },
      async (request, reply) => {
        const self = selfOf(apiBase, request)
        return send(
          reply,
          format,
          await feeds.collection(format, request.params.key, request.query, viewOf(request), self),
        )
      },
    )
  }
}
