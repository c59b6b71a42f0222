import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { nullable, ref, TimestampSchema, UuidSchema } from '../../http/schemas.js'

const AuditEntryComponent = Type.Object(
  {
    id: UuidSchema,
    keyId: nullable(
      Type.String({
        format: 'uuid',
        description: 'The key that made the change; null for the command line and for preview link visits (anonymous)',
      }),
    ),
    action: Type.String({ examples: ['create', 'update', 'correct', 'kill', 'delete', 'revoke', 'view'] }),
    resourceType: Type.String({ examples: ['source', 'key', 'preview-link'] }),
    resourceId: Type.String(),
    requestId: nullable(Type.String()),
    detail: nullable(Type.String({ description: 'A kill (action `kill`): its internal reason; null otherwise' })),
    at: TimestampSchema,
  },
  { $id: 'AuditEntry', additionalProperties: false },
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

export type AuditEntry = Static<typeof AuditEntryComponent>
const AuditEntryPage = listEnvelope(ref(AuditEntryComponent), 'AuditEntryPage')
export const AuditListSchema = ref(AuditEntryPage)

/** The named components of this module (registered in src/components.ts). */
export const auditComponents = [AuditEntryComponent, AuditEntryPage]
