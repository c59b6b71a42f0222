// Media records for tests: an image made with sharp in memory, its original put in the app's
// storage, and its row inserted directly (as an upload would leave them).
import { createHash, randomUUID } from 'node:crypto'
import sharp from 'sharp'
import type { Database } from '../../src/db/database.js'
import { storageKeys } from '../../src/modules/media/media.files.js'
import type { MediaStorage } from '../../src/modules/media/media.storage.js'

export interface TestImage {
  width: number
  height: number
  format?: 'jpeg' | 'png' | 'webp' | 'gif'
  /** A solid colour; the default is a gradient-free grey. */
  background?: string
  /** Drawn on top: a block of a colour at a position. */
  blocks?: { left: number; top: number; width: number; height: number; colour: string }[]
}

const mimeOf = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' } as const

/** An image's bytes. */
export async function makeImage({ width, height, format = 'jpeg', background = '#808080', blocks = [] }: TestImage) {
  const composite = await Promise.all(
    blocks.map(async (b) => ({
      input: await sharp({
        create: { width: b.width, height: b.height, channels: 3, background: b.colour },
      })
        .png()
        .toBuffer(),
      left: b.left,
      top: b.top,
    })),
  )
  return sharp({ create: { width, height, channels: 3, background } })
    .composite(composite)
    [format]()
    .toBuffer()
}

export interface InsertedMedia {
  id: string
  sha256: string
  mimeType: string
  width: number
  height: number
  bytes: Buffer
}

/** Stores the bytes as a media record's original and inserts its row. */
export async function insertMedia(
  db: Database,
  storage: MediaStorage,
  bytes: Buffer,
  extra: { focalX?: number; focalY?: number } = {},
): Promise<InsertedMedia> {
  const meta = await sharp(bytes).metadata()
  const format = meta.format as keyof typeof mimeOf
  const swapped = (meta.orientation ?? 1) >= 5
  const width = (swapped ? meta.height : meta.width) as number
  const height = (swapped ? meta.width : (meta.pageHeight ?? meta.height)) as number
  const id = randomUUID()
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const mimeType = mimeOf[format]
  await storage.putBytes(storageKeys.original(id), bytes, mimeType)
  await db.prisma.media.create({
    data: {
      id,
      sha256,
      mimeType,
      bytes: bytes.length,
      width,
      height,
      placeholder: 'test',
      searchKey: 'test image',
      focalX: extra.focalX ?? 0.5,
      focalY: extra.focalY ?? 0.5,
    },
  })
  return { id, sha256, mimeType, width, height, bytes }
}
