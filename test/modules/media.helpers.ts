// Media tests' pieces: images made with sharp, multipart bodies written by hand (so a test can
// send anything, malformed included), an upload through the API, and records inserted directly
// (an original put in the app's storage and its row, as an upload would leave them).
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import sharp from 'sharp'
import type { Database } from '../../src/db/database.js'
import { storageKeys } from '../../src/modules/media/media.files.js'
import type { Media } from '../../src/modules/media/media.schemas.js'
import type { MediaStorage } from '../../src/modules/media/media.storage.js'
import { spoolPrefix } from '../../src/modules/media/media.upload.js'
import type { build } from '../helper.js'

export type App = Awaited<ReturnType<typeof build>>['app']

export type Format = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif'

/** A small image of one random colour (so no two are identical) in the format asked for. */
export async function image(format: Format = 'jpeg', width = 64, height = 48): Promise<Buffer> {
  const background = { r: randomInt(256), g: randomInt(256), b: randomInt(256) }
  return sharp({ create: { width, height, channels: 3, background } })
    .toFormat(format)
    .toBuffer()
}

export type Part =
  | { name: string; value: string; contentType?: string }
  | { name: string; file: Buffer; filename?: string; contentType?: string }

/** A multipart/form-data body with these parts, and its Content-Type. */
export function multipart(parts: Part[]) {
  const boundary = `----newsdesk${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition =
      'file' in part
        ? `form-data; name="${part.name}"; filename="${part.filename ?? 'photo.jpg'}"`
        : `form-data; name="${part.name}"`
    const type = 'file' in part ? (part.contentType ?? 'image/jpeg') : part.contentType
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`,
      ),
    )
    chunks.push('file' in part ? part.file : Buffer.from(part.value))
    chunks.push(Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** POST /v1/media with the file and text fields given. */
export function upload(
  app: App,
  auth: Record<string, string>,
  file: Buffer | undefined,
  fields: Record<string, string> = {},
  extra: Part[] = [],
) {
  const parts: Part[] = [
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    ...(file ? [{ name: 'file', file }] : []),
    ...extra,
  ]
  const body = multipart(parts)
  return app.inject({
    method: 'POST',
    url: '/v1/media',
    headers: { ...auth, 'content-type': body.contentType },
    payload: body.payload,
  })
}

/** Uploads and returns the record, failing loudly on anything but 201. */
export async function uploaded(app: App, auth: Record<string, string>, file?: Buffer, fields = {}) {
  const res = await upload(app, auth, file ?? (await image()), fields)
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`)
  return JSON.parse(res.body) as Media
}

/** This process's upload folders still in the temporary folder (each upload removes its own). */
export async function spooledLeft(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith(spoolPrefix))
}

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

/** One IPTC IIM dataset: tag marker, record, dataset number, length, then the bytes (text as UTF-8). */
export function iptcDataset(record: number, dataset: number, value: string | Buffer): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  const head = Buffer.from([0x1c, record, dataset, 0, 0])
  head.writeUInt16BE(data.length, 3)
  return Buffer.concat([head, data])
}

/**
 * The JPEG with an APP13 segment after its SOI, as Photoshop and Photo Mechanic write it:
 * "Photoshop 3.0\0", then an 8BIM resource 0x0404 (IPTC-NAA, empty name) holding the datasets.
 */
export function withIptc(jpeg: Buffer, datasets: Buffer[]): Buffer {
  const iptc = Buffer.concat(datasets)
  const size = Buffer.alloc(4)
  size.writeUInt32BE(iptc.length)
  const resource = Buffer.concat([Buffer.from('8BIM'), Buffer.from([0x04, 0x04, 0, 0]), size, iptc])
  const body = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource, Buffer.alloc(iptc.length % 2)])
  const marker = Buffer.alloc(4)
  marker.writeUInt16BE(0xffed, 0)
  marker.writeUInt16BE(body.length + 2, 2)
  return Buffer.concat([jpeg.subarray(0, 2), marker, body, jpeg.subarray(2)])
}
