import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type, { type Static } from 'typebox'
import type { Db } from '../../db/types.js'
import { decodeCursor, listEnvelope, paginationQuery, setNextLink, toPage } from '../../http/pagination.js'
import { problemResponses, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { listAudit } from './audit.repository.js'

const AuditEntrySchema = Type.Object(
  {
    id: UuidSchema,
    keyId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description: 'The key that made the change; null for the command line',
    }),
    action: Type.String({ examples: ['create', 'update', 'delete', 'revoke'] }),
    resourceType: Type.String({ examples: ['source', 'key'] }),
    resourceId: Type.String(),
    requestId: Type.Union([Type.String(), Type.Null()]),
    at: TimestampSchema,
  },
  { additionalProperties: false },
)

const AuditQuerySchema = Type.Object(
  {
    ...paginationQuery,
    keyId: Type.Optional(UuidSchema),
    resourceType: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    since: Type.Optional({ ...TimestampSchema, description: 'Entries at or after this time' }),
    until: Type.Optional({ ...TimestampSchema, description: 'Entries before this time' }),
  },
  { additionalProperties: false },
)
type AuditQuery = Static<typeof AuditQuerySchema>

export const auditRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/audit',
    {
      config: { access: 'keys:manage' },
      schema: {
        operationId: 'listAuditEntries',
        tags: ['Audit log'],
        summary: 'List writes made through the API',
        description: 'Newest first: which key did what to which record, when, in which request.',
        querystring: AuditQuerySchema,
        response: { 200: listEnvelope(AuditEntrySchema), ...problemResponses() },
      },
    },
    async (request, reply) => {
      const query: AuditQuery = request.query
      const sortKey = '-at'
      const after = query.cursor ? decodeCursor(query.cursor, sortKey, ['date', 'uuid']) : undefined
      const rows = await listAudit(db, {
        keyId: query.keyId,
        resourceType: query.resourceType,
        resourceId: query.resourceId,
        since: query.since ? new Date(query.since) : undefined,
        until: query.until ? new Date(query.until) : undefined,
        after: after ? { at: after[0], id: after[1] } : undefined,
        limit: query.limit,
      })
      const page = toPage(rows, query.limit, sortKey, (r) => [r.at.toISOString(), r.id])
      setNextLink(request, reply, page.page.nextCursor)
      return { data: page.data.map((r) => ({ ...r, at: r.at.toISOString() })), page: page.page }
    },
  )
}
