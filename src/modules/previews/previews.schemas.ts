import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { nullable, ref, StringEnum, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { tokenLength, tokenPattern } from './previews.tokens.js'

/** Seconds a link lives: at least a minute, at most 30 days, a week unless asked. */
export const expiresInBounds = { minimum: 60, maximum: 2592000, default: 604800 } as const

export const PreviewLinkCreateSchema = Type.Object(
  {
    expiresIn: Type.Integer({
      ...expiresInBounds,
      format: 'int32',
      description: 'Seconds until the link stops working: 60 to 2592000 (30 days); 604800 (7 days) when omitted',
    }),
    pinVersion: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2147483647,
        format: 'int32',
        description:
          'Show this version of the article (one of its revisions) instead of the article as it is at each ' +
          'visit; a version the article never had is a 422',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ expiresIn: 86400 }, { expiresIn: 3600, pinVersion: 1 }] },
)
export type PreviewLinkCreate = Static<typeof PreviewLinkCreateSchema>

const linkExample = {
  id: '019ad0de-7a1e-7000-8000-00000000c001',
  articleId: '019ad0de-7a1e-7000-8000-00000000a001',
  pinnedVersion: null,
  status: 'active',
  expiresAt: '2026-12-07T09:00:00.000Z',
  createdBy: '019ac0de-7a1e-7000-8000-00000000b001',
  createdAt: '2026-11-30T09:00:00.000Z',
  revokedAt: null,
  lastUsedAt: null,
  uses: 0,
}

const previewLinkProperties = {
  id: UuidSchema,
  articleId: UuidSchema,
  pinnedVersion: nullable(
    Type.Integer({ description: 'The version the link shows; null: the article as it is at each visit' }),
  ),
  status: StringEnum(['active', 'expired', 'revoked'], {
    description: 'active: the link opens the preview; expired or revoked: it answers 404',
  }),
  expiresAt: TimestampSchema,
  createdBy: nullable(Type.String({ format: 'uuid', description: 'The key that created the link' })),
  createdAt: TimestampSchema,
  revokedAt: nullable(TimestampSchema),
  lastUsedAt: nullable({ ...TimestampSchema, description: 'The last time the link was opened' }),
  uses: Type.Integer({ minimum: 0, description: 'How many times the link was opened' }),
}

const PreviewLinkComponent = Type.Object(previewLinkProperties, {
  $id: 'PreviewLink',
  additionalProperties: false,
  description: 'A preview link as lists show it: never with its token, which only its creation answers',
  examples: [linkExample],
})
export const PreviewLinkSchema = ref(PreviewLinkComponent)
export type PreviewLink = Static<typeof PreviewLinkSchema>

const PreviewLinkCreatedComponent = Type.Object(
  {
    ...previewLinkProperties,
    token: Type.String({
      description: 'The secret that opens the preview. Shown only in this response: store it now.',
      pattern: tokenPattern,
    }),
    url: Type.String({
      format: 'uri-reference',
      description:
        'Where to open the preview: PREVIEW_URL with the token put in, when set; otherwise the API’s own ' +
        'GET /v1/preview/{token}, absolute under PUBLIC_URL (relative when PUBLIC_URL is unset)',
    }),
  },
  {
    $id: 'PreviewLinkCreated',
    additionalProperties: false,
    examples: [
      {
        ...linkExample,
        token: 'ndp_Y36cd2dNsP2w0jPU3X9nhOODhhxZ5kqyGqimG24dYcc',
        url: 'https://www.example.com/preview?token=ndp_Y36cd2dNsP2w0jPU3X9nhOODhhxZ5kqyGqimG24dYcc',
      },
    ],
  },
)
export const PreviewLinkCreatedSchema = ref(PreviewLinkCreatedComponent)
export type PreviewLinkCreated = Static<typeof PreviewLinkCreatedSchema>

const PreviewLinkPage = listEnvelope(PreviewLinkSchema, 'PreviewLinkPage')
export const PreviewLinkListSchema = ref(PreviewLinkPage)

export const PreviewLinkListQuerySchema = Type.Object(paginationQuery, { additionalProperties: false })
export type PreviewLinkListQuery = Static<typeof PreviewLinkListQuerySchema>

export const PreviewTokenParamsSchema = Type.Object(
  {
    token: Type.String({
      minLength: tokenLength,
      maxLength: tokenLength,
      pattern: tokenPattern,
      description: 'The token a preview link was created with (ndp_ and 43 base64url characters)',
    }),
  },
  { additionalProperties: false },
)

export const PreviewLinkParamsSchema = Type.Object({ id: UuidSchema }, { additionalProperties: false })

/** The named components of this module (registered in src/components.ts). */
export const previewComponents = [PreviewLinkComponent, PreviewLinkCreatedComponent, PreviewLinkPage]
