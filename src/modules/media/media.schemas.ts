// The media record as the API shows it, the upload's fields, a change and the list's query.
// Shapes other resources embed (Rendition, FocalPoint, MediaImage) are in media.shared.schemas.ts.
import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { nullable, ref, StringEnum, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { originalFormats } from './media.files.js'
import { FocalPointComponent, RenditionComponent } from './media.shared.schemas.js'

const exampleId = '019ad0c4-3b8e-7000-8000-00000000e001'

/** The longest text of each descriptive field (the columns' lengths). */
export const mediaTextLimits = {
  alt: 1000,
  caption: 2000,
  credit: 300,
  copyrightHolder: 300,
  usageTerms: 1000,
} as const
export type MediaTextField = keyof typeof mediaTextLimits

const textFields = {
  alt: nullable(
    Type.String({ maxLength: mediaTextLimits.alt, description: 'Text for readers who cannot see the image' }),
  ),
  caption: nullable(Type.String({ maxLength: mediaTextLimits.caption })),
  credit: nullable(
    Type.String({ maxLength: mediaTextLimits.credit, description: 'The photographer or agency, as printed' }),
  ),
  copyrightHolder: nullable(Type.String({ maxLength: mediaTextLimits.copyrightHolder })),
  usageTerms: nullable(
    Type.String({ maxLength: mediaTextLimits.usageTerms, description: 'What the licence allows (e.g. editorial use)' }),
  ),
}

const mimeTypes = Object.keys(originalFormats) as (keyof typeof originalFormats)[]

export const mediaExample = {
  id: exampleId,
  mimeType: 'image/jpeg',
  bytes: 482113,
  width: 3000,
  height: 2000,
  sha256: '9f2c1d0e7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99887766',
  alt: 'Protesters on Republic Square at dusk',
  caption: 'Thousands gathered on Republic Square on Sunday evening.',
  credit: 'Anna Hakobyan',
  copyrightHolder: 'PanARMENIAN Photo',
  usageTerms: 'Editorial use only',
  capturedAt: '2026-11-22T16:40:00.000Z',
  focalPoint: { x: 0.5, y: 0.35 },
  placeholder: '1QcSHQRnh493V4dIh4eXh1h4kJUI',
  version: 1,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
  renditions: [
    {
      name: 'w320',
      aspectRatio: null,
      width: 320,
      height: 213,
      mimeType: 'image/webp',
      url: `/media/${exampleId}/w320.webp`,
    },
  ],
  originalUrl: `/v1/media/${exampleId}/original`,
}

export const MediaComponent = Type.Object(
  {
    id: UuidSchema,
    mimeType: Type.Enum(mimeTypes, { description: 'Taken from the bytes, never from the file name or the request' }),
    bytes: Type.Integer({ minimum: 1, description: "The original's size" }),
    width: Type.Integer({ minimum: 1, description: 'As displayed (EXIF orientation applied)' }),
    height: Type.Integer({ minimum: 1, description: 'As displayed (EXIF orientation applied)' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: "Of the original's bytes" }),
    ...textFields,
    capturedAt: nullable({ ...TimestampSchema, description: 'When the picture was taken' }),
    focalPoint: ref(FocalPointComponent),
    placeholder: Type.String({ maxLength: 100, description: 'A ThumbHash (base64): paint it while the image loads' }),
    version: Type.Integer({ minimum: 1, description: 'Bumped by every change; the ETag is "v<version>"' }),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    renditions: Type.Array(ref(RenditionComponent), { description: 'Every size and format served, with its URL' }),
    originalUrl: Type.String({ description: 'The original as uploaded (metadata included): write scopes only' }),
  },
  {
    $id: 'Media',
    description: 'An image of the media library with its credits, rights and renditions',
    additionalProperties: false,
    examples: [mediaExample],
  },
)
export const MediaSchema = ref(MediaComponent)
export type Media = Static<typeof MediaComponent>

const describedText = (field: MediaTextField, extra = '') =>
  Type.String({ maxLength: mediaTextLimits[field], ...(extra ? { description: extra } : {}) })

const prefilled = 'Prefilled from the file’s IPTC, XMP or EXIF metadata when not given'

/** The multipart body of an upload, for the spec: the fields are read from the parts by media.multipart.ts. */
export const MediaUploadSchema = Type.Object(
  {
    file: Type.String({
      format: 'binary',
      // The largest MEDIA_MAX_BYTES may be; the server's own limit (25 MB by default) is smaller.
      maxLength: 1073741824,
      description:
        'The image: JPEG, PNG, WebP, AVIF or GIF, taken from its bytes (the part’s file name and Content-Type ' +
        'are ignored), at most MEDIA_MAX_BYTES',
    }),
    alt: Type.Optional(describedText('alt')),
    caption: Type.Optional(describedText('caption', prefilled)),
    credit: Type.Optional(describedText('credit', prefilled)),
    copyrightHolder: Type.Optional(describedText('copyrightHolder', prefilled)),
    usageTerms: Type.Optional(describedText('usageTerms')),
    capturedAt: Type.Optional({ ...TimestampSchema, description: prefilled }),
    focalPoint: Type.Optional({
      ...ref(FocalPointComponent),
      description: 'A JSON object `{"x":0.5,"y":0.35}` (centre by default)',
    }),
  },
  { additionalProperties: false, required: ['file'] },
)
export type MediaUploadFields = Omit<Static<typeof MediaUploadSchema>, 'file'>

// Request bodies are validated without the named components: the focal point is inlined.
const focalPointInput = Type.Object(FocalPointComponent.properties, {
  additionalProperties: false,
  description: 'The point cropped renditions keep in frame',
})

export const MediaUpdateSchema = Type.Partial(
  Type.Object({
    ...textFields,
    capturedAt: nullable(TimestampSchema),
    focalPoint: focalPointInput,
  }),
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ alt: 'Protesters on Republic Square', focalPoint: { x: 0.4, y: 0.3 } }],
  },
)
export type MediaUpdate = Static<typeof MediaUpdateSchema>

const mediaSorts = ['createdAt', '-createdAt'] as const

export const MediaListQuerySchema = Type.Object(
  {
    ...paginationQuery,
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Case-insensitive substring of the caption, alt text or credit',
      }),
    ),
    credit: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: 'Only media with this credit (case-insensitive)' }),
    ),
    mimeType: Type.Optional(StringEnum(mimeTypes, { description: 'Only media of this type' })),
    sort: StringEnum(mediaSorts, { default: '-createdAt', description: 'Sort field; a leading "-" sorts descending' }),
  },
  { additionalProperties: false },
)
export type MediaListQuery = Static<typeof MediaListQuerySchema>

const MediaPage = listEnvelope(MediaSchema, 'MediaPage')
export const MediaListSchema = ref(MediaPage)

/** The named components of this module (registered in src/components.ts). */
export const mediaComponents = [MediaComponent, MediaPage]
