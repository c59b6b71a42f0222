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
import { ArticleUrlSchema, LeadImageComponent } from '../articles/articles.view.schemas.js'
import { MediaImageComponent } from '../media/media.shared.schemas.js'
import { SourceReferenceSchema, SourceSchema } from '../sources/sources.schemas.js'

const CollectionComponent = Type.Object(
  {
    id: UuidSchema,
    key: Type.String(),
    title: Type.String(),
    description: nullable(Type.String()),
    maxItems: Type.Integer(),
    version: Type.Integer(),
    createdBy: nullable(Type.String({ format: 'uuid' })),
    updatedBy: nullable(Type.String({ format: 'uuid' })),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  {
    $id: 'Collection',
    additionalProperties: false,
    examples: [
      {
        id: '019ac0de-7a1e-7000-8000-00000000d001',
        key: 'top-stories',
        title: 'Top stories',
        description: 'One-sentence teasers of other stories, shown under every article.',
        maxItems: 4,
        version: 1,
        createdBy: null,
        updatedBy: null,
        createdAt: '2026-11-26T09:00:00.000Z',
        updatedAt: '2026-11-26T09:00:00.000Z',
      },
    ],
  },
)
export const CollectionSchema = ref(CollectionComponent)
export type Collection = Static<typeof CollectionSchema>

export const CollectionCreateSchema = Type.Object(
  {
    key: SlugSchema,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
    maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, format: 'int32', default: 10 })),
  },
  { additionalProperties: false, examples: [{ key: 'most-read', title: 'Most read', maxItems: 5 }] },
)
export type CollectionCreate = Static<typeof CollectionCreateSchema>

export const CollectionUpdateSchema = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
    maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, format: 'int32' })),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ maxItems: 5 }] },
)
export type CollectionUpdate = Static<typeof CollectionUpdateSchema>

export const KeyParamsSchema = Type.Object(
  { key: { ...SlugSchema, description: 'The collection key', examples: ['top-stories'] } },
  { additionalProperties: false },
)
export const CollectionListQuerySchema = Type.Object({ ...paginationQuery }, { additionalProperties: false })
const CollectionPage = listEnvelope(CollectionSchema, 'CollectionPage')
export const CollectionListSchema = ref(CollectionPage)
export const CollectionDeleteQuerySchema = Type.Object(
  {
    withTeasers: Type.Optional(
      Type.Boolean({ description: 'Also delete its teasers (otherwise a collection with teasers is a 409)' }),
    ),
  },
  { additionalProperties: false },
)

// One object rather than a union of the two forms: a mistake in one field is then named alone.
const ImageSchema = Type.Object(
  {
    url: Type.Optional({ ...HttpUrlSchema, description: 'An image by URL (or `media`)' }),
    media: Type.Optional({
      ...UuidSchema,
      description: 'An image from the media library (POST /v1/media), instead of `url`: reads embed the record',
    }),
    alt: Type.Optional(
      nullable(Type.String({ maxLength: 500, description: "For a media image: shown instead of the record's own" })),
    ),
  },
  {
    additionalProperties: false,
    description: 'The image: by `url`, or a media record by `media` (exactly one of them)',
    examples: [{ media: '019ad0c4-3b8e-7000-8000-00000000e001' }],
  },
)

const TeaserImageComponent = Type.Object(
  {
    url: Type.String({ description: "The image's URL: for a media image, its largest uncropped WebP rendition" }),
    alt: nullable(Type.String({ description: "For a media image: the teaser's alt text, or the record's own" })),
    media: Type.Optional(ref(MediaImageComponent)),
  },
  {
    $id: 'TeaserImage',
    description: "The teaser's image: by URL, or from the media library (then `media` embeds the record)",
    additionalProperties: false,
  },
)

const TeaserArticleComponent = Type.Object(
  {
    id: UuidSchema,
    slug: Type.String(),
    headline: Type.String(),
    summary: nullable(Type.String()),
    publishedAt: nullable(TimestampSchema),
    url: ArticleUrlSchema,
    source: Type.Union([SourceSchema, Type.Null()]),
    leadImage: Type.Union([ref(LeadImageComponent), Type.Null()]),
  },
  {
    $id: 'TeaserArticle',
    description: 'The article a teaser links to, as the teaser shows it',
    additionalProperties: false,
  },
)

const hiddenReasons = ['not-started', 'ended', 'article-not-public', 'over-limit'] as const
export type HiddenReason = (typeof hiddenReasons)[number]

