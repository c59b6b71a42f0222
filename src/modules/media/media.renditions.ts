// Serving renditions: the fixed set media.files.ts names, generated with sharp on first request,
// stored, and served from storage after that. The original is served as uploaded, to write scopes.
//
// Generation is the expensive part and the rendition URLs are public, so it is bounded three ways:
// only the names findRendition() lists exist (a few dozen per image, each made once); one
// generation per rendition at a time (concurrent requests for a missing rendition share one); and
// a small cap on generations at once, so a burst of different misses waits instead of taking every
// core and the event loop with it; and a cap on those waiting (past it, a 503 with Retry-After), so
// a flood of misses cannot queue without end. A rendition the original cannot give (undecodable,
// over the pixel limit) is a 500 ND_RENDITION_FAILED, remembered for a while: asked again, it fails
// at once, without reading the original or taking a slot. Across instances two may generate the
// same rendition at once: harmless, both write the same bytes and a storage write replaces the
// object whole.
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Sharp } from 'sharp'
import type { Db } from '../../db/types.js'
import { NotFoundError, RenditionFailedError, RenditionsBusyError } from '../../errors.js'
import { BoundedMap } from '../../lib/bounded-map.js'
import { createLimiter } from '../../lib/limiter.js'
import { matchesEtag } from '../../lib/versions.js'
import {
  type AspectRatio,
  cropSize,
  findRendition,
  type MediaShape,
  type Rendition,
  storageKeys,
} from './media.files.js'
import { findMediaShape } from './media.renditions-repository.js'
import { loadSharp } from './media.sharp.js'
import type { MediaStorage } from './media.storage.js'

/** Canonical (lower-case) UUIDs only: rendition URLs are made that way, and a CDN keeps one copy. */
export const mediaIdPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
/** Every name renditionsOf() can give, and little else: checked before any query. */
export const renditionFilePattern =
  '^(?:(?:16x9|1x1|4x5)-)?w[1-9][0-9]{0,4}(?:\\.[0-9a-f]{10})?\\.(?:webp|avif|jpg|png|gif)$'
const idRegExp = new RegExp(mediaIdPattern)
const fileRegExp = new RegExp(renditionFilePattern)

/** A year: the URL changes whenever the bytes would. */
export const immutableCacheControl = 'public, max-age=31536000, immutable'

export interface ServedFile {
  status: 200
  etag: string
  mimeType: string
  bytes: number
  /** Whole when small enough for the response cache to keep, else streamed from storage. */
  body: Readable | Buffer
}
export interface NotModified {
  status: 304
  etag: string
}
export type Served = ServedFile | NotModified

export interface RenditionsOptions {
  storage: MediaStorage
  /** Largest picture sharp will decode (width × height): config.media.maxPixels. */
  maxPixels: number
  /**
   * The current content generation while records may be remembered (content change notifications
   * arrive: the response cache is on), else null. A stored rendition is then served without a query.
   */
  contentGeneration: () => Promise<number | null>
  /** Told of each generation: what it made and how long it took. */
  onGenerated?: (event: { key: string; bytes: number; ms: number }) => void
  /** Told once of each rendition the original cannot give (it then fails at once for failureMemoMs). */
  onFailed?: (err: unknown, key: string) => void
}

/** Generations at once: the machines measured have two cores, and libvips uses threads within each. */
export const generationSlots = 2
/** Generations waiting for a slot at most, per instance. */
export const maxWaitingGenerations = 100
/** How long a rendition that could not be made fails at once, without reading the original again. */
const failureMemoMs = 10 * 60_000
/** Failed renditions remembered at most (a key each). */
const rememberedFailures = 10_000

const hashEtag = (text: string) => `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`

/** A rendition's ETag: its bytes follow from the original's and the file name alone. */
export function renditionEtag(media: Pick<MediaShape, 'sha256'>, file: string): string {
  return hashEtag(`${media.sha256}:${file}`)
}

