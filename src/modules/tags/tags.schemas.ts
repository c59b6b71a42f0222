import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { HttpUrlSchema, nullable, ref, SlugSchema, StringEnum, UuidSchema } from '../../http/schemas.js'

export const tagTypes = ['subject', 'place', 'organisation', 'person', 'event'] as const
export const TagTypeSchema = StringEnum(tagTypes, {
  description: 'What the tag names: a subject, a place, an organisation, a person or an event',
})

const TagComponent = Type.Object(
  {
    slug: SlugSchema,
    name: Type.String(),
    type: TagTypeSchema,
    uri: nullable(
      Type.String({ description: 'A URI identifying the concept, e.g. an IPTC Media Topic or a Wikidata item' }),
    ),
  },
  {
    $id: 'Tag',
    additionalProperties: false,
    examples: [{ slug: 'iraq', name: 'Iraq', type: 'place', uri: 'http://www.wikidata.org/entity/Q796' }],
  },
)
/** A tag as articles embed it (`tagDetails`, with include=tags). */
export const TagSchema = ref(TagComponent)

// The limits writes enforce: a read sent back stays within them.
const name = Type.String({ minLength: 1, maxLength: 200 })
const description = Type.String({ maxLength: 2000 })
const uri = {
  ...HttpUrlSchema,
  description:
    'An absolute http(s) URI identifying the concept in another vocabulary: an IPTC Media Topic ' +
    '(http://cv.iptc.org/newscodes/mediatopic/11000000), a Wikidata item (http://www.wikidata.org/entity/Q796)…',
}

const TagWithCountComponent = Type.Object(
  {
    id: UuidSchema,
    slug: SlugSchema,
    name: Type.String({ maxLength: 200 }),
    type: TagTypeSchema,
    uri: nullable(Type.String({ maxLength: 2048 })),
    description: nullable(Type.String({ maxLength: 2000 })),
    articleCount: Type.Integer({ description: 'Articles the caller can see' }),
  },
  {
    $id: 'TagWithCount',
    additionalProperties: false,
    examples: [
      {
        id: '019ac0de-7a1e-7000-8000-00000000b001',
        slug: 'iraq',
        name: 'Iraq',
        type: 'place',
        uri: 'http://www.wikidata.org/entity/Q796',
        description: null,
        articleCount: 12,
      },
    ],
  },
)
export type TagCount = Static<typeof TagWithCountComponent>
/** A tag of the vocabulary with the number of articles the caller can see: lists, reads and writes. */
export const TagWithCountSchema = ref(TagWithCountComponent)
const TagPage = listEnvelope(ref(TagWithCountComponent), 'TagPage')
export const TagListSchema = ref(TagPage)
export const TagListQuerySchema = Type.Object(
  {
    ...paginationQuery,
    type: Type.Optional(TagTypeSchema),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Case-insensitive substring of the name or the slug',
      }),
    ),
  },
  { additionalProperties: false },
)
export type TagListQuery = Static<typeof TagListQuerySchema>

export const TagParamsSchema = Type.Object(
  {
    slug: {
      ...SlugSchema,
      description: 'The tag slug (reads also take a former slug; changes take the current one)',
    },
  },
  { additionalProperties: false },
)

export const TagCreateSchema = Type.Object(
  {
    slug: SlugSchema,
    name,
    type: Type.Optional({ ...TagTypeSchema, default: 'subject' }),
    uri: Type.Optional(Type.Union([uri, Type.Null()])),
    description: Type.Optional(Type.Union([description, Type.Null()])),
  },
  {
    additionalProperties: false,
    examples: [
      {
        slug: 'economy',
        name: 'Economy, business and finance',
        type: 'subject',
        uri: 'http://cv.iptc.org/newscodes/mediatopic/04000000',
      },
    ],
  },
)
export type TagCreate = Static<typeof TagCreateSchema>

export const TagUpdateSchema = Type.Object(
  {
    slug: Type.Optional({ ...SlugSchema, description: 'A new slug: the current one keeps resolving to the tag' }),
    name: Type.Optional(name),
    type: Type.Optional(TagTypeSchema),
    uri: Type.Optional(Type.Union([uri, Type.Null()])),
    description: Type.Optional(Type.Union([description, Type.Null()])),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ name: 'Iraq', type: 'place', uri: 'http://www.wikidata.org/entity/Q796' }],
  },
)
export type TagUpdate = Static<typeof TagUpdateSchema>

export const TagMergeSchema = Type.Object(
  {
    into: {
      ...SlugSchema,
      description: 'The slug (or a former slug) of the tag that takes over the articles and the slugs',
    },
  },
  { additionalProperties: false, examples: [{ into: 'iraq' }] },
)
export type TagMerge = Static<typeof TagMergeSchema>

/** The named components of this module (registered in src/components.ts). */
export const tagComponents = [TagComponent, TagWithCountComponent, TagPage]
