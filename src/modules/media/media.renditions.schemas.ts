// The path parameters of the rendition and original routes.
import Type from 'typebox'
import { UuidSchema } from '../../http/schemas.js'
import { originalFormats } from './media.files.js'
import { mediaIdPattern, renditionFilePattern } from './media.renditions.js'

const exampleId = '019ad0c4-3b8e-7000-8000-00000000e001'

export const RenditionParamsSchema = Type.Object(
  {
    id: Type.String({
      format: 'uuid',
      maxLength: 36,
      pattern: mediaIdPattern,
      description: 'The media record id, in lower case as rendition URLs give it',
      examples: [exampleId],
    }),
    file: Type.String({
      maxLength: 40,
      pattern: renditionFilePattern,
      description:
        "A file name from the record's `renditions` list: `w<width>.<ext>`, or `<ratio>-w<width>.<focal token>.<ext>` " +
        'for a crop. Any other name (another width, format or an old focal point) is a 404.',
      examples: ['w640.webp', '16x9-w1024.3f9a0c21be.avif'],
    }),
  },
  { additionalProperties: false },
)

export const OriginalParamsSchema = Type.Object(
  { id: { ...UuidSchema, description: 'The media record id' } },
  { additionalProperties: false },
)

/** Every type a rendition or an original may have. */
export const imageTypes = Object.keys(originalFormats)
