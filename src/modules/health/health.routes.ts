import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Database } from '../../db/database.js'
import { DatabaseUnavailableError } from '../../errors.js'
import { problemResponsesOnly } from '../../http/schemas.js'

const HealthSchema = Type.Object(
  {
    status: Type.Literal('ok'),
    database: Type.Optional(Type.Union([Type.Literal('server'), Type.Literal('embedded')])),
  },
  { additionalProperties: false },
)

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/health/live',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getLiveness',
        tags: ['Health'],
        summary: 'Liveness: the process is serving requests',
        response: { 200: HealthSchema, ...problemResponsesOnly(500) },
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
        description: 'Returns 503 with a problem body while the database cannot be reached.',
        response: { 200: HealthSchema, ...problemResponsesOnly(500, 503) },
      },
    },
    async () => {
      try {
        await db.ping()
      } catch {
        throw new DatabaseUnavailableError()
      }
      return { status: 'ok' as const, database: db.kind }
    },
  )
}
