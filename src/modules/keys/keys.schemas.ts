import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { nullable, TimestampSchema, UuidSchema } from '../../http/schemas.js'

export const ScopeSchema = Type.Union(
  [
    Type.Literal('content:read'),
    Type.Literal('content:preview'),
    Type.Literal('content:write'),
    Type.Literal('keys:manage'),
    Type.Literal('webhooks:manage'),
  ],
  {
    description:
      'content:read (published content), content:preview (also drafts and scheduled content, read-only), ' +
      'content:write (create, update, delete, publish; implies preview), keys:manage (keys and the audit log), webhooks:manage (webhooks and their deliveries)',
  },
)

const keyExample = {
  id: '019ac0de-7a1e-7000-8000-00000000b001',
  prefix: 'nd_019ac0de7a1e7000800000000000b001',
  name: 'Frontend (production)',
  scopes: ['content:read'],
  status: 'active',
  rateLimit: null,
  expiresAt: null,
  lastUsedAt: '2026-11-26T09:30:00.000Z',
  revokedAt: null,
  createdBy: null,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
}

export const ApiKeySchema = Type.Object(
  {
    id: UuidSchema,
    prefix: Type.String({ description: 'The public start of the key, to recognise it: nd_<id>' }),
    name: Type.String(),
    scopes: Type.Array(ScopeSchema),
    status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired')]),
    rateLimit: nullable(Type.Integer({ description: 'Requests per window; null: the server default' })),
    expiresAt: nullable(TimestampSchema),
    lastUsedAt: nullable(TimestampSchema),
    revokedAt: nullable(TimestampSchema),
    createdBy: nullable(Type.String({ format: 'uuid', description: 'The key that created this one' })),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false, examples: [keyExample] },
)
export type ApiKey = Static<typeof ApiKeySchema>

export const ApiKeyCreatedSchema = Type.Object(
  {
    ...ApiKeySchema.properties,
    secret: Type.String({ description: 'The key itself. Shown only in this response: store it now.' }),
  },
  {
    additionalProperties: false,
    examples: [{ ...keyExample, secret: 'nd_019ac0de7a1e7000800000000000b001_3q2-7w…' }],
  },
)
export type ApiKeyCreated = Static<typeof ApiKeyCreatedSchema>

export const ApiKeyCreateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: 4, uniqueItems: true }),
    expiresAt: Type.Optional(nullable(TimestampSchema)),
    rateLimit: Type.Optional(nullable(Type.Integer({ minimum: 1, maximum: 1000000, format: 'int32' }))),
  },
  { additionalProperties: false, examples: [{ name: 'Frontend (production)', scopes: ['content:read'] }] },
)
export type ApiKeyCreate = Static<typeof ApiKeyCreateSchema>

export const ApiKeyUpdateSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    scopes: Type.Optional(
      Type.Array(ScopeSchema, {
        minItems: 1,
        maxItems: 4,
        uniqueItems: true,
        description: 'May only narrow the key: every scope must already be held',
      }),
    ),
    expiresAt: Type.Optional(nullable(TimestampSchema)),
    rateLimit: Type.Optional(nullable(Type.Integer({ minimum: 1, maximum: 1000000, format: 'int32' }))),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ scopes: ['content:read'] }] },
)
export type ApiKeyUpdate = Static<typeof ApiKeyUpdateSchema>

export const ApiKeyListQuerySchema = Type.Object({ ...paginationQuery }, { additionalProperties: false })
export type ApiKeyListQuery = Static<typeof ApiKeyListQuerySchema>
export const ApiKeyListSchema = listEnvelope(ApiKeySchema)
