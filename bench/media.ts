// The benchmark's media: one image record whose original is in the API servers' media folder, so
// the rendition scenario has a file to serve, made directly (not uploaded) before any server opens
// the database and deleted with the run's other writes; and the upload scenario, whose records
// are made with the run's key and deleted with its writes (their files are in the temporary
// media folder).
import { createHash, randomBytes } from 'node:crypto'
import sharp from 'sharp'
import type { Database } from '../src/db/database.js'
import { storageKeys } from '../src/modules/media/media.files.js'
import { createFsStorage } from '../src/modules/media/media.storage.js'
import type { Scenario } from './scenarios.js'
import type { WriteSetup } from './writes.js'

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

/** A photo-like 1200×800 JPEG of about 200 KB (noise, slightly blurred). */
async function uploadImage(): Promise<Buffer> {
  const noise = { type: 'gaussian' as const, mean: 128, sigma: 60 }
  return sharp({ create: { width: 1200, height: 800, channels: 3, background: '#808080', noise } })
    .blur(1.5)
    .jpeg({ quality: 85 })
    .toBuffer()
}

/**
 * Multipart bodies of the same JPEG, each made unique (identical bytes would return the stored
 * record without storing anything) by a JPEG comment segment after its SOI marker naming the run
 * and the request.
 */
function uploadBodies(jpeg: Buffer, runId: string) {
  const boundary = `----newsdesk-bench-${randomBytes(8).toString('hex')}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.jpg"\r\n` +
      'Content-Type: image/jpeg\r\n\r\n',
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body(n: number): Buffer {
      const text = Buffer.from(`newsdesk bench ${runId} ${n}`)
      const marker = Buffer.alloc(4)
      marker.writeUInt16BE(0xfffe, 0)
      marker.writeUInt16BE(text.length + 2, 2)
      return Buffer.concat([head, jpeg.subarray(0, 2), marker, text, jpeg.subarray(2), tail])
    },
  }
}

/**
 * POST /v1/media: a ~200 KB JPEG uploaded, as a photo desk does, each request with bytes never
 * uploaded before: spooled, hashed, type-checked, decoded for its size and placeholder, its
 * metadata read, stored in the media folder and its record inserted.
 */
export function mediaUpload({ token, runId }: WriteSetup): Scenario {
  let n = 0
  return {
    name: 'media-upload',
    kind: 'write',
    expectStatus: 201,
    async prepare() {
      const bodies = uploadBodies(await uploadImage(), runId)
      return {
        label: 'POST /v1/media (a ~200 KB JPEG, new bytes each time)',
        requests: async () => [
          {
            method: 'POST',
            path: '/v1/media',
            headers: { authorization: `Bearer ${token}`, 'content-type': bodies.contentType },
            setupRequest: (req) => ({ ...req, body: bodies.body(n++) }),
          },
        ],
      }
    },
  }
}
