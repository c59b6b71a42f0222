import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { TimestampSchema, UuidSchema } from '../../http/schemas.js'

export const AuditEntrySchema = Type.Object(
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

export const AuditQuerySchema = Type.Object(
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
export type AuditQuery = Static<typeof AuditQuerySchema>

export type AuditEntry = Static<typeof AuditEntrySchema>
export const AuditListSchema = listEnvelope(AuditEntrySchema)
