// An article's rights: what it says of its use (ninjs usageterms, copyrightholder,
// copyrightnotice), whether partners may republish it (syndicatable) and the line crediting its
// wire sources; the input that sets them, and GET /articles/{idOrSlug}/rights, which explains
// the syndication decision.
import Type, { type Static } from 'typebox'
import { nullable, ref, StringEnum, UuidSchema } from '../../http/schemas.js'
import { redistributions } from '../sources/sources.rights.js'

const OverrideSchema = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 1000,
      pattern: '\\S',
      description: 'Why the article may be syndicated although it credits a source that forbids redistribution',
    }),
  },
  {
    additionalProperties: false,
    description: "An editor's override of forbidding credits, with its reason (required)",
    examples: [{ reason: 'AP licence of 2026-11 covers partner syndication' }],
  },
)

const rightsText = {
  usageTerms: nullable(Type.String({ maxLength: 1000, description: 'How the content may be used (ninjs usageterms)' })),
  copyrightHolder: nullable(
    Type.String({ maxLength: 300, description: 'Who holds the copyright (ninjs copyrightholder)' }),
  ),
  copyrightNotice: nullable(
    Type.String({ maxLength: 1000, description: 'The copyright notice (ninjs copyrightnotice)' }),
  ),
}

const allowSyndication = Type.Boolean({
  description: "The article's own setting (default true): false makes it not syndicatable, whatever its credits",
})

export const RightsComponent = Type.Object(
  {
    ...rightsText,
    allowSyndication,
    override: nullable(OverrideSchema),
    syndicatable: Type.Boolean({
      description:
        'Computed (read-only): allowSyndication, and no credited source forbids redistribution unless ' +
        '`override` gives a reason. Lists filter on it (syndicatable=true); content:syndicate keys read ' +
        'the bodies of syndicatable articles only.',
    }),
    creditLine: nullable(
      Type.String({
        description:
          "Computed (read-only): the credited sources' credit line templates, in credit order, joined with " +
          '"; " (a credit-required source without a template is credited by name); null when none has one',
      }),
    ),
  },
  {
    $id: 'ArticleRights',
    description: 'Rights and syndication (see GET /v1/articles/{idOrSlug}/rights for the why)',
    additionalProperties: false,
    examples: [
      {
        usageTerms: null,
        copyrightHolder: 'The Associated Press',
        copyrightNotice: null,
        allowSyndication: true,
        override: null,
        syndicatable: false,
        creditLine: '© 2015 Associated Press',
      },
    ],
  },
)
export type Rights = Static<typeof RightsComponent>

/**
 * The rights a write sets: only the fields given change. `syndicatable` and `creditLine` are
 * computed: accepted (a read is sent back as it is read) and ignored.
 */
export const RightsInSchema = Type.Object(
  {
    usageTerms: Type.Optional(rightsText.usageTerms),
    copyrightHolder: Type.Optional(rightsText.copyrightHolder),
    copyrightNotice: Type.Optional(rightsText.copyrightNotice),
    allowSyndication: Type.Optional(allowSyndication),
    override: Type.Optional(Type.Union([OverrideSchema, Type.Null()])),
    syndicatable: Type.Optional(Type.Boolean({ description: 'Read-only (computed): ignored' })),
    creditLine: Type.Optional(
      // Above any line 20 credits render (a 200-character template of 200-character names each):
      // a read is always accepted back.
      nullable(Type.String({ maxLength: 1000000, description: 'Read-only (computed): ignored' })),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Rights: only the fields given change. `override` (with its reason) lets an article crediting a source ' +
      'that forbids redistribution be syndicated; null removes it.',
    examples: [{ copyrightHolder: 'The Associated Press', override: { reason: 'Licensed for partners' } }],
  },
)
export type RightsInput = Static<typeof RightsInSchema>

export const rightsRules = ['own-setting-forbids', 'credit-forbids', 'override', 'allowed'] as const

const SourceSummarySchema = Type.Object(
  { id: UuidSchema, slug: Type.String(), name: Type.String() },
  { additionalProperties: false },
)

const RightsExplanationComponent = Type.Object(
  {
    syndicatable: Type.Boolean(),
    creditLine: nullable(Type.String()),
    decision: Type.Object(
      {
        rule: StringEnum(rightsRules, {
          description:
            "own-setting-forbids: the article's own setting (allowSyndication false); credit-forbids: a credited " +
            'source forbids redistribution (`credit`); override: one does, and an editor overrode it (`override`); ' +
            'allowed: nothing forbids it',
        }),
        reason: Type.String({ description: 'The decision in words' }),
        credit: Type.Optional({ ...SourceSummarySchema, description: 'The first credited source that forbids it' }),
        override: Type.Optional(OverrideSchema),
      },
      { additionalProperties: false },
    ),
    credits: Type.Array(
      Type.Object(
        {
          source: SourceSummarySchema,
          redistribution: StringEnum(redistributions),
          creditLine: nullable(Type.String({ description: "This credit's line, rendered (null: none)" })),
        },
        { additionalProperties: false },
      ),
      { description: 'The wire credits, in order, with their rules' },
    ),
  },
  {
    $id: 'ArticleRightsExplanation',
    description: "Whether the article is syndicatable and why: the rule that decided, and each credit's part",
    additionalProperties: false,
    examples: [
      {
        syndicatable: false,
        creditLine: '© 2015 Associated Press',
        decision: {
          rule: 'credit-forbids',
          reason: 'Credits Associated Press, whose redistribution is forbidden, and no editor overrode it',
          credit: { id: '019ac0de-7a1e-7000-8000-00000000a002', slug: 'associated-press', name: 'Associated Press' },
        },
        credits: [
          {
            source: { id: '019ac0de-7a1e-7000-8000-00000000a002', slug: 'associated-press', name: 'Associated Press' },
            redistribution: 'forbidden',
            creditLine: '© 2015 Associated Press',
          },
        ],
      },
    ],
  },
)
export const RightsExplanationSchema = ref(RightsExplanationComponent)
export type RightsExplanation = Static<typeof RightsExplanationSchema>

export const rightsComponents = [RightsComponent, RightsExplanationComponent]
