// An embedded image as writes take it back: a person's `image` (and a person embedded in an
// article's input) may be sent as a read showed it. The shapes reads show are in media.shared.schemas.ts.
import Type, { type TSchema } from 'typebox'
import { UuidSchema } from '../../http/schemas.js'
import { FocalPointComponent, MediaImageComponent, RenditionComponent } from './media.shared.schemas.js'

/** A component's schema without its $id, to copy into an input (inputs are validated without refs). */
function inline<T extends TSchema>(schema: T): T {
  const { $id: _id, ...rest } = schema as T & { $id?: string }
  return rest as T
}

/**
 * An embedded image as a write may send it back (as a read showed it): its mediaId names the
 * record, the other fields are taken as they are and ignored.
 */
export const MediaImageInSchema = Type.Object(
  {
    ...Type.Partial(MediaImageComponent).properties,
    mediaId: UuidSchema,
    focalPoint: Type.Optional(inline(FocalPointComponent)),
    renditions: Type.Optional(Type.Array(inline(RenditionComponent), { maxItems: 100 })),
  },
  { additionalProperties: false, description: 'The image as a read shows it: its mediaId names it' },
)
