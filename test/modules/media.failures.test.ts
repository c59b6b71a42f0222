// Media uploads that must leave nothing behind: bombs and oversized files refused, identical bytes
// stored once (a lost race included), a storage or database failure undone.
import { createHash, randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { test } from 'tap'
import type { Media } from '../../src/modules/media/media.schemas.js'
import { createFsStorage } from '../../src/modules/media/media.storage.js'
import { maxFrames } from '../../src/modules/media/media.upload.js'
import { assertProblem, build, json, mediaDir } from '../helper.js'
import { image, spooledLeft, upload } from './media.helpers.js'

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

test('media: a decompression bomb is a 422 and nothing is stored', async (t) => {
  const dir = await mediaDir(t)
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir, MEDIA_MAX_PIXELS: '1000000' } })
  // 4 million pixels of one colour: a few kilobytes of PNG.
  const bomb = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#fff' } })
    .png()
    .toBuffer()
  t.ok(bomb.length < 50_000, `${bomb.length} bytes`)
  const problem = assertProblem(t, await upload(app, auth, bomb), 422, 'ND_IMAGE_TOO_LARGE')
  t.match(problem.detail, /1000000/)
  t.equal(await db.prisma.media.count(), 0)
  t.same(await readdir(dir), [])
  t.same(await spooledLeft(), [])
})

/** An animated GIF of `count` frames of width × height, each a different colour. */
async function animatedGif(count: number, width: number, height: number): Promise<Buffer> {
  const frames = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp({
        create: {
          width,
          height,
          channels: 3,
          background: { r: (i * 37) % 256, g: (i * 91) % 256, b: i % 2 ? 255 : 0 },
        },
      })
        .png()
        .toBuffer(),
    ),
  )
  return sharp(frames, { join: { animated: true } })
    .gif()
    .toBuffer()
}

test('media: an animation whose frames together pass the pixel limit is a 422 and nothing is stored', async (t) => {
  const dir = await mediaDir(t)
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir, MEDIA_MAX_PIXELS: '1600000' } })
  // 400×400 a frame (0.16 MP, well under the limit), 50 frames: 8 MP once every frame is decoded.
  const bomb = await animatedGif(50, 400, 400)
  const frames = (await sharp(bomb, { animated: true }).metadata()).pages ?? 1
  t.ok(frames * 400 * 400 > 1_600_000, `${frames} frames`)
  const problem = assertProblem(t, await upload(app, auth, bomb), 422, 'ND_IMAGE_TOO_LARGE')
  t.match(problem.detail, /1600000/)
  t.equal(await db.prisma.media.count(), 0)
  t.same(await readdir(dir), [])
  t.same(await spooledLeft(), [])

  const small = await animatedGif(3, 40, 30)
  const res = await upload(app, auth, small)
  t.equal(res.statusCode, 201, 'a small animation passes')
  t.match(json(res), { width: 40, height: 30 }, "one frame's size, not the strip's")
})

test('media: an animation of more frames than the server decodes is a 422', async (t) => {
  const dir = await mediaDir(t)
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir } })
  const long = await animatedGif(maxFrames + 1, 2, 2)
  const problem = assertProblem(t, await upload(app, auth, long), 422, 'ND_IMAGE_TOO_LARGE')
  t.match(problem.detail, new RegExp(`${maxFrames + 1} frames; this server processes at most ${maxFrames}`))
  t.equal(await db.prisma.media.count(), 0)
  t.same(await readdir(dir), [])
})

test('media: a file over MEDIA_MAX_BYTES is a 413 and nothing is stored', async (t) => {
  const dir = await mediaDir(t)
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir, MEDIA_MAX_BYTES: '4096' } })
  const noise = await sharp(randomBytes(64 * 64 * 3), {
    raw: { width: 64, height: 64, channels: 3 },
  })
    .png()
    .toBuffer()
  t.ok(noise.length > 4096, `${noise.length} bytes`)
  const problem = assertProblem(t, await upload(app, auth, noise), 413, 'ND_BODY_TOO_LARGE')
  t.match(problem.detail, /4096/)
  t.equal(await db.prisma.media.count(), 0)
  t.same(await readdir(dir), [])
  t.same(await spooledLeft(), [])
  t.equal((await upload(app, auth, await image('png', 8, 8))).statusCode, 201, 'a small one passes')
})

