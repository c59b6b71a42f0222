import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { PreviewNotFoundError, RateLimitedError } from '../../errors.js'
import { actorOf } from '../../http/auth.js'
import { privateCacheControl } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { ConditionalHeadersSchema, empty, readResponses, success } from '../../http/responses.js'
import { IdOrSlugParamsSchema, problemResponses, problemResponsesOnly } from '../../http/schemas.js'
import { ArticleSchema } from '../articles/articles.schemas.js'
import {
  PreviewLinkCreatedSchema,
  PreviewLinkCreateSchema,
  PreviewLinkListQuerySchema,
  PreviewLinkListSchema,
  PreviewLinkParamsSchema,
  PreviewLinkSchema,
  PreviewTokenParamsSchema,
} from './previews.schemas.js'
import type { PreviewsService } from './previews.service.js'
import { redactPreviewPath } from './previews.tokens.js'

const tags = ['Previews']
const config = { access: 'content:preview' } as const

type PreviewsPlugin = FastifyPluginAsyncTypebox<{ previews: PreviewsService; config: Config }>

/** An article's links, made and listed with content:preview. */
const articleLinkRoutes: PreviewsPlugin = async (app, { previews }) => {
  app.post(
    '/articles/:idOrSlug/preview-links',
    {
      config,
      schema: {
        operationId: 'createPreviewLink',
        tags,
        summary: 'Create a preview link',
        description:
          'A link that shows this article, draft or scheduled, to whoever opens it (GET /v1/preview/{token}) ' +
          'without an API key, until it expires (`expiresIn` seconds, at most 30 days) or is revoked: what a ' +
          'frontend hands a browser instead of a content:preview key. Without `pinVersion` the link shows the ' +
          'article as it is at each visit; with it, that version (an earlier revision) whatever came after. ' +
          'The token is in this response only; only its SHA-256 hash is stored.',
        params: IdOrSlugParamsSchema,
        body: PreviewLinkCreateSchema,
        response: {
          201: success(
            'Created; the token is in this response only; Location names the link',
            PreviewLinkCreatedSchema,
            ['Location', 'Cache-Control'],
          ),
          ...problemResponses(404, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const link = await previews.create(request.params.idOrSlug, request.body, actorOf(request))
      reply.code(201).header('location', `/v1/preview-links/${link.id}`).header('cache-control', privateCacheControl)
      return link
    },
  )

  app.get(
    '/articles/:idOrSlug/preview-links',
    {
      config,
      schema: {
        operationId: 'listPreviewLinks',
        tags,
        summary: "List an article's preview links",
        description:
          'Active, expired and revoked links (`status`), newest first, paginated with an opaque cursor; the ' +
          '`Link` header carries the next page. Tokens are never shown again.',
        params: IdOrSlugParamsSchema,
        querystring: PreviewLinkListQuerySchema,
        headers: ConditionalHeadersSchema,
        response: {
          ...readResponses('A page of preview links', PreviewLinkListSchema, ['Link', 'Cache-Control']),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const page = await previews.list(request.params.idOrSlug, request.query)
      setNextLink(request, reply, page.page.nextCursor)
      reply.header('cache-control', privateCacheControl)
      return page
    },
  )
}

/** One link, read and revoked with content:preview. */
const linkRoutes: PreviewsPlugin = async (app, { previews }) => {
  app.get(
    '/preview-links/:id',
    {
      config,
      schema: {
        operationId: 'getPreviewLink',
        tags,
        summary: 'Get a preview link',
        description: 'The link without its token: its status, expiry and how often it was opened.',
        params: PreviewLinkParamsSchema,
        headers: ConditionalHeadersSchema,
        response: {
          ...readResponses('The preview link', PreviewLinkSchema, ['Cache-Control']),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', privateCacheControl)
      return previews.get(request.params.id)
    },
  )

  app.delete(
    '/preview-links/:id',
    {
      config,
      schema: {
        operationId: 'revokePreviewLink',
        tags,
        summary: 'Revoke a preview link',
        description:
          'The link stops working from the next visit (a 404, as for any unknown token). Revoking a revoked ' +
          'link changes nothing.',
        params: PreviewLinkParamsSchema,
        response: { 204: empty('Revoked'), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      await previews.revoke(request.params.id, actorOf(request))
      return reply.code(204).send(null)
    },
  )
}

/** Every answer of a preview, refusals included: never stored, never indexed, never passed on. */
async function previewHeaders(_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  reply
    .header('cache-control', privateCacheControl)
    .header('x-robots-tag', 'noindex')
    .header('referrer-policy', 'no-referrer')
  return payload
}

/** The access log shows a preview's path without its token (src/app.ts logs `req` on every answer). */
const logSerializers = {
  req: (req: FastifyRequest) => ({
    method: req.method,
    url: redactPreviewPath(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
}

/**
 * Budgets of a preview, counted in the rate limiter's store (Redis when configured): per client IP
 * (RATE_LIMIT_ANONYMOUS_MAX, before the token is looked at, so that guessing is bounded) and per
 * link (PREVIEW_RATE_LIMIT, once the token opened one), both per RATE_LIMIT_WINDOW_MS.
 */
function previewBudgets(app: Parameters<PreviewsPlugin>[0], config: Config) {
  const linkOf = new WeakMap<FastifyRequest, string>()
  const perIp = app.createRateLimit({
    max: config.rateLimit.anonymousMax,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: (request: FastifyRequest) => `preview-ip:${request.ip}`,
  })
  const perLink = app.createRateLimit({
    max: config.previews.rateLimit,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: (request: FastifyRequest) => `preview-link:${linkOf.get(request)}`,
  })
  const check = async (
    request: FastifyRequest,
    reply: FastifyReply,
    limit: typeof perIp,
    which: string,
    bucket: 'preview-address' | 'preview-link',
  ) => {
    const result = await limit(request)
    if (!result.isAllowed && result.isExceeded) {
      app.countRateLimited(bucket)
      reply.header('retry-after', String(result.ttlInSeconds))
      throw new RateLimitedError(result.max, `${result.ttlInSeconds} seconds (${which})`)
    }
  }
  return {
    ip: (request: FastifyRequest, reply: FastifyReply) =>
      check(request, reply, perIp, 'previews from this address', 'preview-address'),
    link: (request: FastifyRequest, reply: FastifyReply) => async (linkId: string) => {
      linkOf.set(request, linkId)
      await check(request, reply, perLink, 'this preview link: PREVIEW_RATE_LIMIT', 'preview-link')
    },
  }
}

/** Opening a preview: anonymous, whatever PUBLIC_READ says; the token is the credential. */
const openRoutes: PreviewsPlugin = async (app, { previews, config: appConfig }) => {
  const budgets = previewBudgets(app, appConfig)
  const options = {
    config: { access: 'public' },
    onSend: previewHeaders,
    logSerializers,
    preValidation: budgets.ip,
  } as const
  const schema = {
    operationId: 'openPreview',
    tags,
    summary: 'Open a preview',
    description:
      'The article a preview link shows, in the full representation (drafts and scheduled articles included): ' +
      'as it is now, or the version the link pins. No API key: the token is the credential. An unknown, ' +
      'expired or revoked token, or a deleted article, is the same 404; a token of the wrong shape is a 400. ' +
      'Every answer is `Cache-Control: private, no-store`, `X-Robots-Tag: noindex` and `Referrer-Policy: ' +
      'no-referrer`; the token never reaches the log or the audit log (each visit is audited by the link id). ' +
      'Visits are limited per link (PREVIEW_RATE_LIMIT) and per client address (RATE_LIMIT_ANONYMOUS_MAX), ' +
      'each per RATE_LIMIT_WINDOW_MS.',
    params: PreviewTokenParamsSchema,
    headers: ConditionalHeadersSchema,
    response: {
      ...readResponses('The article as the link shows it', ArticleSchema, ['Cache-Control']),
      ...problemResponses(404, 429),
    },
  }
  app.get('/preview/:token', { ...options, schema }, async (request, reply) =>
    previews.open(request.params.token, actorOf(request), budgets.link(request, reply)),
  )
  // Paths a token cannot make (an empty one, one with slashes) get the same answer and headers.
  app.get('/preview/*', { ...options, schema: { hide: true, response: problemResponsesOnly(404, 429) } }, async () => {
    throw new PreviewNotFoundError()
  })
}

export const previewsRoutes: PreviewsPlugin = async (app, options) => {
  await app.register(articleLinkRoutes, options)
  await app.register(linkRoutes, options)
  await app.register(openRoutes, options)
}
