import Type, { type Static } from 'typebox'
import { listEnvelope, PageSchema, paginationQuery } from '../../http/pagination.js'
import { HttpUrlSchema, nullable, SlugSchema, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { maxInt4 } from '../../lib/ranges.js'
import { SourceSchema, seedSourceExample } from '../sources/sources.schemas.js'
import { TagSchema } from '../tags/tags.schemas.js'

export const ArticleStatusSchema = Type.Union(
  [Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published'), Type.Literal('archived')],
  { description: 'scheduled: published with a future publish time; it becomes published when that time passes' },
)

export const LeadImageSchema = Type.Object(
  {
    url: HttpUrlSchema,
    caption: Type.Optional(nullable(Type.String({ maxLength: 1000 }))),
    credit: Type.Optional(nullable(Type.String({ maxLength: 300 }))),
  },
  { additionalProperties: false },
)

const CreditOutSchema = Type.Object(
  {
    sourceId: UuidSchema,
    role: Type.String(),
    source: Type.Optional(SourceSchema),
  },
  { additionalProperties: false },
)

const seedArticleExample = {
  id: '019ac0de-7a1e-7000-8000-00000000c001',
  slug: 'iraq-to-share-intelligence-info-on-is-with-syria-russia-iran',
  headline: 'Iraq to share intelligence info on IS with Syria, Russia, Iran',
  summary:
    'Iraq\'s military said Sunday, September 27, it will begin sharing "security and intelligence" information with Syria, Russia and Iran to help combat the Islamic State group, the Associated Press reports.',
  body: 'Iraq\'s military said Sunday, September 27, it will begin sharing "security and intelligence" information …\n\nA statement issued by the Joint Operations Command said …',
  bodyHtml: "<p>Iraq's military said Sunday, September 27, it will begin sharing …</p>",
  bodyText: "Iraq's military said Sunday, September 27, it will begin sharing …",
  dateline: 'Sunday, September 27',
  bylines: [],
  language: 'en',
  status: 'published',
  publishedAt: '2015-09-27T12:00:00.000Z',
  firstPublishedAt: '2015-09-27T12:00:00.000Z',
  canonicalUrl: null,
  leadImage: null,
  sourceId: seedSourceExample.id,
  source: seedSourceExample,
  credits: [{ sourceId: '019ac0de-7a1e-7000-8000-00000000a002', role: 'wire' }],
  tags: ['iraq', 'syria', 'russia', 'iran', 'islamic-state'],
  version: 1,
  createdBy: null,
  updatedBy: null,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
}

/** Every field; list and single reads may return fewer (`fields`) and embed more (`include`). */
export const ArticleSchema = Type.Object(
  {
    id: UuidSchema,
    slug: Type.Optional(Type.String()),
    headline: Type.Optional(Type.String()),
    summary: Type.Optional(nullable(Type.String())),
    body: Type.Optional(Type.String({ description: 'Markdown, the canonical form' })),
    bodyHtml: Type.Optional(Type.String({ description: 'Rendered and sanitised HTML, safe to inject into a page' })),
    bodyText: Type.Optional(Type.String({ description: 'Plain text' })),
    dateline: Type.Optional(nullable(Type.String())),
    bylines: Type.Optional(Type.Array(Type.String())),
    language: Type.Optional(Type.String()),
    status: Type.Optional(ArticleStatusSchema),
    publishedAt: Type.Optional(nullable(TimestampSchema)),
    firstPublishedAt: Type.Optional(nullable(TimestampSchema)),
    canonicalUrl: Type.Optional(nullable(Type.String())),
    leadImage: Type.Optional(Type.Union([LeadImageSchema, Type.Null()])),
    sourceId: Type.Optional(nullable(Type.String({ format: 'uuid' }))),
    source: Type.Optional(Type.Union([SourceSchema, Type.Null()], { description: 'With include=source' })),
    credits: Type.Optional(
      Type.Array(CreditOutSchema, { description: 'Wire credits in order; sources embedded with include=credits' }),
    ),
    tags: Type.Optional(
      Type.Union([Type.Array(Type.String()), Type.Array(TagSchema)], {
        description: 'Tag slugs; tag objects with include=tags',
      }),
    ),
    version: Type.Optional(Type.Integer()),
    createdBy: Type.Optional(nullable(Type.String({ format: 'uuid' }))),
    updatedBy: Type.Optional(nullable(Type.String({ format: 'uuid' }))),
    createdAt: Type.Optional(TimestampSchema),
    updatedAt: Type.Optional(TimestampSchema),
    snippet: Type.Optional(
      Type.String({ description: 'With q: the matching passage, search terms wrapped in <mark>…</mark>' }),
    ),
  },
  { additionalProperties: false, examples: [seedArticleExample] },
)
export type Article = Static<typeof ArticleSchema>

export const articleFields = [
  'slug',
  'headline',
  'summary',
  'body',
  'bodyHtml',
  'bodyText',
  'dateline',
  'bylines',
  'language',
  'status',
  'publishedAt',
  'firstPublishedAt',
  'canonicalUrl',
  'leadImage',
  'sourceId',
  'credits',
  'tags',
  'version',
  'createdBy',
  'updatedBy',
  'createdAt',
  'updatedAt',
] as const
export type ArticleField = (typeof articleFields)[number]
const articleIncludes = ['source', 'credits', 'tags'] as const
export type ArticleInclude = (typeof articleIncludes)[number]

const fieldsParam = Type.String({
  pattern: `^(${articleFields.join('|')})(,(${articleFields.join('|')}))*$`,
  maxLength: 400,
  description: `Comma-separated fields to return (id is always returned): ${articleFields.join(', ')}`,
})
const includeParam = Type.String({
  pattern: `^(${articleIncludes.join('|')})(,(${articleIncludes.join('|')}))*$`,
  maxLength: 100,
  description: `Related records to embed: ${articleIncludes.join(', ')}`,
})
export const ReadQuerySchema = Type.Object(
  { fields: Type.Optional(fieldsParam), include: Type.Optional(includeParam) },
  { additionalProperties: false },
)

const CreditInSchema = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 200, description: 'Source id or slug' }),
    role: Type.Optional(Type.String({ minLength: 1, maxLength: 50, default: 'wire' })),
  },
  { additionalProperties: false },
)

