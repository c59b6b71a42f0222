import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type, { type Static } from 'typebox'
import type { Database } from '../../db/database.js'
import { DatabaseUnavailableError, ShuttingDownError } from '../../errors.js'
import { readResponses } from '../../http/responses.js'
import { nullable, problemResponsesOnly, StringEnum } from '../../http/schemas.js'

const LiveSchema = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false })

const ReplicaSchema = Type.Object(
  {
    up: Type.Boolean({ description: 'Its last poll (or statement) succeeded' }),
    lagMs: nullable(
      Type.Integer({
        minimum: 0,
        description: 'How long ago the primary wrote what it has not replayed yet (0: caught up); null: unknown',
      }),
    ),
    eligible: Type.Boolean({ description: 'Public reads may go to it now (up, within REPLICA_MAX_LAG_MS, caught up)' }),
  },
  { additionalProperties: false },
)

const ReadySchema = Type.Object(
  {
    status: StringEnum(['ok', 'degraded'], {
      description:
        'degraded: serving, with a dependency other than the primary database unavailable (see rateLimiting and replicas)',
    }),
    database: StringEnum(['server', 'embedded']),
    rateLimiting: Type.Object(
      {
        counting: StringEnum(['shared', 'local'], {
          description:
            'shared: counted in Redis across every instance; local: counted in this instance only ' +
            '(no REDIS_URL, or Redis unreachable)',
        }),
        store: StringEnum(['memory', 'redis'], { description: 'The configured store' }),
        since: Type.Optional(
          Type.String({ format: 'date-time', description: 'With Redis: when counting last changed' }),
        ),
      },
      { additionalProperties: false },
    ),
    replicas: Type.Optional(
      Type.Array(ReplicaSchema, {
        description:
          'With DATABASE_REPLICA_URLS: each streaming replica, in the order of that list (not named: this ' +
          'endpoint is public). A replica that is down or too far behind is not used; public reads go to the primary.',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        status: 'degraded',
        database: 'server',
        rateLimiting: { counting: 'local', store: 'redis', since: '2026-11-29T17:00:00.000Z' },
      },
    ],
  },
)
type RateLimiting = Static<typeof ReadySchema>['rateLimiting']

interface HealthRoutesOptions {
  db: Database
  /** Where rate limits are counted now. */
  rateLimitStatus: () => RateLimiting
  /** Shutdown has begun (src/http/shutdown.ts): not ready, though still serving. */
  draining: () => boolean
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (
  app,
  { db, rateLimitStatus, draining },
) => {
  app.get(
    '/health/live',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getLiveness',
        tags: ['Health'],
        summary: 'Liveness: the process is serving requests',
        description:
          'Answers 200 while the process serves requests, without looking at the database: a failing ' +
          'liveness probe restarts the process, which a database outage would not cure (see readiness).',
        // A probe sends nothing to validate; an overlong URI is the one mistake it can make.
        response: { ...readResponses('The process is serving', LiveSchema), ...problemResponsesOnly(414, 500) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/health/ready',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getReadiness',
        tags: ['Health'],
        summary: 'Readiness: the database answers',
        description:
          'Returns 503 with a problem body while the database cannot be reached (`ND_DATABASE_UNAVAILABLE`), ' +
          'and from the moment shutdown begins (`ND_SHUTTING_DOWN`): for SHUTDOWN_DRAIN_MS the instance ' +
          'still serves every other request, so that a load balancer stops sending it traffic before its ' +
          'connections close. An unreachable Redis ' +
          '(REDIS_URL) does not make the instance unready: it keeps serving with rate limits counted per ' +
          'instance, and answers 200 with `status: degraded` and `rateLimiting.counting: local` until ' +
          'Redis is back. Taking instances out of rotation for a rate-limit store outage would turn a ' +
          'partial loss of shared counting into a full outage. Likewise a read replica that is down ' +
          '(DATABASE_REPLICA_URLS) answers 200 with `status: degraded`: public reads go to the primary meanwhile.',
        response: {
          ...readResponses('Ready: serving (`degraded`: with rate limits counted per instance)', ReadySchema),
          ...problemResponsesOnly(414, 500, 503),
        },
      },
    },
    async () => {
      if (draining()) throw new ShuttingDownError()
      try {
        await db.ping()
      } catch {
        throw new DatabaseUnavailableError()
      }
      const rateLimiting = rateLimitStatus()
      const replicas = db.replicas?.stats().replicas.map(({ up, lagMs, eligible }) => ({ up, lagMs, eligible }))
      const degraded =
        (rateLimiting.store === 'redis' && rateLimiting.counting === 'local') || replicas?.some((r) => !r.up)
      return {
        status: degraded ? ('degraded' as const) : ('ok' as const),
        database: db.kind,
        rateLimiting,
        ...(replicas ? { replicas } : {}),
      }
    },
  )
}
