import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { ref, SlugSchema } from '../../http/schemas.js'

const TagComponent = Type.Object(
  { slug: SlugSchema, name: Type.String() },
  { $id: 'Tag', additionalProperties: false, examples: [{ slug: 'iraq', name: 'Iraq' }] },
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