const editable = {
  slug: Type.Optional({ ...SlugSchema, maxLength: 200 }),
  headline: Type.String({ minLength: 1, maxLength: 300 }),
  summary: Type.Optional(nullable(Type.String({ maxLength: 1000 }))),
  body: Type.Optional(Type.String({ maxLength: 200000, description: 'Markdown' })),
  dateline: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
  bylines: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 20 })),
  language: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
      maxLength: 35,
      description: 'BCP 47 language tag, e.g. en, hy, ru, pt-BR',
    }),
  ),
  canonicalUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Null()])),
  leadImage: Type.Optional(Type.Union([LeadImageSchema, Type.Null()])),
  source: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 200, description: 'Source id or slug' }))),
  credits: Type.Optional(Type.Array(CreditInSchema, { maxItems: 20 })),
  tags: Type.Optional(
    Type.Array({ ...SlugSchema, description: 'Tag slug (created when new)' }, { maxItems: 50, uniqueItems: true }),
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
      tags: ['iraq', 'syria'],
    },
  ],
})
export type ArticleCreate = Static<typeof ArticleCreateSchema>

export const ArticleUpdateSchema = Type.Object(
  { ...editable, headline: Type.Optional(editable.headline) },
  { additionalProperties: false, minProperties: 1, examples: [{ dateline: 'BAGHDAD, Sunday, September 27' }] },
)
export type ArticleUpdate = Static<typeof ArticleUpdateSchema>

