// Corrections: the note a PATCH may carry after an article's first publication, the notes an
// article shows (`corrections`), and the site-wide list GET /v1/corrections (a corrections page).
import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { ref, StringEnum, TimestampSchema, UuidSchema } from '../../http/schemas.js'

export const correctionKinds = ['correction', 'clarification', 'update'] as const
export type CorrectionKind = (typeof correctionKinds)[number]

/** The longest note (plain text). */
export const maxCorrectionText = 2000

const KindSchema = StringEnum(correctionKinds, {
  description:
    'correction: an error was fixed; clarification: something was made clearer; update: new facts were added',
})

const TextSchema = Type.String({
  minLength: 1,
  maxLength: maxCorrectionText,
  // Not blank: a note says something.
  pattern: '\\S',
  description: `The note readers see, plain text (no Markdown, no HTML: escape it when rendering), up to ${maxCorrectionText} characters`,
})

/** The `correction` member of a PATCH. */
export const CorrectionInputSchema = Type.Object(
  { kind: KindSchema, text: TextSchema },
  {
    additionalProperties: false,
    description:
      'A public note about this change, only after the first publication (422 ND_NOT_YET_PUBLISHED before). It is ' +
      "appended to the article's `corrections` with the version this PATCH makes, and the change is announced as " +
      '`article.corrected`. A PATCH with only `correction` makes a new version with the note alone. Minor edits ' +
      'send none.',
    examples: [{ kind: 'correction', text: 'An earlier version misstated the date of the agreement.' }],
  },
)
export type CorrectionInput = Static<typeof CorrectionInputSchema>

export const ArticleCorrectionComponent = Type.Object(
  {
    kind: KindSchema,
    text: Type.String({ description: 'Plain text' }),
    at: { ...TimestampSchema, description: 'When the note was added' },
    version: Type.Integer({ description: "The article's version the note came with" }),
  },
  {
    $id: 'ArticleCorrection',
    description: 'A correction, clarification or update note on an article',
    additionalProperties: false,
  },
)

const CorrectionComponent = Type.Object(
  {
    id: UuidSchema,
    ...ArticleCorrectionComponent.properties,
    article: Type.Object(
      { id: UuidSchema, slug: Type.String(), headline: Type.String() },
      { additionalProperties: false, description: 'The article as it is now' },
    ),
  },
  {
    $id: 'Correction',
    description: 'A note on an article, as the site-wide list shows it',
    additionalProperties: false,
    examples: [
      {
        id: '019ac0de-7a1e-7000-8000-00000000e001',
        kind: 'correction',
        text: 'An earlier version misstated the date of the agreement.',
        at: '2026-11-29T10:00:00.000Z',
        version: 5,
        article: {
          id: '019ac0de-7a1e-7000-8000-00000000c001',
          slug: 'iraq-to-share-intelligence-info-on-is-with-syria-russia-iran',
          headline: 'Iraq to share intelligence info on IS with Syria, Russia, Iran',
        },
      },
    ],
  },
)
export const CorrectionSchema = ref(CorrectionComponent)
export type Correction = Static<typeof CorrectionSchema>
const CorrectionPage = listEnvelope(CorrectionSchema, 'CorrectionPage')
export const CorrectionListSchema = ref(CorrectionPage)
export type CorrectionList = Static<typeof CorrectionPage>

export const CorrectionListQuerySchema = Type.Object(
  {
    ...paginationQuery,
    article: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "Only this article's notes (its id or slug)" }),
    ),
    kind: Type.Optional(StringEnum(correctionKinds, { description: 'Only notes of this kind' })),
    since: Type.Optional({ ...TimestampSchema, description: 'Only notes added at or after this time' }),
  },
  { additionalProperties: false },
)
export type CorrectionListQuery = Static<typeof CorrectionListQuerySchema>

/** The named components of this module (registered in src/components.ts). */
export const correctionComponents = [ArticleCorrectionComponent, CorrectionComponent, CorrectionPage]
