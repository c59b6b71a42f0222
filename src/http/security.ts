// Abuse limits and browser-facing headers: security headers (helmet), CORS, rate limits
// (per API key, or per client IP for anonymous callers; in Redis when configured, so that
// several instances share one budget, and in memory while Redis is unreachable: see
// rate-limit-store.ts) and a bound on the request URI.
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'
import type { Config } from '../config.js'
import { RateLimitedError, UriTooLongError } from '../errors.js'
import { commandTimeoutMs, createResilientStore } from './rate-limit-store.js'
import { withHeadersOnAll } from './responses.js'

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
  clock: () => Date
}

/** Where rate limits are counted now, for readiness. */
export interface RateLimitStatus {
  /** 'shared': in Redis, across instances; 'local': in this instance's memory. */
  counting: 'shared' | 'local'
  store: 'memory' | 'redis'
  /** With Redis: when counting last changed between shared and local. */
  since?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimitStatus(): RateLimitStatus
  }
}

const nameSpace = 'newsdesk-rate-limit:'

// Fail fast: nothing is queued while disconnected, every command is bounded, and the client
// reconnects in the background (at most every 2 s) while the circuit breaker keeps requests
// away from it.
async function sharedStore(app: FastifyInstance, url: string, clock: () => Date) {
  const { Redis } = await import('ioredis')
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(2000, 50 * 2 ** attempt),
  })
  // Every reconnection attempt emits an error; the breaker logs the outage once instead.
  redis.on('error', (err) => app.log.debug({ err }, 'rate limit store (Redis) error'))
  // Commands fail at once until the connection is ready: wait for it (briefly) so that a
  // healthy Redis is not taken for a down one by the first requests after start-up.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1000)
    redis.once('ready', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  app.addHook('onClose', async () => {
    await redis.quit().catch(() => redis.disconnect())
  })
  return createResilientStore({
    redis,
    nameSpace,
    clock,
    onOpen: (err) =>
      app.log.warn(
        { err },
        'rate limit store (Redis) unreachable: counting rate limits per instance, in memory, until it answers again',
      ),
    onClose: () => app.log.info('rate limit store (Redis) answers again: rate limits are shared again'),
  })
}

export default fp<SecurityOptions>(
  async (app: FastifyInstance, { config, clock }) => {
    // The spec: CORS answers every request (see below).
    app.addHook('onRoute', (route) => {
      const schema = route.schema as { hide?: boolean; response?: Record<string, object> } | undefined
      if (schema && !schema.hide) schema.response = withHeadersOnAll(schema.response, ['Access-Control-Allow-Origin'])
    })
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
    const shared = config.rateLimit.redisUrl ? await sharedStore(app, config.rateLimit.redisUrl, clock) : undefined
    app.decorate('rateLimitStatus', (): RateLimitStatus => {
      if (!shared) return { counting: 'local', store: 'memory' }
      const { counting, since } = shared.status()
      return { counting, store: 'redis', since: since.toISOString() }
    })

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
      ...(shared ? { store: shared.Store } : {}),
      // The store answers from memory when Redis fails; this only guards against the unforeseen.
      skipOnError: true,
      errorResponseBuilder: (_request, context) => new RateLimitedError(context.max, context.after),
    })
  },
  { name: 'newsdesk-security', fastify: '5.x', dependencies: ['newsdesk-auth'] },
)