test('media: identical bytes are stored once', async (t) => {
  const dir = await mediaDir(t)
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir } })
  const bytes = await image('webp')
  const first = await upload(app, auth, bytes, { caption: 'First' })
  t.equal(first.statusCode, 201)
  const again = await upload(app, auth, bytes, { caption: 'Second' })
  t.equal(again.statusCode, 200, 'the same bytes: 200')
  t.equal(again.headers.location, undefined)
  t.same(json(again), json(first), 'the existing record, unchanged')

  const racing = await image('jpeg')
  const answers = await Promise.all([1, 2, 3].map(() => upload(app, auth, racing)))
  const ids = new Set(answers.map((r) => json<Media>(r).id))
  t.equal(ids.size, 1, 'concurrent identical uploads: one record')
  t.equal(answers.filter((r) => r.statusCode === 201).length, 1, 'one creation')
  t.equal(await db.prisma.media.count(), 2)
  t.equal((await readdir(dir)).length, 2, 'one folder each')
  t.same(await spooledLeft(), [])
})

test('media: a failed storage write leaves no row, file or temporary file', async (t) => {
  const dir = await mediaDir(t)
  const fs = createFsStorage(dir)
  const failing = { ...fs, putFile: async () => Promise.reject(new Error('disk full')) }
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir }, mediaStorage: failing })
  assertProblem(t, await upload(app, auth, await image()), 500, 'ND_INTERNAL')
  t.equal(await db.prisma.media.count(), 0)
  t.same(await readdir(dir), [])
  t.same(await spooledLeft(), [])
})

test('media: a storage write that fails part way leaves no folder behind', async (t) => {
  const dir = await mediaDir(t)
  const fs = createFsStorage(dir)
  // The real write, of a source that is gone: it makes the record's folder, then fails to read.
  const failing = {
    ...fs,
    putFile: (key: string, _path: string, type: string) => fs.putFile(key, join(dir, 'gone'), type),
  }
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir }, mediaStorage: failing })
  assertProblem(t, await upload(app, auth, await image()), 500, 'ND_INTERNAL')
  t.equal(await db.prisma.media.count(), 0)
  t.same(await readdir(dir), [], 'no empty folder left')
  t.same(await spooledLeft(), [])
})

test('media: an upload that loses the race to identical bytes removes what it stored', async (t) => {
  const dir = await mediaDir(t)
  const fs = createFsStorage(dir)
  const bytes = await image('gif')
  let winner = ''
  const { app, db, auth } = await build(t, {
    env: { MEDIA_DIR: dir },
    // Another upload of the same bytes commits while this one stores its file.
    mediaStorage: {
      ...fs,
      async putFile(key, path, type) {
        await fs.putFile(key, path, type)
        const row = await db.prisma.media.create({
          data: {
            sha256: sha256(bytes),
            mimeType: 'image/gif',
            bytes: bytes.length,
            width: 64,
            height: 48,
            placeholder: 'AAAA',
            searchKey: '',
          },
        })
        winner = row.id
      },
    },
  })
  const res = await upload(app, auth, bytes)
  t.equal(res.statusCode, 200, 'the winner answers')
  t.equal(json<Media>(res).id, winner)
  t.equal(await db.prisma.media.count(), 1)
  t.same(await readdir(dir), [], "the loser's file is gone")
})

test('media: an insert that fails removes the stored original', async (t) => {
  const dir = await mediaDir(t)
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir } })
  await db.prisma.$executeRawUnsafe(`
    CREATE FUNCTION media_refuse() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`)
  await db.prisma.$executeRawUnsafe(
    'CREATE TRIGGER media_refuse BEFORE INSERT ON media FOR EACH ROW EXECUTE FUNCTION media_refuse()',
  )
  assertProblem(t, await upload(app, auth, await image()), 500, 'ND_INTERNAL')
  t.equal(await db.prisma.media.count(), 0)
  t.same(await readdir(dir), [], 'the original stored before the insert is gone')
  t.same(await spooledLeft(), [])
})
