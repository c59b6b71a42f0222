import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { HttpUrlSchema, SlugSchema, TimestampSchema, UuidSchema } from '../../http/schemas.js'

export const SourceKindSchema = Type.Union(
  [Type.Literal('publisher'), Type.Literal('agency'), Type.Literal('partner')],
  {
    description: 'publisher: publishes articles; agency: a news agency credited on wire copy; partner: a partner site',
  },
)

export const seedSourceExample = {
  id: '019ac0de-7a1e-7000-8000-00000000a001',
  slug: 'panarmenian-net',
  name: 'PanARMENIAN.Net',
  kind: 'publisher',
  homepageUrl: 'https://www.panarmenian.net/',
  description: 'Armenian news portal publishing in English, Armenian and Russian.',
  createdBy: null,
  updatedBy: null,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
}

export const SourceSchema = Type.Object(
  {
    id: UuidSchema,
    slug: SlugSchema,
    name: Type.String(),
    kind: SourceKindSchema,
    homepageUrl: Type.Union([Type.String(), Type.Null()]),
    description: Type.Union([Type.String(), Type.Null()]),
    createdBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description: 'The API key that created the source (null: seed or command line)',
    }),
    updatedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description: 'The API key that last changed the source',
    }),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false, examples: [seedSourceExample] },
)
export type Source = Static<typeof SourceSchema>

export const SourceCreateSchema = Type.Object(
  {
    slug: Type.Optional({ ...SlugSchema, description: 'Generated from the name when omitted' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: SourceKindSchema,
    homepageUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Agence France-Presse',
        kind: 'agency',
        homepageUrl: 'https://www.afp.com/',
        description: 'French news agency; credited on wire copy as AFP.',
      },
    ],
  },
)
export type SourceCreate = Static<typeof SourceCreateSchema>

export const SourceUpdateSchema = Type.Object(
  {
    slug: Type.Optional(SlugSchema),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    kind: Type.Optional(SourceKindSchema),
    homepageUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ description: 'Armenian news portal (English edition).' }],
  },
)
export type SourceUpdate = Static<typeof SourceUpdateSchema>

const sourceSorts = ['name', '-name', 'createdAt', '-createdAt'] as const

export const SourceListQuerySchema = Type.Object(
  {
    ...paginationQuery,
    kind: Type.Optional(SourceKindSchema),
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Case-insensitive substring of the name' }),
    ),
    sort: Type.Union(
      sourceSorts.map((s) => Type.Literal(s)),
      { default: 'name', description: 'Sort field; a leading "-" sorts descending' },
    ),
  },
  { additionalProperties: false },
)
export type SourceListQuery = Static<typeof SourceListQuerySchema>

export const SourceListSchema = listEnvelope(SourceSchema)
