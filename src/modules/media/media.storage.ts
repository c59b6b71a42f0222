// Where media bytes live: a folder (MEDIA_STORAGE=fs) or an S3-compatible bucket (s3). Keys are
// Newsdesk's own (originals/<id>, renditions/<id>/<file>): never a name a client chose.
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { MediaConfig, S3StorageConfig } from '../../config.js'
import { randomToken } from './media.files.js'

export interface StoredObject {
  body: Readable
  bytes: number
}

export interface MediaStorage {
  readonly kind: 'fs' | 's3'
  /**
   * Stores a local file under the key; resolves once it is stored in full. A failed write leaves
   * nothing under the key.
   */
  putFile(key: string, path: string, contentType: string): Promise<void>
  /** Stores bytes under the key, as putFile. */
  putBytes(key: string, bytes: Buffer, contentType: string): Promise<void>
  /** The object under the key, or undefined when there is none. */
  get(key: string): Promise<StoredObject | undefined>
  /** Removes the object under the key and every object under `${key}/`; nothing there is no error. */
  remove(key: string): Promise<void>
}

// Segments start with a letter or digit: no `.`, `..` or empty segment, no absolute key.
const safeKey = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/

function checkKey(key: string): string {
  if (!safeKey.test(key)) throw new Error(`not a media storage key: ${key}`)
  return key
}

function notFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT'
}

/** A folder: writes go to a temporary name beside the target and are renamed into place. */
export function createFsStorage(root: string): MediaStorage {
  const base = resolve(root)
  const pathOf = (key: string) => join(base, checkKey(key))
  async function atomically(key: string, write: (temp: string) => Promise<void>) {
    const target = pathOf(key)
    await mkdir(dirname(target), { recursive: true })
    const temp = `${target}.${randomToken()}.partial`
    try {
      await write(temp)
      await rename(temp, target)
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
  }
  return {
    kind: 'fs',
    putFile: (key, path) => atomically(key, (temp) => pipeline(createReadStream(path), createWriteStream(temp))),
    putBytes: (key, bytes) =>
      atomically(key, async (temp) => {
        const out = createWriteStream(temp)
        await pipeline(async function* () {
          yield bytes
        }, out)
      }),
    async get(key) {
      const path = pathOf(key)
      try {
        const info = await stat(path)
        if (!info.isFile()) return undefined
        return { body: createReadStream(path), bytes: info.size }
      } catch (err) {
        if (notFound(err)) return undefined
        throw err
      }
    },
    async remove(key) {
      const path = pathOf(key)
      await rm(path, { recursive: true, force: true })
    },
  }
}

/** An S3-compatible bucket through the AWS SDK; credentials come from the standard AWS variables. */
export async function createS3Storage(config: S3StorageConfig): Promise<MediaStorage> {
  // Loaded only when configured: the SDK costs start-up time otherwise.
  const s3 = await import('@aws-sdk/client-s3')
  const client = new s3.S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    // Checksums only where S3 requires them (the SDK's default before 2025): with the newer default
    // a streamed PUT is sent aws-chunked with a trailing checksum, which S3-compatible servers that
    // do not speak it (s3rver among them) store framing and all. The length is
    // still checked (ContentLength), and TLS guards the bytes in transit.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  const Bucket = config.bucket
  const keyOf = (key: string) => `${config.prefix}${checkKey(key)}`
  const missing = (err: unknown) => {
    const name = (err as { name?: string }).name
    return name === 'NoSuchKey' || name === 'NotFound'
  }
  return {
    kind: 's3',
    async putFile(key, path, contentType) {
      const { size } = await stat(path)
      // A PUT is all or nothing: a failed one leaves no object.
      await client.send(
        new s3.PutObjectCommand({
          Bucket,
          Key: keyOf(key),
          Body: createReadStream(path),
          ContentLength: size,
          ContentType: contentType,
        }),
      )
    },
    async putBytes(key, bytes, contentType) {
      await client.send(new s3.PutObjectCommand({ Bucket, Key: keyOf(key), Body: bytes, ContentType: contentType }))
    },
    async get(key) {
      try {
        const answer = await client.send(new s3.GetObjectCommand({ Bucket, Key: keyOf(key) }))
        return { body: answer.Body as Readable, bytes: answer.ContentLength ?? 0 }
      } catch (err) {
        if (missing(err)) return undefined
        throw err
      }
    },
    async remove(key) {
      const Prefix = `${keyOf(key)}/`
      let ContinuationToken: string | undefined
      do {
        const page = await client.send(new s3.ListObjectsV2Command({ Bucket, Prefix, ContinuationToken }))
        const Objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []))
        if (Objects.length > 0) await client.send(new s3.DeleteObjectsCommand({ Bucket, Delete: { Objects } }))
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (ContinuationToken)
      await client.send(new s3.DeleteObjectCommand({ Bucket, Key: keyOf(key) }))
    },
  }
}

export async function createMediaStorage(config: MediaConfig['storage']): Promise<MediaStorage> {
  return config.kind === 's3' ? createS3Storage(config) : createFsStorage(config.dir)
}
