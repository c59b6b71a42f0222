// The upload pipeline, free of HTTP: the file streamed to a temporary file while it is hashed and
// counted (never held in memory whole), then its type taken from its bytes, its size read, its
// metadata and a placeholder made. Nothing here writes to storage or the database.
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { type Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  ImageTooLargeError,
  ImageUnreadableError,
  TooManyFramesError,
  UnsupportedMediaTypeError,
} from '../../errors.js'
import { type MediaMimeType, originalFormats } from './media.files.js'
import { type EmbeddedMetadata, embeddedMetadata } from './media.metadata.js'
import { loadSharp } from './media.sharp.js'

export type { EmbeddedMetadata }

/** A file received in full: where it waits, its hash and its size. */
export interface Spooled {
  path: string
  sha256: string
  bytes: number
}

/** What the bytes say about the image. */
export interface Inspected {
  mimeType: MediaMimeType
  /** As displayed: EXIF orientation applied. */
  width: number
  height: number
  placeholder: string
  /** Prefills from IPTC, XMP and EXIF; undefined when the file does not say. */
  embedded: EmbeddedMetadata
}

/**
 * Temporary folders of uploads in progress are named with this prefix (the process id in it),
 * one folder per upload, removed by discard().
 */
export const spoolPrefix = `newsdesk-upload-${process.pid}-`

/** Streams the file into a new temporary folder, hashing and counting it on the way. */
export async function spool(stream: Readable): Promise<Spooled> {
  const dir = await mkdtemp(join(tmpdir(), spoolPrefix))
  const path = join(dir, 'upload')
  const hash = createHash('sha256')
  let bytes = 0
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      bytes += chunk.length
      done(null, chunk)
    },
  })
  try {
    await pipeline(stream, measure, createWriteStream(path))
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  return { path, sha256: hash.digest('hex'), bytes }
}

/** Removes the temporary file and its folder; nothing there is no error. */
export async function discard(spooled: Pick<Spooled, 'path'>): Promise<void> {
  await rm(dirname(spooled.path), { recursive: true, force: true })
}

const accepted = new Set(Object.keys(originalFormats))

/** The type the bytes have; anything but an accepted image is a 415 (the name and header are not asked). */
export async function detectType(path: string): Promise<MediaMimeType> {
  // Loaded on the first upload, like sharp: a server that only reads never needs it.
  const { fileTypeFromFile } = await import('file-type')
  const type = await fileTypeFromFile(path)
  if (!type || !accepted.has(type.mime)) {
    throw new UnsupportedMediaTypeError(
      `The file is ${type ? type.mime : 'of no known type'}; only ${[...accepted].join(', ')} are accepted`,
    )
  }
  return type.mime as MediaMimeType
}

/** The ThumbHash of the image (base64): a ≤100×100 RGBA copy, oriented as displayed. */
async function thumbHash(path: string, maxPixels: number): Promise<string> {
  const [sharp, { rgbaToThumbHash }] = await Promise.all([loadSharp(), import('thumbhash')])
  const { data, info } = await sharp(path, { limitInputPixels: maxPixels })
    .autoOrient()
    .resize(100, 100, { fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('base64')
}

/** Frames of an animation the server decodes at most (each one counts toward the pixel limit too). */
export const maxFrames = 1000

/**
 * The displayed size, once every frame is known to fit: renditions of animated GIF and WebP
 * decode every frame, so the pixel limit counts them all (a 50-frame 400×400 GIF is 8 MP).
 * The header alone is read here, whatever its size.
 */
async function checkedSize(path: string, maxPixels: number): Promise<{ width: number; height: number }> {
  const sharp = await loadSharp()
  const metadata = await sharp(path, { limitInputPixels: false, animated: true }).metadata()
  const frames = metadata.pages ?? 1
  if (frames > maxFrames) throw new TooManyFramesError(frames, maxFrames)
  // Decoded as an animation, height is every frame's stacked: one frame's is pageHeight.
  const { width } = metadata
  const height = metadata.pageHeight ?? metadata.height
  if (width * height * frames > maxPixels) throw new ImageTooLargeError(maxPixels)
  return (metadata.orientation ?? 1) >= 5 ? { width: height, height: width } : { width, height }
}

/** Reads the image: type from the bytes, displayed size, placeholder and embedded metadata. */
export async function inspect(spooled: Spooled, maxPixels: number): Promise<Inspected> {
  const mimeType = await detectType(spooled.path)
  let size: { width: number; height: number }
  let placeholder: string
  try {
    size = await checkedSize(spooled.path, maxPixels)
    placeholder = await thumbHash(spooled.path, maxPixels)
  } catch (err) {
    // checkedSize()'s refusals stand (the limit is checked before any decoding); any other sharp
    // failure is bytes it cannot decode.
    throw err instanceof ImageTooLargeError || err instanceof TooManyFramesError ? err : new ImageUnreadableError()
  }
  return { mimeType, ...size, placeholder, embedded: await embeddedMetadata(spooled.path) }
}
