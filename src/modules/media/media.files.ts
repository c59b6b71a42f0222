// The fixed set of renditions an image has, their names, file names, storage keys and URLs.
// Only these exist: a request for any other size is a 404, never a new rendition (arbitrary sizes
// would let anyone spend the server's CPU and a CDN's storage).
import { createHash, randomBytes } from 'node:crypto'

/** Widths of the renditions, in pixels; none is larger than the original. */
export const presetWidths = [320, 640, 1024, 1600, 2400] as const
/** Aspect ratios of the cropped renditions, cropped around the focal point. */
export const aspectRatios = { '16x9': [16, 9], '1x1': [1, 1], '4x5': [4, 5] } as const
export type AspectRatio = keyof typeof aspectRatios

/** The formats an upload may have, taken from its bytes, with the extension of their renditions. */
export const originalFormats = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/gif': 'gif',
} as const
export type MediaMimeType = keyof typeof originalFormats
export type RenditionExtension = (typeof originalFormats)[MediaMimeType]

const mimeOfExtension: Record<RenditionExtension, MediaMimeType> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
}

/** What the rendition list is computed from: the stored record's columns. */
export interface MediaShape {
  id: string
  sha256: string
  mimeType: string
  width: number
  height: number
  focalX: number
  focalY: number
}

export interface Rendition {
  /** `w640`, or `16x9-w640` when cropped to an aspect ratio. */
  name: string
  aspectRatio: AspectRatio | null
  width: number
  height: number
  mimeType: MediaMimeType
  /** The file name under the media's folder: the URL's last segment and the storage key's. */
  file: string
}

export function randomToken(): string {
  return randomBytes(12).toString('hex')
}

/** Focal points are kept to four decimals, so that the same point always gives the same URLs. */
export function roundFocal(value: number): number {
  return Math.round(value * 10000) / 10000
}

/**
 * A cropped rendition's file name carries a token of the focal point: moving the point changes
 * the URL, so a cache never serves the old crop as the new one.
 */
export function focalToken(media: Pick<MediaShape, 'sha256' | 'focalX' | 'focalY'>): string {
  const text = `${media.sha256}:${roundFocal(media.focalX).toFixed(4)}:${roundFocal(media.focalY).toFixed(4)}`
  return createHash('sha256').update(text).digest('hex').slice(0, 10)
}

/** Rendition formats: WebP and AVIF, and the original's own format. */
export function renditionExtensions(mimeType: string): RenditionExtension[] {
  const own = originalFormats[mimeType as MediaMimeType] ?? 'jpg'
  return [...new Set<RenditionExtension>(['webp', 'avif', own])]
}

/** Widths for a picture this wide: the presets not larger than it, or just it when it is smaller than all. */
function widthsUpTo(available: number): number[] {
  const fitting = presetWidths.filter((w) => w <= available)
  return fitting.length > 0 ? fitting : [available]
}

/** The largest crop of this aspect ratio that fits in the picture. */
export function cropSize(media: Pick<MediaShape, 'width' | 'height'>, ratio: AspectRatio) {
  const [rw, rh] = aspectRatios[ratio]
  const width = Math.min(media.width, Math.floor((media.height * rw) / rh))
  return { width, height: Math.min(media.height, Math.round((width * rh) / rw)) }
}

/** Every rendition the image has, in a stable order (uncropped first, then by ratio, width, format). */
export function renditionsOf(media: MediaShape): Rendition[] {
  const extensions = renditionExtensions(media.mimeType)
  const out: Rendition[] = []
  for (const width of widthsUpTo(media.width)) {
    const height = Math.max(1, Math.round((media.height * width) / media.width))
    for (const ext of extensions) {
      out.push({
        name: `w${width}`,
        aspectRatio: null,
        width,
        height,
        mimeType: mimeOfExtension[ext],
        file: `w${width}.${ext}`,
      })
    }
  }
  const token = focalToken(media)
  for (const ratio of Object.keys(aspectRatios) as AspectRatio[]) {
    const crop = cropSize(media, ratio)
    const [rw, rh] = aspectRatios[ratio]
    for (const width of widthsUpTo(crop.width)) {
      const height = Math.max(1, Math.round((width * rh) / rw))
      for (const ext of extensions) {
        const name = `${ratio}-w${width}`
        out.push({
          name,
          aspectRatio: ratio,
          width,
          height,
          mimeType: mimeOfExtension[ext],
          file: `${name}.${token}.${ext}`,
        })
      }
    }
  }
  return out
}

/** The rendition a file name names, or undefined (an unknown size, format or an old focal point). */
export function findRendition(media: MediaShape, file: string): Rendition | undefined {
  return renditionsOf(media).find((r) => r.file === file)
}

/** Storage keys: everything of one media record lives under its id. */
export const storageKeys = {
  folder: (id: string) => id,
  original: (id: string) => `${id}/original`,
  rendition: (id: string, file: string) => `${id}/${file}`,
}

/** A rendition's URL: on MEDIA_PUBLIC_URL's host when set, else the API's own path. */
export function renditionUrl(base: string | undefined, id: string, file: string): string {
  return `${base ?? ''}/media/${id}/${file}`
}

/** A rendition as records and embeds show it. */
export interface RenditionJson {
  name: string
  aspectRatio: AspectRatio | null
  width: number
  height: number
  mimeType: MediaMimeType
  url: string
}

/** Every rendition of the image with its URL, as records and embeds show them. */
export function renditionsJson(media: MediaShape, base: string | undefined): RenditionJson[] {
  return renditionsOf(media).map(({ file, ...r }) => ({ ...r, url: renditionUrl(base, media.id, file) }))
}
