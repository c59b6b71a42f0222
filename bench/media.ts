// The benchmark's media: one image record whose original is in the API servers' media folder, so
// the rendition scenario has a file to serve. Made directly (not uploaded) before any server opens
// the database, and deleted with the run's other writes.
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import type { Database } from '../src/db/database.js'
import { storageKeys } from '../src/modules/media/media.files.js'
import { createFsStorage } from '../src/modules/media/media.storage.js'

/** A fixed id: a run interrupted before its clean-up leaves this one record, which the next run reuses. */
export const benchMediaId = '019ad0c4-3b8e-7000-8000-00000000b001'

/** A photo-like 1600×1067 JPEG (smooth noise: neither flat nor incompressible). */
async function benchImage(): Promise<Buffer> {
  const noise = { type: 'gaussian' as const, mean: 128, sigma: 60 }
  return sharp({ create: { width: 1600, height: 1067, channels: 3, background: '#808080', noise } })
    .blur(3)
    .jpeg({ quality: 85 })
    .toBuffer()
}

/** Puts the original in the folder the servers use (MEDIA_DIR) and the record in the database. */
export async function prepareBenchMedia(db: Database, mediaDir: string): Promise<{ id: string; file: string }> {
  const bytes = await benchImage()
  await createFsStorage(mediaDir).putBytes(storageKeys.original(benchMediaId), bytes, 'image/jpeg')
  const row = {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    mimeType: 'image/jpeg',
    bytes: bytes.length,
    width: 1600,
    height: 1067,
    placeholder: 'bench',
    searchKey: 'newsdesk bench image',
  }
  // Noise is random: the bytes, and so the sha256, differ from run to run.
  await db.prisma.media.upsert({ where: { id: benchMediaId }, create: { id: benchMediaId, ...row }, update: row })
  return { id: benchMediaId, file: 'w640.webp' }
}

export async function removeBenchMedia(db: Database): Promise<void> {
  await db.prisma.media.deleteMany({ where: { id: benchMediaId } })
}