/** The original's ETag: its sha256. */
export function originalEtag(media: Pick<MediaShape, 'sha256'>): string {
  return `"${Buffer.from(media.sha256, 'hex').toString('base64url')}"`
}

/** The crop of this ratio centred on the focal point, moved inside the picture where it would leave it. */
export function cropBox(width: number, height: number, ratio: AspectRatio, focal: { x: number; y: number }) {
  const size = cropSize({ width, height }, ratio)
  const clamp = (value: number, max: number) => Math.min(Math.max(0, Math.round(value)), max)
  return {
    left: clamp(focal.x * width - size.width / 2, width - size.width),
    top: clamp(focal.y * height - size.height / 2, height - size.height),
    width: size.width,
    height: size.height,
  }
}

/**
 * Encodes one rendition. AVIF's effort is 2, not the default 4: measured on a 2-core machine from
 * a 3000×2000 JPEG (decode, resize and encode), effort 4 took 6.7 s at 2400 px and 2.1 s at
 * 1024 px, effort 2 0.85 s and 0.18 s, for files 5-18% larger. WebP, JPEG and PNG took 0.36 s
 * at 2400 px, 0.1 s at 1024 px.
 */
function encode(image: Sharp, mimeType: Rendition['mimeType']): Sharp {
  switch (mimeType) {
    case 'image/webp':
      return image.webp({ quality: 80 })
    case 'image/avif':
      return image.avif({ quality: 50, effort: 2 })
    case 'image/png':
      return image.png({ compressionLevel: 9 })
    case 'image/gif':
      return image.gif()
    default:
      return image.jpeg({ quality: 80, mozjpeg: true, progressive: true })
  }
}

/**
 * Makes the rendition's bytes from the original's. No withMetadata()/keepExif(): sharp writes no
 * EXIF, IPTC or XMP by default, so GPS positions and camera serials stay in the original only.
 * GIF and WebP renditions of an animated original stay animated (every frame resized and
 * cropped alike); AVIF ones show its first frame.
 */
export async function renderRendition(original: Buffer, media: MediaShape, rendition: Rendition, maxPixels: number) {
  const animated = rendition.mimeType === 'image/gif' || rendition.mimeType === 'image/webp'
  const sharp = await loadSharp()
  let image = sharp(original, { limitInputPixels: maxPixels, animated }).rotate()
  if (rendition.aspectRatio) {
    // The oriented size as decoded (the record's is the same for a well-formed upload).
    const info = await sharp(original, { limitInputPixels: maxPixels }).metadata()
    const swapped = (info.orientation ?? 1) >= 5
    const width = swapped ? info.height : info.width
    const height = swapped ? info.width : (info.pageHeight ?? info.height)
    image = image.extract(cropBox(width, height, rendition.aspectRatio, { x: media.focalX, y: media.focalY }))
  }
  image = image.resize(rendition.width, rendition.height, { fit: 'fill' })
  return encode(image, rendition.mimeType).toBuffer()
}

/**
 * Renditions up to this size are read whole, so that the response cache keeps them and later hits
 * skip storage (most are: a 2400 px WebP of a photograph is a few hundred KB).
 */
const wholeBytes = 1024 * 1024

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Media records a process remembers at most (a few hundred bytes each). */
const rememberedMedia = 10_000

/**
 * Media records by id for as long as content does not change (any change to the media table ends
 * the generation, on every instance). Without it each rendition hit cost a query (the benchmark's
 * smoke run: 463 hits a second with a query each, 1,101 without). Ids that name nothing are not
 * remembered: a scan of random ids must not push out the records pages show.
 */
function createMediaMemo(db: Db, generationOf: RenditionsOptions['contentGeneration']) {
  let generation: number | null = null
  const known = new Map<string, MediaShape>()
  return async function find(id: string): Promise<MediaShape | null> {
    const current = await generationOf()
    if (current === null) return findMediaShape(db, id)
    if (current !== generation) {
      known.clear()
      generation = current
    }
    const remembered = known.get(id)
    if (remembered) return remembered
    const media = await findMediaShape(db, id)
    // Kept only if nothing changed while it was read: a read of the old state must not outlive it.
    if (media && generation === current && (await generationOf()) === current) {
      if (known.size >= rememberedMedia) known.delete(known.keys().next().value as string)
      known.set(id, media)
    }
    return media
  }
}

