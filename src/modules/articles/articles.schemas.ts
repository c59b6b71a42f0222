import Type, { type Static } from 'typebox'
import { listEnvelope, PageSchema, paginationQuery } from '../../http/pagination.js'
import { nullable, ref, SlugSchema, StringEnum, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { maxInt4 } from '../../lib/ranges.js'
import { sectionPathPattern } from './articles.input.schemas.js'
import { rightsComponents } from './articles.rights.schemas.js'
import {
  ArticleComponent,
  ArticleSectionComponent,
  ArticleStatusSchema,
  ContributorComponent,
  CreditComponent,
  LeadImageComponent,
  SparseArticleComponent,
} from './articles.view.schemas.js'

/** The full representation: every write's answer, and a single read's. */
export const ArticleSchema = ref(ArticleComponent)
export type Article = Static<typeof ArticleSchema>
export type SparseArticle = Static<typeof SparseArticleComponent>

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
  'embargoedUntil',
  'canonicalUrl',
  'url',
  'leadImage',
  'sourceId',
  'credits',
  'contributors',
  'sections',
  'tags',
  'rights',
  'corrections',
  'version',
  'createdBy',
  'updatedBy',
  'createdAt',
  'updatedAt',
] as const
export type ArticleField = (typeof articleFields)[number]
const articleIncludes = ['source', 'credits', 'contributors', 'sections', 'tags'] as const
/** What a single read embeds besides: its related articles (a list's articles do not). */
const readIncludes = [...articleIncludes, 'related'] as const
export type ArticleInclude = (typeof readIncludes)[number]

const fieldsDescription = `Comma-separated fields to return (id is always returned): ${articleFields.join(', ')}`
const fieldsParam = Type.String({
  pattern: `^(${articleFields.join('|')})(,(${articleFields.join('|')}))*$`,
  maxLength: 400,
  description: fieldsDescription,
})
const includeParamOf = (includes: readonly string[]) =>
  Type.String({
    pattern: `^(${includes.join('|')})(,(${includes.join('|')}))*$`,
    maxLength: 100,
    description: `Related records to embed: ${includes.join(', ')}`,
  })
const includeParam = includeParamOf(articleIncludes)
export const ReadQuerySchema = Type.Object(
  {
    fields: Type.Optional({
      ...fieldsParam,
      deprecated: true,
      description:
        `${fieldsDescription}. Deprecated on a single read: the answer is then not a full Article but ` +
        'a SparseArticle, which this operation does not declare; list with `fields` instead.',
    }),
    include: Type.Optional(includeParamOf(readIncludes)),
  },
  { additionalProperties: false },
)

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
    person: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Contributor (person) id or slug, in any role' }),
    ),
    section: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        pattern: `(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)|(${sectionPathPattern})`,
        description:
          'Section id or path (world/middle-east): its articles and, unless sectionDescendants=false, those of every section below it',
      }),
    ),
    sectionDescendants: Type.Optional(
      Type.Boolean({ default: true, description: 'With section: include the sections below it (default true)' }),
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
      StringEnum(articleSorts, {
        description: 'Newest published first (default), most recently updated first, or best match (needs q)',
      }),
    ),
    fields: Type.Optional(fieldsParam),
    include: Type.Optional(includeParam),
    syndicatable: Type.Optional(
      Type.Boolean({
        description: 'Only articles that are (true) or are not (false) syndicatable (see rights.syndicatable)',
      }),
    ),
    count: Type.Optional(
      Type.Boolean({ description: 'Also return the exact number of matches in page.total (costs a full count)' }),
    ),
  },
  { additionalProperties: false },
)
export type ArticleListQuery = Static<typeof ArticleListQuerySchema>

const ArticlePage = Type.Object(
  {
    data: Type.Array(ref(SparseArticleComponent)),
    page: Type.Object(
      { ...PageSchema.properties, total: Type.Optional(Type.Integer({ description: 'With count=true' })) },
      { additionalProperties: false },
    ),
  },
  { $id: 'ArticlePage', additionalProperties: false },
)
export const ArticleListSchema = ref(ArticlePage)
export type ArticleList = Static<typeof ArticleListSchema>

const RevisionComponent = Type.Object(
  {
    version: Type.Integer(),
    changedFields: Type.Array(Type.String()),
    keyId: nullable(Type.String({ format: 'uuid' })),
    requestId: nullable(Type.String()),
    createdAt: TimestampSchema,
    snapshot: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'With a single revision: its editable fields as an Article names them (credits without embedded sources)',
      }),
    ),
  },
  { $id: 'Revision', additionalProperties: false },
)
export const RevisionSchema = ref(RevisionComponent)
export type Revision = Static<typeof RevisionSchema>
const RevisionPage = listEnvelope(RevisionSchema, 'RevisionPage')
export const RevisionListSchema = ref(RevisionPage)
export const RevisionListQuerySchema = Type.Object({ ...paginationQuery }, { additionalProperties: false })
export const RevisionParamsSchema = Type.Object(
  { id: UuidSchema, version: Type.Integer({ minimum: 1, maximum: maxInt4, format: 'int32' }) },
  { additionalProperties: false },
)

const TombstoneComponent = Type.Object(
  {
    id: UuidSchema,
    slug: Type.String(),
    deletedAt: TimestampSchema,
    killed: Type.Boolean({ description: 'Withdrawn with POST /v1/articles/{id}/kill (not deleted)' }),
    notice: nullable(Type.String({ description: 'A killed article: the public notice for partners (plain text)' })),
    reason: nullable(
      Type.String({ description: "A killed article, for callers with content:write: the kill's internal reason" }),
    ),
  },
  { $id: 'ArticleTombstone', description: 'A deleted article', additionalProperties: false },
)
const TombstoneSchema = ref(TombstoneComponent)
export const TombstoneQuerySchema = Type.Object(
  { ...paginationQuery, since: Type.Optional({ ...TimestampSchema, description: 'Deleted at or after this time' }) },
  { additionalProperties: false },
)
export type TombstoneQuery = Static<typeof TombstoneQuerySchema>
export type Tombstone = Static<typeof TombstoneSchema>
const TombstonePage = listEnvelope(TombstoneSchema, 'ArticleTombstonePage')
export const TombstoneListSchema = ref(TombstonePage)

/** The named components of this module (registered in src/components.ts). */
export const articleComponents = [
  LeadImageComponent,
  CreditComponent,
  ContributorComponent,
  ArticleSectionComponent,
  ...rightsComponents,
  ArticleComponent,
  SparseArticleComponent,
  ArticlePage,
  RevisionComponent,
  RevisionPage,
  TombstoneComponent,
  TombstonePage,
]
