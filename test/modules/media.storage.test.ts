// One contract for both kinds of media storage: a folder, and an S3 bucket on a real
// S3-compatible server (s3rver) started here.
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import sharp from 'sharp'
import { type Test, test } from 'tap'
import { loadConfig, type S3StorageConfig } from '../../src/config.js'
import { storageKeys } from '../../src/modules/media/media.files.js'
import {
  createFsStorage,
  createMediaStorage,
  createS3Storage,
  type MediaStorage,
} from '../../src/modules/media/media.storage.js'
import { build, mediaDir } from '../helper.js'
import { startS3 } from '../s3.js'
import { insertMedia, makeImage } from './media.helpers.js'

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function text(storage: MediaStorage, key: string): Promise<string | undefined> {
  const found = await storage.get(key)
  if (!found) return undefined
  const bytes = await readAll(found.body)
  if (bytes.length !== found.bytes) throw new Error(`${key}: ${found.bytes} bytes announced, ${bytes.length} read`)
  return bytes.toString()
}

async function contract(t: Test, storage: MediaStorage) {
  const folder = 'abc'
  await storage.putBytes(`${folder}/original`, Buffer.from('the original'), 'image/jpeg')
  await storage.putBytes(`${folder}/w320.webp`, Buffer.from('a rendition'), 'image/webp')
  await storage.putBytes('abcd/original', Buffer.from('a neighbour'), 'image/jpeg')
  t.equal(await text(storage, `${folder}/original`), 'the original', 'putBytes, then get')
  t.equal(await text(storage, `${folder}/w320.webp`), 'a rendition')

  await storage.putBytes(`${folder}/w320.webp`, Buffer.from('replaced'), 'image/webp')
  t.equal(await text(storage, `${folder}/w320.webp`), 'replaced', 'a second write replaces the object')

  const source = join(await mediaDir(t), 'upload.bin')
  await writeFile(source, 'from a file')
  await storage.putFile(`${folder}/w640.webp`, source, 'image/webp')
  t.equal(await text(storage, `${folder}/w640.webp`), 'from a file', 'putFile, then get')

  t.equal(await storage.get('nothing/here'), undefined, 'a missing key: undefined')
  t.equal(await storage.get(folder), undefined, 'a folder is no object')

  await t.rejects(storage.putFile('abc/failed', join(source, 'missing'), 'image/jpeg'), 'a source that is not there')
  t.equal(await storage.get('abc/failed'), undefined, 'a failed putFile leaves no object')

  const refused = ['../x', '/abs', 'a//b', 'a/../b', '', 'a/', 'a b', 'a/./b'] // path-check: not a file path
  for (const key of refused) {
    await t.rejects(storage.putBytes(key, Buffer.from('x'), 'image/jpeg'), /not a media storage key/, `put ${key}`)
    await t.rejects(storage.get(key), /not a media storage key/, `get ${key}`)
  }
  await t.rejects(storage.remove('../abc'), /not a media storage key/) // path-check: not a file path

  await storage.remove(storageKeys.folder(folder))
  t.equal(await storage.get(`${folder}/original`), undefined, 'remove takes the folder')
  t.equal(await storage.get(`${folder}/w320.webp`), undefined)
  t.equal(await storage.get(`${folder}/w640.webp`), undefined)
  t.equal(await text(storage, 'abcd/original'), 'a neighbour', 'but not a folder whose name begins the same')
  await storage.remove('abc')
  await storage.remove('never-there')
  t.pass('removing nothing is no error')
}

test('a folder', async (t) => {
  const dir = await mediaDir(t)
  const storage = createFsStorage(dir)
  t.equal(storage.kind, 'fs')
  await contract(t, storage)
  t.same(await readdir(dir), ['abcd'], 'no temporary file left behind by the failed write')
})

test('an S3 bucket (s3rver)', async (t) => {
  const s3 = await startS3(t)
  const config: S3StorageConfig = {
    kind: 's3',
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    prefix: 'newsdesk/',
  }
  const storage = await createS3Storage(config)
  t.equal(storage.kind, 's3')
  await contract(t, storage)
  // The prefix is where keys live: another prefix sees none of them.
  const other = await createS3Storage({ ...config, prefix: 'other/' })
  t.equal(await other.get('abcd/original'), undefined, 'keys are under the prefix')
  const missingBucket = await createS3Storage({ ...config, bucket: 'no-such-bucket' })
  await t.rejects(missingBucket.get('abcd/original'), 'errors other than a missing key are thrown')
})

test('an app on S3 serves a rendition made from an original stored there', async (t) => {
  const s3 = await startS3(t)
  const { app, db } = await build(t, { env: s3.env })
  const config = loadConfig({ LOG_LEVEL: 'silent', ...s3.env })
  t.equal(config.media.storage.kind, 's3')
  const storage = await createMediaStorage(config.media.storage)
  const media = await insertMedia(db, storage, await makeImage({ width: 800, height: 600 }))
  const res = await app.inject(`/media/${media.id}/w640.avif`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'image/avif')
  const meta = await sharp(res.rawPayload).metadata()
  t.same([meta.width, meta.height], [640, 480])
  const stored = await storage.get(storageKeys.rendition(media.id, 'w640.avif'))
  t.equal(stored?.bytes, res.rawPayload.length, 'stored in the bucket')
  stored?.body.destroy()
  const again = await app.inject(`/media/${media.id}/w640.avif`)
  t.same(again.rawPayload, res.rawPayload, 'and served from it')
  const head = await app.inject({ method: 'HEAD', url: `/media/${media.id}/w640.avif` })
  t.equal(head.headers['content-length'], String(res.rawPayload.length))
})