export const PublishSchema = Type.Object(
  {
    publishAt: Type.Optional({
      ...TimestampSchema,
      description: 'When the article becomes public; in the future it is scheduled. Default: now.',
    }),
  },
  { additionalProperties: false },
)
export type Publish = Static<typeof PublishSchema>

const articleSorts = ['-publishedAt', '-updatedAt', 'relevance'] as const
export const ArticleListQuerySchema = Type.Object(
  {
    ...paginationQuery,
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Publishing source id or slug' })),
    credit: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Credited (wire) source id or slug' }),
    ),
    tag: Type.Optional(
      Type.Array({ ...SlugSchema }, { maxItems: 10, description: 'Tag slug; repeat for any of several tags' }),
    ),
    language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 })),
    status: Type.Optional({ ...ArticleStatusSchema, description: 'Needs content:preview or content:write' }),
    publishedAfter: Type.Optional({ ...TimestampSchema, description: 'Published at or after this time' }),
    publishedBefore: Type.Optional({ ...TimestampSchema, description: 'Published before this time' }),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        // PostgreSQL's query parser stacks consecutive NOTs and fails past 32 (XX000 "tsquery
        // stack too small"); the word bound caps the terms ranked and highlighted per row.
        // Linear: each repetition consumes exactly one hyphen, or one run of spaces and a word.
        pattern: '^(?=[^-]*(?:-[^-]*){0,16}$)\\s*\\S*(?:\\s+\\S+){0,31}\\s*$',
        description:
          'Full-text search, web search syntax: words, "a phrase", -excluded, or. ' +
          'At most 200 characters, 32 words and 16 hyphens.',
      }),
    ),
    sort: Type.Optional(
      Type.Union(
        articleSorts.map((s) => Type.Literal(s)),
        {
          description: 'Newest published first (default), most recently updated first, or best match (needs q)',
        },
      ),
    ),
    fields: Type.Optional(fieldsParam),
    include: Type.Optional(includeParam),
    count: Type.Optional(
      Type.Boolean({ description: 'Also return the exact number of matches in page.total (costs a full count)' }),
    ),
  },
  { additionalProperties: false },
)
export type ArticleListQuery = Static<typeof ArticleListQuerySchema>

export const ArticleListSchema = Type.Object(
  {
    data: Type.Array(ArticleSchema),
    page: Type.Object(
      { ...PageSchema.properties, total: Type.Optional(Type.Integer({ description: 'With count=true' })) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)
export type ArticleList = Static<typeof ArticleListSchema>

export const RevisionSchema = Type.Object(
  {
    version: Type.Integer(),
    changedFields: Type.Array(Type.String()),
    keyId: nullable(Type.String({ format: 'uuid' })),
    requestId: nullable(Type.String()),
    createdAt: TimestampSchema,
    snapshot: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The article at this version' })),
  },
  { additionalProperties: false },
)
export type Revision = Static<typeof RevisionSchema>
export const RevisionListSchema = listEnvelope(RevisionSchema)
export const RevisionListQuerySchema = Type.Object({ ...paginationQuery }, { additionalProperties: false })
export const RevisionParamsSchema = Type.Object(
  { id: UuidSchema, version: Type.Integer({ minimum: 1, maximum: maxInt4, format: 'int32' }) },
  { additionalProperties: false },
)

export const TombstoneSchema = Type.Object(
  { id: UuidSchema, slug: Type.String(), deletedAt: TimestampSchema },
  { additionalProperties: false },
)
export const TombstoneQuerySchema = Type.Object(
  { ...paginationQuery, since: Type.Optional({ ...TimestampSchema, description: 'Deleted at or after this time' }) },
  { additionalProperties: false },
)
export type TombstoneQuery = Static<typeof TombstoneQuerySchema>
export type Tombstone = Static<typeof TombstoneSchema>
export const TombstoneListSchema = listEnvelope(TombstoneSchema)
