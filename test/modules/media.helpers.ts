// Media tests' pieces: images made with sharp, multipart bodies written by hand (so a test can
// send anything, malformed included), and an upload through the API.
import { randomBytes, randomInt } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import sharp from 'sharp'
import type { Media } from '../../src/modules/media/media.schemas.js'
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
