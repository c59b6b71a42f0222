// GET /metrics for Prometheus, and the one observation each request costs. Registered at the
// root (fastify-plugin) before the modules' routes, so that its hook times every one of them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Database } from '../../db/database.js'
import { empty, file } from '../../http/responses.js'
import { problemResponsesOnly } from '../../http/schemas.js'
import { createMetricsService, type MetricsService, unmatchedRoute } from './metrics.service.js'

/** The media type of Prometheus' text format as the spec documents it (the answer adds the charset). */
const textFormat = 'text/plain; version=0.0.4'

const example = [
  '# HELP newsdesk_http_request_duration_seconds Time to answer a request, by route template, method and status',
  '# TYPE newsdesk_http_request_duration_seconds histogram',
  'newsdesk_http_request_duration_seconds_bucket{le="0.005",route="/v1/articles/:idOrSlug",method="GET",status="200"} 41',
  '…',
  '# HELP newsdesk_database_up 1 when the database answered this scrape, 0 otherwise',
  '# TYPE newsdesk_database_up gauge',
  'newsdesk_database_up 1',
].join('\n')

const description =
  'Metrics in the Prometheus text format (0.0.4), for a Prometheus server to scrape with a `metrics:read` ' +
  'key (`authorization` in its scrape config): request durations by route template, method and status ' +
  '(`newsdesk_http_request_duration_seconds`; requests no route matched share `route="(unmatched)"`), the ' +
  'response cache (hits, misses, evictions, bytes), the database pool, rate-limit refusals by budget, ' +
  'migrations applied and pending, webhook deliveries (pending, due, attempts, failures), the change ' +
  "feed's lag, and Node's process metrics. A database that does not answer within 2 s still gives a 200, " +
  'with `newsdesk_database_up 0` and its figures NaN; a key this route accepted in the last hour is ' +
  'accepted while keys cannot be looked up (a lookup failing, or unanswered for 2 s). ' +
  "Counted against the key's rate limit like any request " +
  '(a scrape every 15 s uses 4 a minute). Never cached: `Cache-Control: no-store`. Off (404) with ' +
  '`METRICS_ENABLED=false`.'

interface MetricsPluginOptions {
  metrics: MetricsService
}

const metricsPlugin: FastifyPluginAsyncTypebox<MetricsPluginOptions> = async (app, { metrics }) => {
  // Synchronous and allocation-light: the route's template (HEAD kept as its own method), never
  // the URL, so label values stay as few as the routes.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(
      request.routeOptions.url ?? unmatchedRoute,
      request.method,
      reply.statusCode,
      reply.elapsedTime,
    )
    done()
  })

  const ok = file('The metrics', [textFormat], ['Cache-Control'])
  app.get(
    '/metrics',
    {
      config: { access: 'metrics:read', keyDuringOutage: true },
      schema: {
        operationId: 'getMetrics',
        tags: ['Operations'],
        summary: 'Get metrics for Prometheus',
        description,
        response: {
          200: { ...ok, content: { [textFormat]: { schema: { type: 'string' }, example } } },
          304: empty('Not modified: the ETag given in If-None-Match is still current (no body)', ['ETag']),
          ...problemResponsesOnly(414, 500, 503),
        },
      },
    },
    async (_request, reply) => {
      const body = await metrics.render()
      reply.header('cache-control', 'no-store').type(metrics.contentType)
      return body
    },
  )
}

const plugin = fp(metricsPlugin, {
  name: 'newsdesk-metrics',
  fastify: '5.x',
  dependencies: ['newsdesk-auth', 'newsdesk-rate-limit', 'response-cache'],
})

/**
 * The metrics service on the app's response cache and rate limiter, and GET /metrics. Registered
 * before the routes it times (and after @fastify/swagger, which documents the route).
 */
export async function registerMetrics(app: FastifyInstance, { db, clock }: { db: Database; clock: () => Date }) {
  const metrics = createMetricsService({
    db,
    clock,
    cache: () => app.responseCache.stats(),
    rateLimited: () => app.rateLimitRejections(),
  })
  await app.register(plugin, { metrics })
  return metrics
}
