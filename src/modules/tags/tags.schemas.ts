import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { SlugSchema } from '../../http/schemas.js'

export const TagSchema = Type.Object(
  { slug: SlugSchema, name: Type.String() },
  { additionalProperties: false, examples: [{ slug: 'iraq', name: 'Iraq' }] },
)

export const TagCountSchema = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    articleCount: Type.Integer({ description: 'Articles the caller can see' }),
  },
  { additionalProperties: false },
)
export type TagCount = Static<typeof TagCountSchema>
export const TagListSchema = listEnvelope(TagCountSchema)
export const TagListQuerySchema = Type.Object({ ...paginationQuery }, { additionalProperties: false })
export type TagListQuery = Static<typeof TagListQuerySchema>
