// An embedded media record as articles, teasers and people show it (MediaImage), and as an
// article body shows it: a responsive <img> of its WebP renditions.
import type { Static } from 'typebox'
import type { MediaEmbedRow } from './media.embeds-repository.js'
import { type RenditionJson, renditionsJson, renditionUrl, roundFocal } from './media.files.js'
import type { MediaImageComponent } from './media.shared.schemas.js'

export type MediaImage = Static<typeof MediaImageComponent>
export type { MediaEmbedRow }

/** The uncropped WebP renditions, smallest first: what a single URL and a srcset offer. */
function uncroppedWebp(renditions: RenditionJson[]): RenditionJson[] {
  return renditions
    .filter((r) => r.aspectRatio === null && r.mimeType === 'image/webp')
    .sort((a, b) => a.width - b.width)
}

/** The image as it is embedded; `base` is MEDIA_PUBLIC_URL (undefined: the API's own /media path). */
export function toMediaImage(row: MediaEmbedRow, base: string | undefined): MediaImage {
  const renditions = renditionsJson(row, base)
  const webp = uncroppedWebp(renditions)
  return {
    mediaId: row.id,
    url: (webp[webp.length - 1] as RenditionJson).url,
    alt: row.alt,
    caption: row.caption,
    credit: row.credit,
    copyrightHolder: row.copyrightHolder,
    width: row.width,
    height: row.height,
    focalPoint: { x: roundFocal(row.focalX), y: roundFocal(row.focalY) },
    placeholder: row.placeholder,
    renditions,
  }
}

function attribute(value: string): string {
  return value.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** The width a body image is shown at, at most (the `sizes` of its <img>). */
const bodyImageWidth = 1024

/**
 * A body image as HTML: the 1024-pixel WebP (or the largest, for a smaller original) with every
 * uncropped WebP in its srcset, lazily loaded. Rendered with the API's own /media paths: stored
 * bodies carry those, and reads put MEDIA_PUBLIC_URL in front (withMediaBase).
 */
export function bodyImageHtml(row: MediaEmbedRow, alt: string, title: string | null): string {
  const webp = uncroppedWebp(renditionsJson(row, undefined))
  const src = webp.find((r) => r.width === bodyImageWidth) ?? (webp[webp.length - 1] as RenditionJson)
  const srcset = webp.map((r) => `${r.url} ${r.width}w`).join(', ')
  const text = alt || row.alt || ''
  return (
    `<img src="${attribute(src.url)}" srcset="${attribute(srcset)}" ` +
    `sizes="(max-width: ${bodyImageWidth}px) 100vw, ${bodyImageWidth}px" width="${src.width}" height="${src.height}" ` +
    `alt="${attribute(text)}"${title ? ` title="${attribute(title)}"` : ''} loading="lazy" decoding="async">`
  )
}

const localPrefix = renditionUrl(undefined, '', '').slice(0, -1) // the API's own prefix: "/media/"
/** The prefix at the start of an src value or of each srcset candidate. */
const localPaths = new RegExp(`(^|,\\s*)${localPrefix.replace(/\//g, '\\/')}`, 'g')

/**
 * Stored HTML with its /media paths (src and srcset) on MEDIA_PUBLIC_URL's host, when it is set:
 * bodies are stored with relative paths, so changing MEDIA_PUBLIC_URL needs no body re-saved.
 */
export function withMediaBase(html: string, base: string | undefined): string {
  if (!base || !html.includes(localPrefix)) return html
  return html.replace(
    /(\s(?:src|srcset)=")([^"]*)"/g,
    (_, head: string, value: string) => `${head}${value.replace(localPaths, `$1${base}${localPrefix}`)}"`,
  )
}
