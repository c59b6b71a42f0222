// What article writes accept: the editable fields, with the related records (sources, people,
// sections) named by id, slug or path, or as a read embeds them so a read is accepted back as is.
import Type, { type Static } from 'typebox'
import { HttpUrlSchema, nullable, SlugSchema, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { CorrectionInputSchema } from '../corrections/corrections.schemas.js'
import { MediaImageInSchema } from '../media/media.embeds.schemas.js'
import { PersonComponent } from '../people/people.schemas.js'
import { maxSectionDepth, SectionComponent } from '../sections/sections.schemas.js'
import { SourceReferenceSchema } from '../sources/sources.schemas.js'
import { RightsInSchema } from './articles.rights.schemas.js'
import { ContributorRoleSchema } from './articles.view.schemas.js'

const CreditInSchema = Type.Object(
  {
    sourceId: Type.Optional({ ...UuidSchema, description: 'The credited source, as reads name it' }),
    source: Type.Optional({
      ...SourceReferenceSchema,
      description: 'The credited source by id or slug, or as include=credits embeds it (instead of sourceId)',
    }),
    role: Type.Optional(Type.String({ minLength: 1, maxLength: 50, default: 'wire' })),
  },
  {
    additionalProperties: false,
    description: 'Names its source by `sourceId` or `source`; both may be given if they name the same source',
  },
)

/** An embedded record's `url` sent back: read-only, ignored (bounded as every input string). */
const EmbeddedUrlSchema = Type.Optional(
  nullable(Type.String({ maxLength: 8000, description: 'As a read embeds it: ignored (read-only)' })),
)

/** How an article's input names a person: by id or slug, or as include=contributors embeds it. */
const PersonReferenceSchema = Type.Union([
  Type.String({ minLength: 1, maxLength: 200, description: 'A person id or slug' }),
  Type.Object(
    {
      ...Type.Partial(PersonComponent).properties,
      id: UuidSchema,
      url: EmbeddedUrlSchema,
      image: Type.Optional(nullable(MediaImageInSchema)),
    },
    { additionalProperties: false, description: 'The person as a read embeds it: its id names it' },
  ),
])

const ContributorInSchema = Type.Object(
  {
    personId: Type.Optional({ ...UuidSchema, description: 'The person, as reads name it' }),
    person: Type.Optional({
      ...PersonReferenceSchema,
      description: 'The person by id or slug, or as include=contributors embeds it (instead of personId)',
    }),
    role: Type.Optional({ ...ContributorRoleSchema, default: 'author' }),
  },
  {
    additionalProperties: false,
    description: 'Names its person by `personId` or `person`; both may be given if they name the same person',
  },
)

/** Section paths: slugs joined by "/", at most maxSectionDepth of them. */
export const sectionPathPattern = `^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*){0,${maxSectionDepth - 1}}$`

const SectionReferenceSchema = Type.Union([
  Type.String({ minLength: 1, maxLength: 1000, description: 'A section id or path, e.g. world/middle-east' }),
  Type.Object(
    { ...Type.Partial(SectionComponent).properties, id: UuidSchema, url: EmbeddedUrlSchema },
    { additionalProperties: false, description: 'The section as a read embeds it: its id names it' },
  ),
])

const ArticleSectionInSchema = Type.Object(
  {
    sectionId: Type.Optional({ ...UuidSchema, description: 'The section, as reads name it' }),
    section: Type.Optional({
      ...SectionReferenceSchema,
      description: 'The section by id or path, or as include=sections embeds it (instead of sectionId)',
    }),
    primary: Type.Optional(
      Type.Boolean({ description: 'The home section: at most one; when none is marked, the first one is' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Names its section by `sectionId` or `section`; both may be given if they name the same section',
  },
)

// One object rather than a union of the two forms: a mistake in one field is then named alone.
const LeadImageInSchema = Type.Object(
  {
    url: Type.Optional({ ...HttpUrlSchema, description: 'An image by URL (or `media`)' }),
    media: Type.Optional({
      ...UuidSchema,
      description: 'An image from the media library (POST /v1/media), instead of `url`: reads embed the record',
    }),
    caption: Type.Optional(
      nullable(Type.String({ maxLength: 1000, description: "For a media image: shown instead of the record's own" })),
    ),
    credit: Type.Optional(
      nullable(Type.String({ maxLength: 300, description: "For a media image: shown instead of the record's own" })),
    ),
  },
  {
    additionalProperties: false,
    description: 'The lead image: by `url`, or a media record by `media` (exactly one of them)',
    examples: [
      { url: 'https://images.example.com/baghdad.jpg', caption: 'Baghdad, September 27' },
      { media: '019ad0c4-3b8e-7000-8000-00000000e001', caption: 'Baghdad, September 27' },
    ],
  },
)

const editable = {
  slug: Type.Optional({ ...SlugSchema, maxLength: 200 }),
  headline: Type.String({ minLength: 1, maxLength: 300 }),
  summary: Type.Optional(nullable(Type.String({ maxLength: 1000 }))),
  body: Type.Optional(
    Type.String({
      maxLength: 200000,
      description:
        'Markdown. `![alt](media:<id>)` embeds an image from the media library as a responsive <img> ' +
        '(the alt text, or the record’s own; a 422 names ids no record has)',
    }),
  ),
  dateline: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
  bylines: Type.Optional(
    // As many as contributors: bylines derived from 30 authors are sent back as they are read.
    Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 30 }),
  ),
  language: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
      maxLength: 35,
      description: 'BCP 47 language tag, e.g. en, hy, ru, pt-BR',
    }),
  ),
  canonicalUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Null()])),
  embargoedUntil: Type.Optional(
    nullable({
      ...TimestampSchema,
      description:
        'Once published, the article stays out of public reads until this instant: only keys with ' +
        'content:embargoed (or preview) see it before. Null lifts the embargo; a past instant is no embargo',
    }),
  ),
  leadImage: Type.Optional(Type.Union([LeadImageInSchema, Type.Null()])),
  sourceId: Type.Optional(nullable({ ...UuidSchema, description: 'The publishing source, as reads name it' })),
  source: Type.Optional(
    Type.Union([...SourceReferenceSchema.anyOf, Type.Null()], {
      description:
        'The publishing source by id or slug, or as include=source embeds it (instead of sourceId; both must ' +
        'name the same source)',
    }),
  ),
  credits: Type.Optional(Type.Array(CreditInSchema, { maxItems: 20 })),
  contributors: Type.Optional(
    Type.Array(ContributorInSchema, {
      maxItems: 30,
      description: 'People credited, in byline order. When `bylines` is not given, it is set from their names.',
    }),
  ),
  sections: Type.Optional(Type.Array(ArticleSectionInSchema, { maxItems: 10 })),
  rights: Type.Optional(RightsInSchema),
  tags: Type.Optional(
    Type.Array(
      {
        ...SlugSchema,
        description:
          'Tag slug, or a former slug of a renamed or merged tag. A new one creates the tag, unless ' +
          'TAGS_CREATE_ON_WRITE=false: then it is a 422 naming each unknown slug',
      },
      { maxItems: 50, uniqueItems: true },
    ),
  ),
}

export const ArticleCreateSchema = Type.Object(editable, {
  additionalProperties: false,
  examples: [
    {
      headline: 'Iraq says it will share security and intelligence information with Syria, Russia and Iran',
      dateline: 'Sunday, September 27',
      body: 'Iraq\'s military said Sunday, September 27, it will begin sharing "security and intelligence" information with Syria, Russia and Iran …',
      language: 'en',
      source: 'panarmenian-net',
      credits: [{ source: 'associated-press', role: 'wire' }],
      contributors: [{ person: 'anna-hakobyan', role: 'author' }],
      sections: [{ section: 'world/middle-east', primary: true }],
      tags: ['iraq', 'syria'],
    },
  ],
})
export type ArticleCreate = Static<typeof ArticleCreateSchema>

export const ArticleUpdateSchema = Type.Object(
  { ...editable, headline: Type.Optional(editable.headline), correction: Type.Optional(CorrectionInputSchema) },
  { additionalProperties: false, minProperties: 1, examples: [{ dateline: 'BAGHDAD, Sunday, September 27' }] },
)
export type ArticleUpdate = Static<typeof ArticleUpdateSchema>