export function createRenditionsService(db: Db, options: RenditionsOptions) {
  const { storage, maxPixels } = options
  const limit = createLimiter(generationSlots, maxWaitingGenerations, () => new RenditionsBusyError())
  /** Renditions sharp could not make, by storage key: asked again, they fail without a generation. */
  const failed = new BoundedMap<true>(rememberedFailures)
  /** Generations under way, by storage key: later requests for the same rendition join them. */
  const inFlight = new Map<string, Promise<Buffer>>()

  const findMedia = createMediaMemo(db, options.contentGeneration)

  async function mediaOrThrow(id: string): Promise<MediaShape> {
    const media = idRegExp.test(id) ? await findMedia(id) : null
    if (!media) throw new NotFoundError('media', id)
    return media
  }

  async function generate(media: MediaShape, rendition: Rendition, key: string): Promise<Buffer> {
    const started = performance.now()
    const stored = await storage.get(storageKeys.original(media.id))
    if (!stored) throw new NotFoundError('media', media.id)
    const bytes = await renderRendition(await readAll(stored.body), media, rendition, maxPixels).catch((err) => {
      failed.set(key, true, Date.now() + failureMemoMs)
      options.onFailed?.(err, key)
      throw new RenditionFailedError(rendition.file)
    })
    await storage.putBytes(key, bytes, rendition.mimeType)
    // Deleted while this ran: its folder is gone already, and this rendition must not outlive it.
    if (!(await findMediaShape(db, media.id))) {
      await storage.remove(key)
      throw new NotFoundError('media', media.id)
    }
    options.onGenerated?.({ key, bytes: bytes.length, ms: Math.round(performance.now() - started) })
    return bytes
  }

  /** The rendition's bytes, generated once however many requests ask at the same time. */
  function generateOnce(media: MediaShape, rendition: Rendition, key: string): Promise<Buffer> {
    let pending = inFlight.get(key)
    if (!pending) {
      pending = limit(() => generate(media, rendition, key)).finally(() => inFlight.delete(key))
      inFlight.set(key, pending)
    }
    return pending
  }

  return {
    /** A rendition by its URL's parts; 404 for anything findRendition() does not list. */
    async rendition(id: string, file: string, ifNoneMatch?: string): Promise<Served> {
      if (!fileRegExp.test(file)) throw new NotFoundError('rendition', file)
      const media = await mediaOrThrow(id)
      const rendition = findRendition(media, file)
      if (!rendition) throw new NotFoundError('rendition', file)
      const etag = renditionEtag(media, file)
      if (matchesEtag(ifNoneMatch, etag)) return { status: 304, etag }
      const key = storageKeys.rendition(media.id, file)
      if (failed.get(key, Date.now())) throw new RenditionFailedError(file)
      const stored = await storage.get(key)
      if (stored) {
        const body = stored.bytes <= wholeBytes ? await readAll(stored.body) : stored.body
        return { status: 200, etag, mimeType: rendition.mimeType, bytes: stored.bytes, body }
      }
      const bytes = await generateOnce(media, rendition, key)
      return { status: 200, etag, mimeType: rendition.mimeType, bytes: bytes.length, body: bytes }
    },

    /** The original as uploaded, metadata and all. */
    async original(id: string, ifNoneMatch?: string): Promise<Served> {
      const media = await mediaOrThrow(id.toLowerCase())
      const etag = originalEtag(media)
      if (matchesEtag(ifNoneMatch, etag)) return { status: 304, etag }
      const stored = await storage.get(storageKeys.original(media.id))
      if (!stored) throw new NotFoundError('media', id)
      return { status: 200, etag, mimeType: media.mimeType, bytes: stored.bytes, body: stored.body }
    },
  }
}

export type RenditionsService = ReturnType<typeof createRenditionsService>
