import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import {
  HttpUrlSchema,
  nullable,
  ref,
  SlugSchema,
  StringEnum,
  TimestampSchema,
  UuidSchema,
} from '../../http/schemas.js'
import { redistributions } from './sources.rights.js'

const redistributionDescription =
  'How its copy may be passed on: allowed; credit-required (allowed, with the credit line: its template, ' +
  'or the name); forbidden (an article crediting it is not syndicatable unless an editor overrides it)'
const RedistributionSchema = StringEnum(redistributions, { description: redistributionDescription })

// Writes check the placeholders ({source}, {year}): any other is a 400 naming the field.
const CreditLineSchema = Type.String({
  minLength: 1,
  maxLength: 200,
  description:
    "Credit line template: {source} is the source's name, {year} the article's first publication year " +
    '(the current year before it is published), e.g. "{source} reports" or "© {year} {source}"',
  examples: ['© {year} {source}'],
})

const SourceKindSchema = StringEnum(['publisher', 'agency', 'partner'], {
  description: 'publisher: publishes articles; agency: a news agency credited on wire copy; partner: a partner site',
})

export const seedSourceExample = {
  id: '019ac0de-7a1e-7000-8000-00000000a001',
  slug: 'panarmenian-net',
  name: 'PanARMENIAN.Net',
  kind: 'publisher',
  homepageUrl: 'https://www.panarmenian.net/',
  description: 'Armenian news portal publishing in English, Armenian and Russian.',
  redistribution: 'allowed',
  creditLine: null,
  createdBy: null,
  updatedBy: null,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
}

const SourceComponent = Type.Object(
  {
    id: UuidSchema,
    slug: SlugSchema,
    // The limits writes enforce: a read sent back (an embedded source) stays within them.
    name: Type.String({ maxLength: 200 }),
    kind: SourceKindSchema,
    homepageUrl: nullable(Type.String({ maxLength: 2048 })),
    description: nullable(Type.String({ maxLength: 2000 })),
    redistribution: RedistributionSchema,
    creditLine: nullable(CreditLineSchema),
    createdBy: nullable({
      ...UuidSchema,
      description: 'The API key that created the source (null: seed or command line)',
    }),
    updatedBy: nullable({ ...UuidSchema, description: 'The API key that last changed the source' }),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { $id: 'Source', additionalProperties: false, examples: [seedSourceExample] },
)
/** A source, as every read shows it (and as articles and teasers embed it). */
export const SourceSchema = ref(SourceComponent)
export type Source = Static<typeof SourceSchema>

/**
 * How another record's input names a source, beside its id (`sourceId`): by id or slug, or as the
 * Source a read embeds, so that a read is accepted back as it is. Of an embedded source only the
 * id counts: its other fields are the source's, which such a write does not change.
 */
export const SourceReferenceSchema = Type.Union([
  Type.String({ minLength: 1, maxLength: 200, description: 'A source id or slug' }),
  Type.Object(
    { ...Type.Partial(SourceComponent).properties, id: UuidSchema },
    { additionalProperties: false, description: 'The source as a read embeds it: its id names it' },
  ),
])
export type SourceReference = Static<typeof SourceReferenceSchema>

export const SourceCreateSchema = Type.Object(
  {
    slug: Type.Optional({ ...SlugSchema, description: 'Generated from the name when omitted' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: SourceKindSchema,
    homepageUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    redistribution: Type.Optional(
      StringEnum(redistributions, { description: redistributionDescription, default: 'allowed' }),
    ),
    creditLine: Type.Optional(Type.Union([CreditLineSchema, Type.Null()])),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Agence France-Presse',
        kind: 'agency',
        homepageUrl: 'https://www.afp.com/',
        description: 'French news agency; credited on wire copy as AFP.',
        redistribution: 'credit-required',
        creditLine: '© {year} {source}',
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
    redistribution: Type.Optional(
      StringEnum(redistributions, {
        description: `${redistributionDescription}. A change recomputes whether each article crediting the source is syndicatable.`,
      }),
    ),
    creditLine: Type.Optional(Type.Union([CreditLineSchema, Type.Null()])),
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
    sort: StringEnum(sourceSorts, { default: 'name', description: 'Sort field; a leading "-" sorts descending' }),
  },
  { additionalProperties: false },
)
export type SourceListQuery = Static<typeof SourceListQuerySchema>

const SourcePage = listEnvelope(SourceSchema, 'SourcePage')
export const SourceListSchema = ref(SourcePage)

/** The named components of this module (registered in src/components.ts). */
export const sourceComponents = [SourceComponent, SourcePage]
