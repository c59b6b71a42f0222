import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { nullable, ref, StringEnum, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { scopes } from '../../lib/principal.js'

const ScopeSchema = StringEnum(scopes, {
  description:
    'content:read (published content; implies syndicate), content:syndicate (published content for syndication ' +
    'partners: bodies of articles that are not syndicatable are withheld), content:embargoed (also published ' +
    'articles still under embargo; implies syndicate, not read), content:preview (also drafts and scheduled ' +
    'content, read-only; implies read and embargoed), ' +
    'content:write (create, update, delete, publish; implies preview), keys:manage (keys and the audit log), webhooks:manage (webhooks and their deliveries), ' +
    'metrics:read (GET /metrics, for a Prometheus scraper)',
})

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

const apiKeyProperties = {
  id: UuidSchema,
  prefix: Type.String({ description: 'The public start of the key, to recognise it: nd_<id>' }),
  name: Type.String(),
  scopes: Type.Array(ScopeSchema),
  status: StringEnum(['active', 'revoked', 'expired']),
  rateLimit: nullable(Type.Integer({ description: 'Requests per window; null: the server default' })),
  expiresAt: nullable(TimestampSchema),
  lastUsedAt: nullable(TimestampSchema),
  revokedAt: nullable(TimestampSchema),
  createdBy: nullable(Type.String({ format: 'uuid', description: 'The key that created this one' })),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
}
const ApiKeyComponent = Type.Object(apiKeyProperties, {
  $id: 'ApiKey',
  additionalProperties: false,
  examples: [keyExample],
})
export const ApiKeySchema = ref(ApiKeyComponent)
export type ApiKey = Static<typeof ApiKeySchema>

const ApiKeyWithSecretComponent = Type.Object(
  {
    ...apiKeyProperties,
    secret: Type.String({ description: 'The key itself. Shown only in this response: store it now.' }),
  },
  {
    $id: 'ApiKeyWithSecret',
    additionalProperties: false,
    examples: [{ ...keyExample, secret: 'nd_019ac0de7a1e7000800000000000b001_3q2-7w…' }],
  },
)
export const ApiKeyCreatedSchema = ref(ApiKeyWithSecretComponent)
export type ApiKeyCreated = Static<typeof ApiKeyCreatedSchema>

export const ApiKeyCreateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: scopes.length, uniqueItems: true }),
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
        maxItems: scopes.length,
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
const ApiKeyPage = listEnvelope(ApiKeySchema, 'ApiKeyPage')
export const ApiKeyListSchema = ref(ApiKeyPage)

/** The named components of this module (registered in src/components.ts). */
export const keyComponents = [ApiKeyComponent, ApiKeyWithSecretComponent, ApiKeyPage]
