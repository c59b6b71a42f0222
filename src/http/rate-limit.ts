// Rate limits per API key, or per client IP for anonymous callers: in Redis when configured, so
// that several instances share one budget, and in memory while Redis is unreachable (see
// rate-limit-store.ts).
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { RateLimitedError } from '../errors.js'
import { describeDuration, WindowCounter } from './rate-limit-counter.js'
import { commandTimeoutMs, createResilientStore, type InnerStore } from './rate-limit-store.js'

export interface RateLimitOptions {
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

/**
 * The budgets whose refusals are counted (for metrics): the request budget of keys and of
 * anonymous client IPs, and those routes keep with app.createRateLimit. A fixed set, never a key
 * or an address.
 */
export const rateLimitBuckets = ['key', 'anonymous', 'uploads', 'preview-address', 'preview-link'] as const
export type RateLimitBucket = (typeof rateLimitBuckets)[number]

declare module 'fastify' {
  interface FastifyInstance {
    rateLimitStatus(): RateLimitStatus
    /** Requests refused with a 429 since start, by budget. */
    rateLimitRejections(): Readonly<Record<RateLimitBucket, number>>
    /** Counts a refusal by a budget a route keeps itself (app.createRateLimit). */
    countRateLimited(bucket: RateLimitBucket): void
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
  // Commands fail at once until the connection is ready: wait for it so that a healthy Redis is
  // not taken for a down one by the first requests after start-up. A refused or timed-out first
  // connection ends the wait at once; a slow but healthy one (a loaded machine) gets up to 5 s.
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      redis.off('ready', done).off('error', done)
      resolve()
    }
    const timer = setTimeout(done, 5000)
    redis.once('ready', done).once('error', done)
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

/**
 * The request budget of every rate-limited route, as a synchronous onRequest hook: keys have
 * their own budget, anonymous callers one per IP. Counted in memory without allocating, or in
 * the shared store (Redis) when configured.
 */
function requestBudget(
  config: Config,
  shared: InnerStore | undefined,
  refused: Record<RateLimitBucket, number>,
): onRequestHookHandler {
  const { windowMs, max: keyMax, anonymousMax } = config.rateLimit
  const keys = new WindowCounter()
  const ips = new WindowCounter()
  const counted = (bucket: RateLimitBucket, err: Error | undefined) => {
    if (err) refused[bucket]++
    return err
  }
  return (request, reply, done) => {
    const principal = request.principal
    const byKey = principal?.kind === 'key'
    const max = byKey ? (principal.rateLimit ?? keyMax) : anonymousMax
    if (shared) {
      const key = byKey ? `key:${principal.id}` : `ip:${request.ip}`
      shared.incr(
        key,
        // The store answers from memory when Redis fails; this only guards against the unforeseen.
        (err, count) =>
          done(
            counted(
              byKey ? 'key' : 'anonymous',
              answer(reply, max, err || !count ? 0 : count.current, err || !count ? 0 : count.ttl),
            ),
          ),
        windowMs,
        max,
      )
      return
    }
    const now = Date.now()
    const count = byKey ? keys.hit(principal.id, now, windowMs) : ips.hit(request.ip, now, windowMs)
    done(counted(byKey ? 'key' : 'anonymous', answer(reply, max, count.current, count.ttl)))
  }
}

/** The RateLimit-* headers (IETF draft names) and, past the budget, Retry-After and the 429 problem. */
function answer(reply: FastifyReply, max: number, current: number, ttl: number): Error | undefined {
  const seconds = Math.ceil(ttl / 1000)
  reply.header('ratelimit-limit', max)
  if (current <= max) {
    reply.header('ratelimit-remaining', max - current).header('ratelimit-reset', seconds)
    return undefined
  }
  reply.header('ratelimit-remaining', 0).header('ratelimit-reset', seconds).header('retry-after', seconds)
  return new RateLimitedError(max, describeDuration(seconds * 1000))
}

export default fp<RateLimitOptions>(
  async (app: FastifyInstance, { config, clock }) => {
    // Loaded only when configured: the client costs ~60 ms of start-up otherwise.
    const shared = config.rateLimit.redisUrl ? await sharedStore(app, config.rateLimit.redisUrl, clock) : undefined
    app.decorate('rateLimitStatus', (): RateLimitStatus => {
      if (!shared) return { counting: 'local', store: 'memory' }
      const { counting, since } = shared.status()
      return { counting, store: 'redis', since: since.toISOString() }
    })
    // Plain counts, read when metrics are scraped: nothing more per request.
    const refused = Object.fromEntries(rateLimitBuckets.map((b) => [b, 0])) as Record<RateLimitBucket, number>
    app.decorate('rateLimitRejections', () => refused)
    app.decorate('countRateLimited', (bucket: RateLimitBucket) => {
      refused[bucket]++
    })

    // The plugin counts the budgets routes add with app.createRateLimit (uploads, previews), in
    // the same store; the request budget of every route is the hook below.
    await app.register(rateLimit, {
      global: false,
      timeWindow: config.rateLimit.windowMs,
      ...(shared ? { store: shared.Store } : {}),
      skipOnError: true,
    })
    const hook = requestBudget(config, shared ? new shared.Store({}) : undefined, refused)
    // Runs after authentication (an instance hook, before this route-level one), so the
    // principal is known. Public routes (config.rateLimit = false, set by auth) are not counted.
    app.addHook('onRoute', (route) => {
      if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit === false) return
      route.onRequest = [...(route.onRequest === undefined ? [] : [route.onRequest].flat()), hook]
    })
  },
  // After auth: its onRoute hook exempts public routes (config.rateLimit = false) before this
  // plugin's onRoute hook reads that.
  { name: 'newsdesk-rate-limit', fastify: '5.x', dependencies: ['newsdesk-auth'] },
)