const TeaserComponent = Type.Object(
  {
    id: UuidSchema,
    collectionId: UuidSchema,
    text: Type.String(),
    title: nullable(Type.String()),
    articleId: nullable(Type.String({ format: 'uuid' })),
    url: nullable(Type.String()),
    sourceId: nullable(Type.String({ format: 'uuid' })),
    image: Type.Union([ref(TeaserImageComponent), Type.Null()]),
    position: Type.Integer({
      description:
        '0-based place among the collection’s teasers (pinned ones come first); in the public box, among the teasers it shows',
    }),
    pinned: Type.Boolean(),
    startsAt: nullable(TimestampSchema),
    endsAt: nullable(TimestampSchema),
    version: Type.Integer(),
    article: Type.Union([ref(TeaserArticleComponent), Type.Null()], { description: 'The article (by articleId)' }),
    source: Type.Union([SourceSchema, Type.Null()], { description: 'The source (by sourceId)' }),
    visible: Type.Optional(
      Type.Boolean({ description: 'Preview views of the box: whether public readers see it now' }),
    ),
    hiddenReason: Type.Optional(
      StringEnum(hiddenReasons, {
        description: 'Preview views of the box, when hidden: why public readers do not see it',
      }),
    ),
    createdBy: nullable(Type.String({ format: 'uuid' })),
    updatedBy: nullable(Type.String({ format: 'uuid' })),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { $id: 'Teaser', additionalProperties: false },
)
export const TeaserSchema = ref(TeaserComponent)
export type Teaser = Static<typeof TeaserSchema>

const TeaserBoxComponent = Type.Object(
  {
    data: Type.Array(TeaserSchema),
    page: Type.Object(
      {
        limit: Type.Integer({ description: 'The collection’s maxItems' }),
        nextCursor: Type.Null({ description: 'Always null: the box is one page' }),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'TeaserBox', additionalProperties: false },
)
export const TeaserBoxSchema = ref(TeaserBoxComponent)

export const TeaserBoxQuerySchema = Type.Object(
  {
    at: Type.Optional({
      ...TimestampSchema,
      description: 'The box as it was at this time (content:preview): line-up, windows and article visibility',
    }),
  },
  { additionalProperties: false },
)

const teaserFields = {
  text: Type.String({ minLength: 1, maxLength: 500 }),
  title: Type.Optional(nullable(Type.String({ maxLength: 300 }))),
  articleId: Type.Optional(nullable(UuidSchema)),
  url: Type.Optional(Type.Union([HttpUrlSchema, Type.Null()])),
  sourceId: Type.Optional(nullable({ ...UuidSchema, description: 'The source, as reads name it' })),
  source: Type.Optional(
    Type.Union([...SourceReferenceSchema.anyOf, Type.Null()], {
      description:
        'The source by id or slug, or as reads embed it (instead of sourceId; both must name the same source)',
    }),
  ),
  image: Type.Optional(Type.Union([ImageSchema, Type.Null()])),
  pinned: Type.Optional(Type.Boolean()),
  startsAt: Type.Optional(nullable(TimestampSchema)),
  endsAt: Type.Optional(nullable(TimestampSchema)),
  position: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 10000,
      format: 'int32',
      description: 'Where to place it (0 = first); default: last',
    }),
  ),
}

export const TeaserCreateSchema = Type.Object(teaserFields, {
  additionalProperties: false,
  description: 'Links to exactly one of `articleId` or `url`.',
  examples: [
    {
      text: 'News from Armenia in English, from our partner Armenpress.',
      url: 'https://armenpress.am/eng/',
      source: 'armenpress',
    },
  ],
})
export type TeaserCreate = Static<typeof TeaserCreateSchema>

export const TeaserUpdateSchema = Type.Object(
  { ...teaserFields, text: Type.Optional(teaserFields.text) },
  { additionalProperties: false, minProperties: 1, examples: [{ pinned: true }] },
)
export type TeaserUpdate = Static<typeof TeaserUpdateSchema>

export const OrderSchema = Type.Object(
  {
    teaserIds: Type.Array(UuidSchema, {
      maxItems: 1000,
      uniqueItems: true,
      description: 'Every teaser id of the collection, in the new order',
    }),
  },
  { additionalProperties: false },
)

const HistoryEntryComponent = Type.Object(
  {
    id: UuidSchema,
    action: Type.String({ examples: ['add', 'remove', 'update', 'reorder', 'pin', 'unpin', 'seed'] }),
    teaserId: nullable(Type.String({ format: 'uuid' })),
    keyId: nullable(Type.String({ format: 'uuid' })),
    requestId: nullable(Type.String()),
    at: TimestampSchema,
    teaserIds: Type.Array(Type.String({ format: 'uuid' }), { description: 'The line-up after the change, in order' }),
  },
  { $id: 'CollectionHistoryEntry', additionalProperties: false },
)
export type HistoryEntry = Static<typeof HistoryEntryComponent>
const HistoryPage = listEnvelope(ref(HistoryEntryComponent), 'CollectionHistoryPage')
export const HistoryListSchema = ref(HistoryPage)

/** The named components of this module (registered in src/components.ts). */
export const collectionComponents = [
  CollectionComponent,
  CollectionPage,
  TeaserImageComponent,
  TeaserArticleComponent,
  TeaserComponent,
  TeaserBoxComponent,
  HistoryEntryComponent,
  HistoryPage,
]
export const HistoryQuerySchema = Type.Object({ ...paginationQuery }, { additionalProperties: false })
