// The media shapes other resources embed: a rendition, a focal point and an image as an article,
// a teaser or a person shows it. The media record itself is in media.schemas.ts.
import Type from 'typebox'
import { nullable, ref, UuidSchema } from '../../http/schemas.js'
import { aspectRatios, originalFormats } from './media.files.js'

const exampleId = '019ad0c4-3b8e-7000-8000-00000000e001'
/** A rendition URL: MEDIA_PUBLIC_URL (a URL itself) and the API's own path. */
const urlMax = 2200
/** A side of a picture, in pixels: bounded, as every number a request may carry. */
const Pixels = (description?: string) =>
  Type.Integer({ minimum: 1, maximum: 1_000_000, format: 'int32', ...(description ? { description } : {}) })

export const RenditionComponent = Type.Object(
  {
    name: Type.String({
      maxLength: 40,
      description: '`w640`, or `16x9-w640` when cropped to an aspect ratio',
      examples: ['w640'],
    }),
    aspectRatio: nullable(Type.Enum(Object.keys(aspectRatios), { description: 'Set on cropped renditions' })),
    width: Pixels(),
    height: Pixels(),
    mimeType: Type.Enum(Object.keys(originalFormats)),
    url: Type.String({
      maxLength: urlMax,
      description:
        'Stable and immutable: it changes when the image or (for a crop) its focal point changes. On ' +
        "MEDIA_PUBLIC_URL's host when set, else the API's own path.",
      examples: [`/media/${exampleId}/w640.webp`],
    }),
  },
  {
    $id: 'Rendition',
    description: 'One size and format of an image, made from the original with its metadata removed',
    additionalProperties: false,
  },
)

export const FocalPointComponent = Type.Object(
  {
    x: Type.Number({ minimum: 0, maximum: 1, description: 'From the left edge (0) to the right (1)' }),
    y: Type.Number({ minimum: 0, maximum: 1, description: 'From the top edge (0) to the bottom (1)' }),
  },
  {
    $id: 'FocalPoint',
    description: 'The point cropped renditions keep in frame',
    additionalProperties: false,
    examples: [{ x: 0.5, y: 0.35 }],
  },
)

/** An image as articles, teasers and people embed it: the media record's display fields. */
export const MediaImageComponent = Type.Object(
  {
    mediaId: UuidSchema,
    url: Type.String({
      maxLength: urlMax,
      description: 'The largest uncropped rendition in WebP, for clients that take one URL',
    }),
    alt: nullable(Type.String({ maxLength: 1000 })),
    caption: nullable(Type.String({ maxLength: 2000 })),
    credit: nullable(Type.String({ maxLength: 300 })),
    copyrightHolder: nullable(Type.String({ maxLength: 300 })),
    width: Pixels("The original's width"),
    height: Pixels("The original's height"),
    focalPoint: ref(FocalPointComponent),
    placeholder: Type.String({ maxLength: 100, description: 'A ThumbHash (base64): paint it while the image loads' }),
    renditions: Type.Array(ref(RenditionComponent)),
  },
  {
    $id: 'MediaImage',
    description: 'An image from the media library as it is embedded',
    additionalProperties: false,
  },
)

export const mediaSharedComponents = [RenditionComponent, FocalPointComponent, MediaImageComponent]
