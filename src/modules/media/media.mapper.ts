// A media row to its representation: the one place that decides what a record shows.
import type { Prisma } from '../../generated/prisma/client.js'
import { renditionsJson } from './media.files.js'
import type { Media } from './media.schemas.js'

export type MediaRow = Prisma.MediaGetPayload<object>

/** The record as every caller sees it; rendition URLs on `publicUrl`'s host when set. */
export function toMedia(row: MediaRow, publicUrl: string | undefined): Media {
  return {
    id: row.id,
    mimeType: row.mimeType as Media['mimeType'],
    bytes: row.bytes,
    width: row.width,
    height: row.height,
    sha256: row.sha256,
    alt: row.alt,
    caption: row.caption,
    credit: row.credit,
    copyrightHolder: row.copyrightHolder,
    usageTerms: row.usageTerms,
    capturedAt: row.capturedAt?.toISOString() ?? null,
    focalPoint: { x: row.focalX, y: row.focalY },
    placeholder: row.placeholder,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    renditions: renditionsJson(row, publicUrl),
    originalUrl: `/v1/media/${row.id}/original`,
  }
}
