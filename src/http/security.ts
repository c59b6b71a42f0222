// Abuse limits and browser-facing headers: security headers (helmet), CORS, rate limits
// (per API key, or per client IP for anonymous callers; in Redis when configured, so that
// several instances share one budget) and a bound on the request URI.
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'
import type { Config } from '../config.js'
import { RateLimitedError, UriTooLongError } from '../errors.js'

export const maxUriLength = 4096

const exposedHeaders = [
  'ETag',
  'Link',
  'Location',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'X-Request-Id',
]

export interface SecurityOptions {
  config: Config
  /** Logs storage errors of the rate limiter (Redis unreachable): requests are then let through. */
  onStoreError?: (err: unknown) => void
}

export default fp<SecurityOptions>(
  async (app: FastifyInstance, { config }) => {
    app.addHook('onRequest', async (request) => {
      if (request.url.length > maxUriLength) throw new UriTooLongError(maxUriLength)
    })

    // Security headers from helmet, whose middleware is built once here: the Fastify wrapper
    // builds it again on every request (a CSP parse each time, measured at ~2% of a cached read).
    const securityHeaders = helmet({
      // Strict enough for an API, loose enough for Swagger UI at /docs (its scripts are files
      // served from 'self'; its styles are partly inline; its logo is a data: URL).
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          baseUri: ["'self'"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          imgSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
        },
      },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    })
    app.addHook('onRequest', (request, reply, done) => {
      securityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined))
    })

    await app.register(cors, {
      origin: config.corsOrigins,
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders,
      maxAge: 600,
    })

    // Loaded only when configured: the client costs ~60 ms of start-up otherwise.
    const redis = config.rateLimit.redisUrl
      ? new (await import('ioredis')).Redis(config.rateLimit.redisUrl, {
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          lazyConnect: false,
        })
      : undefined
    if (redis) {
      redis.on('error', (err) => app.log.warn({ err }, 'rate limit store (Redis) error'))
      app.addHook('onClose', async () => {
        await redis.quit().catch(() => redis.disconnect())
      })
    }

    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      timeWindow: config.rateLimit.windowMs,
      // Runs after authentication (an instance hook, before this route-level one), so the
      // principal is known: keys have their own budget, anonymous callers one per IP.
      keyGenerator: (request) =>
        request.principal?.kind === 'key' ? `key:${request.principal.id}` : `ip:${request.ip}`,
      max: async (request) =>
        request.principal?.kind === 'key'
          ? (request.principal.rateLimit ?? config.rateLimit.max)
          : config.rateLimit.anonymousMax,
      enableDraftSpec: true,
      nameSpace: 'newsdesk-rate-limit:',
      ...(redis ? { redis } : {}),
      // A rate-limit store outage must not take the API down with it.
      skipOnError: true,
      errorResponseBuilder: (_request, context) => new RateLimitedError(context.max, context.after),
    })
  },
  { name: 'newsdesk-security', fastify: '5.x', dependencies: ['newsdesk-auth'] },
)
