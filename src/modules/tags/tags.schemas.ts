import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { nullable, ref, SlugSchema, StringEnum } from '../../http/schemas.js'

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

const TagWithCountComponent = Type.Object(
  {
    slug: SlugSchema,
    name: Type.String(),
    articleCount: Type.Integer({ description: 'Articles the caller can see' }),
  },
  { $id: 'TagWithCount', additionalProperties: false, examples: [{ slug: 'iraq', name: 'Iraq', articleCount: 12 }] },
)
export type TagCount = Static<typeof TagWithCountComponent>
const TagPage = listEnvelope(ref(TagWithCountComponent), 'TagPage')
export const TagListSchema = ref(TagPage)
export const TagListQuerySchema = Type.Object({ ...paginationQuery }, { additionalProperties: false })
export type TagListQuery = Static<typeof TagListQuerySchema>

/** The named components of this module (registered in src/components.ts). */
export const tagComponents = [TagComponent, TagWithCountComponent, TagPage]
