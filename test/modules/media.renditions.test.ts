import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { setTimeout } from 'node:timers/promises'
import exifr from 'exifr'
import type { FastifyInstance } from 'fastify'
import sharp from 'sharp'
import { type Test, test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { findRendition, renditionsOf, storageKeys } from '../../src/modules/media/media.files.js'
import { createRenditionsService } from '../../src/modules/media/media.renditions.js'
import { createFsStorage, type MediaStorage } from '../../src/modules/media/media.storage.js'
import { assertProblem, build, createKey, createTestDatabase, mediaDir, missingId } from '../helper.js'
import { type InsertedMedia, insertMedia, makeImage } from './media.helpers.js'

async function setUp(t: Test) {
  const dir = await mediaDir(t)
  const built = await build(t, { env: { MEDIA_DIR: dir } })
  return { ...built, storage: createFsStorage(dir) }
}

/** An app whose storage is wrapped: `before` runs ahead of each putBytes (to count or interfere). */
async function setUpWrapped(t: Test, before: (key: string) => Promise<void> | void) {
  const dir = await mediaDir(t)
  const storage = createFsStorage(dir)
  const wrapped: MediaStorage = {
    ...storage,
    async putBytes(key, bytes, type) {
      await before(key)
      return storage.putBytes(key, bytes, type)
    },
  }
  const database = await createTestDatabase(t)
  const config = loadConfig({ LOG_LEVEL: 'silent', MEDIA_DIR: dir })
  const app = await buildApp({ config, db: database.db, mediaStorage: wrapped })
  t.teardown(() => app.close())
  await app.ready()
  return { app, db: database.db, storage }
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const urlOf = (media: { id: string }, file: string) => `/media/${media.id}/${file}`
const formatOf = {
  'image/webp': 'webp',
  'image/avif': 'heif',
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/gif': 'gif',
}

function shapeOf(media: InsertedMedia, focal = { x: 0.5, y: 0.5 }) {
  return { ...media, focalX: focal.x, focalY: focal.y }
}

test('every rendition has its listed size and format, none larger than the original', async (t) => {
  const { app, db, storage } = await setUp(t)
  const media = await insertMedia(db, storage, await makeImage({ width: 1000, height: 800 }))
  const list = renditionsOf(shapeOf(media))
  t.same([...new Set(list.map((r) => r.width))].sort(), [320, 640], 'no 1024: wider than the original')
  t.equal(list.length, 24, '2 widths × 3 formats, uncropped and in three crops')
  for (const rendition of list) {
    const res = await app.inject(urlOf(media, rendition.file))
    t.equal(res.statusCode, 200, rendition.file)
    t.equal(res.headers['content-type'], rendition.mimeType)
    t.equal(Number(res.headers['content-length']), res.rawPayload.length)
    const meta = await sharp(res.rawPayload).metadata()
    t.same([meta.width, meta.height, meta.format], [rendition.width, rendition.height, formatOf[rendition.mimeType]])
    if (rendition.aspectRatio === '16x9') t.equal(rendition.height, Math.round((rendition.width * 9) / 16))
  }
  t.equal((await app.inject(urlOf(media, 'w1024.webp'))).statusCode, 404, 'a preset wider than the original')

  const small = await insertMedia(db, storage, await makeImage({ width: 500, height: 300, format: 'png' }))
  const smallList = renditionsOf(shapeOf(small)).filter((r) => !r.aspectRatio)
  t.same(
    smallList.map((r) => r.file),
    ['w320.webp', 'w320.avif', 'w320.png'],
  )
  t.equal((await app.inject(urlOf(small, 'w320.png'))).statusCode, 200)
  t.equal((await app.inject(urlOf(small, 'w500.png'))).statusCode, 404, 'its own width is no rendition')
  const tiny = await insertMedia(db, storage, await makeImage({ width: 200, height: 100, format: 'webp' }))
  const res = await app.inject(urlOf(tiny, 'w200.webp'))
  t.equal(res.statusCode, 200, 'smaller than every preset: its own width')
  t.same((await sharp(res.rawPayload).metadata()).width, 200)
  t.equal((await app.inject(urlOf(tiny, 'w320.webp'))).statusCode, 404)
})

/** The share of pixels of the image that are pure-ish red. */
async function redShare(bytes: Buffer): Promise<number> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  let red = 0
  for (let i = 0; i < data.length; i += 3) {
    if ((data[i] ?? 0) > 200 && (data[i + 1] ?? 0) < 60 && (data[i + 2] ?? 0) < 60) red++
  }
  return red / (info.width * info.height)
}

test('crops keep the focal point in frame; moving it changes the URL', async (t) => {
  const { app, db, storage } = await setUp(t)
  const bytes = await makeImage({
    width: 1600,
    height: 900,
    format: 'png',
    blocks: [{ left: 0, top: 0, width: 200, height: 200, colour: '#ff0000' }],
  })
  const media = await insertMedia(db, storage, bytes, { focalX: 0.05, focalY: 0.1 })
  const square = findRendition(shapeOf(media, { x: 0.05, y: 0.1 }), `1x1-w640.${tokenOf(media, 0.05, 0.1)}.png`)
  t.ok(square, 'the square crop at 640 is listed')
  const first = await app.inject(urlOf(media, square?.file ?? ''))
  t.equal(first.statusCode, 200)
  t.ok((await redShare(first.rawPayload)) > 0.03, 'the red corner is in the crop')
  const meta = await sharp(first.rawPayload).metadata()
  t.same([meta.width, meta.height], [640, 640])

  await db.prisma.media.update({ where: { id: media.id }, data: { focalX: 0.95, focalY: 0.5 } })
  // Made outside the API, the change reaches the app as a notification (within milliseconds).
  t.equal(await statusOnceChanged(app, urlOf(media, square?.file ?? ''), 200), 404, 'the old focal point: 404')
  const moved = renditionsOf(shapeOf(media, { x: 0.95, y: 0.5 })).find(
    (r) => r.name === '1x1-w640' && r.mimeType === 'image/png',
  )
  const second = await app.inject(urlOf(media, moved?.file ?? ''))
  t.equal(second.statusCode, 200)
  t.equal(await redShare(second.rawPayload), 0, 'cropped on the right: the red corner is out')
  const wide = renditionsOf(shapeOf(media, { x: 0.95, y: 0.5 })).find((r) => r.name === '16x9-w1600')
  const full = await app.inject(urlOf(media, wide?.file ?? ''))
  t.ok((await redShare(full.rawPayload)) > 0.02, 'a 16:9 crop of a 16:9 picture is all of it')
})

/** The status of a URL once it is no longer `before` (tried for up to two seconds). */
async function statusOnceChanged(app: FastifyInstance, url: string, before: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const { statusCode } = await app.inject(url)
    if (statusCode !== before) return statusCode
    await setTimeout(20)
  }
  return before
}

function tokenOf(media: InsertedMedia, x: number, y: number): string {
  const file = renditionsOf(shapeOf(media, { x, y })).find((r) => r.aspectRatio)?.file ?? ''
  return file.split('.')[1] ?? ''
}

test('renditions carry no EXIF, GPS, serial or XMP; the original keeps them, for write keys only', async (t) => {
  const { app, db, storage, auth } = await setUp(t)
  const bytes = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#336699' } })
    .withExif({
      IFD0: { Make: 'Canon', Model: 'EOS R5', Artist: 'A photographer' },
      IFD2: { BodySerialNumber: '0123456789' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '40/1 10/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '44/1 30/1 0/1' },
    })
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>',
    )
    .jpeg()
    .toBuffer()
  const fixture = await exifr.parse(bytes, true)
  t.match(
    fixture,
    { latitude: 40.175, longitude: 44.5, SerialNumber: '0123456789', Make: 'Canon' },
    'the fixture has GPS',
  )
  const media = await insertMedia(db, storage, bytes)

  for (const file of ['w640.jpg', 'w640.webp', 'w640.avif', `16x9-w640.${tokenOf(media, 0.5, 0.5)}.jpg`]) {
    const res = await app.inject(urlOf(media, file))
    t.equal(res.statusCode, 200)
    t.equal(await exifr.parse(res.rawPayload, true).catch(() => undefined), undefined, `${file}: exifr finds nothing`)
    const meta = await sharp(res.rawPayload).metadata()
    t.notOk(meta.exif || meta.iptc || meta.xmp, `${file}: no exif, iptc or xmp`)
  }

  const url = `/v1/media/${media.id}/original`
  const original = await app.inject({ url, headers: auth })
  t.equal(original.statusCode, 200)
  t.equal(sha(original.rawPayload), sha(bytes), 'the original, byte for byte')
  t.match(original.headers, {
    'content-type': 'image/jpeg',
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    'content-length': String(bytes.length),
  })
  t.ok((await exifr.gps(original.rawPayload)).latitude, 'with its GPS position')
  const again = await app.inject({ url, headers: { ...auth, 'if-none-match': String(original.headers.etag) } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  const head = await app.inject({ method: 'HEAD', url, headers: auth })
  t.equal(head.statusCode, 200)
  t.equal(head.headers['content-length'], String(bytes.length))
  t.equal(head.body, '')

  assertProblem(t, await app.inject({ url }), 401, 'ND_UNAUTHORIZED')
  const reader = await createKey(db, ['content:read'])
  assertProblem(t, await app.inject({ url, headers: reader.headers }), 403, 'ND_FORBIDDEN')
  assertProblem(t, await app.inject({ url: `/v1/media/${missingId}/original`, headers: auth }), 404, 'ND_NOT_FOUND')
  assertProblem(t, await app.inject({ url: '/v1/media/nope/original', headers: auth }), 400, 'ND_VALIDATION_FAILED')
  // A row whose original is missing from storage (removed by hand): 404, not a 500.
  await storage.remove(storageKeys.original(media.id))
  assertProblem(t, await app.inject({ url, headers: auth }), 404, 'ND_NOT_FOUND')
})

test('headers, 304, HEAD and the names that are no rendition', async (t) => {
  const { app, db, storage } = await setUp(t)
  const media = await insertMedia(db, storage, await makeImage({ width: 700, height: 400 }))
  const url = urlOf(media, 'w640.webp')
  const res = await app.inject(url)
  t.equal(res.statusCode, 200)
  t.match(res.headers, {
    'content-type': 'image/webp',
    'cache-control': 'public, max-age=31536000, immutable',
    'surrogate-key': `media:${media.id}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    etag: /^"[A-Za-z0-9_-]{27}"$/,
  })
  t.notOk(res.headers['ratelimit-limit'], 'not counted against the request budget')
  const stored = await app.inject(url)
  t.equal(stored.headers.etag, res.headers.etag, 'the same ETag from storage')
  t.equal(sha(stored.rawPayload), sha(res.rawPayload), 'the same bytes')
  t.not((await app.inject(urlOf(media, 'w640.jpg'))).headers.etag, res.headers.etag, 'each file has its own ETag')

  for (const inm of [String(res.headers.etag), `W/${res.headers.etag}`, `"other", ${res.headers.etag}`, '*']) {
    const again = await app.inject({ url, headers: { 'if-none-match': inm } })
    t.equal(again.statusCode, 304, `If-None-Match: ${inm}`)
    t.equal(again.body, '')
    t.match(again.headers, { etag: res.headers.etag, 'cache-control': 'public, max-age=31536000, immutable' })
  }
  t.equal((await app.inject({ url, headers: { 'if-none-match': '"other"' } })).statusCode, 200)

  const head = await app.inject({ method: 'HEAD', url })
  t.equal(head.statusCode, 200)
  t.equal(head.body, '')
  t.equal(head.headers['content-length'], res.headers['content-length'])
  t.equal(head.headers.etag, res.headers.etag)

  const missing = [
    urlOf(media, 'w500.webp'),
    urlOf(media, 'w640.tiff'),
    urlOf(media, 'w640.svg'),
    urlOf(media, 'w640.png'),
    urlOf(media, 'original'),
    urlOf(media, 'w0640.webp'),
    urlOf(media, `16x9-w640.0000000000.webp`),
    urlOf(media, '..%2Foriginal'),
    urlOf(media, '..%2F..%2Fetc%2Fpasswd'),
    `/media/${media.id}%2Fw640.webp`,
    `/media/${media.id.toUpperCase()}/w640.webp`,
    `/media/${missingId}/w640.webp`,
    '/media/not-a-uuid/w640.webp',
    `/media/${media.id}/${'w'.repeat(200)}.webp`,
  ]
  for (const path of missing) {
    const answer = await app.inject(path)
    t.equal(answer.statusCode, 404, path)
    t.match(answer.headers['content-type'], /^application\/problem\+json/)
  }
  assertProblem(t, await app.inject(urlOf(media, 'w640.gif')), 404, 'ND_NOT_FOUND')
  // Refused before routing, as on every path: a NUL character, a segment longer than the router takes.
  assertProblem(t, await app.inject(urlOf(media, 'w640.webp%00')), 400, 'ND_VALIDATION_FAILED')
  t.equal((await app.inject(urlOf(media, 'w'.repeat(300)))).statusCode, 414)
})

test('ten concurrent requests for a missing rendition generate it once; the next is served from storage', async (t) => {
  const puts: string[] = []
  const { app, db, storage } = await setUpWrapped(t, (key) => {
    puts.push(key)
  })
  const media = await insertMedia(db, storage, await makeImage({ width: 2000, height: 1200 }))
  const url = urlOf(media, 'w1600.avif')
  const answers = await Promise.all(Array.from({ length: 10 }, () => app.inject(url)))
  t.same(
    answers.map((a) => a.statusCode),
    Array(10).fill(200),
  )
  t.same(puts, [storageKeys.rendition(media.id, 'w1600.avif')], 'generated and stored once')
  t.equal(new Set(answers.map((a) => sha(a.rawPayload))).size, 1, 'all ten got the same bytes')
  const stored = await storage.get(storageKeys.rendition(media.id, 'w1600.avif'))
  t.equal(stored?.bytes, answers[0]?.rawPayload.length, 'what was stored is what was sent')
  stored?.body.destroy()

  const later = await app.inject(url)
  t.equal(later.statusCode, 200)
  t.equal(puts.length, 1, 'served from storage: no second generation')
  t.equal(sha(later.rawPayload), sha(answers[0]?.rawPayload ?? Buffer.alloc(0)))

  // Different renditions at once: each generated once, all answered.
  const files = ['w320.webp', 'w640.webp', 'w1024.webp', 'w1600.webp', 'w320.jpg', 'w640.jpg']
  const many = await Promise.all(files.flatMap((f) => [app.inject(urlOf(media, f)), app.inject(urlOf(media, f))]))
  t.ok(many.every((a) => a.statusCode === 200))
  t.equal(puts.length, 1 + files.length)
})

test('hits come from the response cache, with the image headers, until content changes', async (t) => {
  const gets: string[] = []
  const dir = await mediaDir(t)
  const storage = createFsStorage(dir)
  const counted: MediaStorage = {
    ...storage,
    get(key) {
      gets.push(key)
      return storage.get(key)
    },
  }
  const database = await createTestDatabase(t)
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'silent', MEDIA_DIR: dir }),
    db: database.db,
    mediaStorage: counted,
  })
  t.teardown(() => app.close())
  await app.ready()
  const media = await insertMedia(database.db, storage, await makeImage({ width: 800, height: 600 }))
  const url = urlOf(media, 'w640.webp')
  const first = await app.inject(url)
  t.equal(first.statusCode, 200)
  t.equal(first.headers.age, undefined, 'a miss')
  // The insert's change notification may arrive after the first read began, which then is not
  // kept: read until an answer is stored (bounded), then count storage reads.
  for (let i = 0; i < 50 && (await app.inject(url)).headers.age === undefined; i++) await setTimeout(20)
  const reads = gets.length

  const hit = await app.inject(url)
  t.equal(hit.statusCode, 200)
  t.equal(hit.headers.age, '0', 'a hit')
  t.equal(gets.length, reads, 'no storage read')
  t.equal(sha(hit.rawPayload), sha(first.rawPayload))
  for (const name of ['content-type', 'etag', 'cache-control', 'surrogate-key', 'content-security-policy']) {
    t.equal(hit.headers[name], first.headers[name], `${name} as on the miss`)
  }
  t.equal(hit.headers['x-content-type-options'], 'nosniff')
  const revalidated = await app.inject({ url, headers: { 'if-none-match': String(first.headers.etag) } })
  t.equal(revalidated.statusCode, 304, 'a hit revalidates too')

  // A change to content (here, to the media table) ends the generation: the next read is a miss.
  await database.db.prisma.media.update({ where: { id: media.id }, data: { alt: 'Changed' } })
  await app.responseCache.prepare()
  app.responseCache.invalidate()
  const after = await app.inject(url)
  t.equal(after.headers.age, undefined, 'read again after a change')
  t.ok(gets.length > reads)
})

test('a record deleted while its rendition is generated: 404, and no file left behind', async (t) => {
  let context: { db: Awaited<ReturnType<typeof setUpWrapped>>['db']; storage: MediaStorage } | undefined
  const { app, db, storage } = await setUpWrapped(t, async (key) => {
    // The delete lands between the generation and the write.
    const id = key.split('/')[0] ?? ''
    await context?.db.prisma.media.delete({ where: { id } })
    await context?.storage.remove(storageKeys.folder(id))
  })
  context = { db, storage }
  const media = await insertMedia(db, storage, await makeImage({ width: 400, height: 300 }))
  const answers = await Promise.all([app.inject(urlOf(media, 'w320.webp')), app.inject(urlOf(media, 'w320.webp'))])
  for (const res of answers) assertProblem(t, res, 404, 'ND_NOT_FOUND')
  t.equal(await storage.get(storageKeys.rendition(media.id, 'w320.webp')), undefined, 'the rendition was removed')
  assertProblem(t, await app.inject(urlOf(media, 'w320.webp')), 404, 'ND_NOT_FOUND')

  // An original gone from storage while its row stays: the rendition is a 404 too.
  const orphan = await insertMedia(db, storage, await makeImage({ width: 400, height: 301 }))
  await storage.remove(storageKeys.original(orphan.id))
  assertProblem(t, await app.inject(urlOf(orphan, 'w320.webp')), 404, 'ND_NOT_FOUND')
})

test('animated GIFs stay animated in GIF and WebP; AVIF shows the first frame', async (t) => {
  const { app, db, storage } = await setUp(t)
  const frames = await Promise.all(
    ['#ff0000', '#00ff00', '#0000ff'].map((background) =>
      sharp({ create: { width: 400, height: 200, channels: 3, background } })
        .png()
        .toBuffer(),
    ),
  )
  const gif = await sharp(frames, { join: { animated: true } })
    .gif()
    .toBuffer()
  const media = await insertMedia(db, storage, gif)
  t.same([media.width, media.height, media.mimeType], [400, 200, 'image/gif'])
  const token = tokenOf(media, 0.5, 0.5)
  for (const [file, pages, width, height] of [
    ['w320.gif', 3, 320, 160],
    ['w320.webp', 3, 320, 160],
    ['w320.avif', 1, 320, 160],
    [`1x1-w200.${token}.gif`, 3, 200, 200],
  ] as const) {
    const res = await app.inject(urlOf(media, file))
    t.equal(res.statusCode, 200, file)
    const meta = await sharp(res.rawPayload, { animated: true }).metadata()
    t.same([meta.pages ?? 1, meta.width, meta.pageHeight ?? meta.height], [pages, width, height], file)
  }
})

test('pictures are turned upright before they are resized and cropped', async (t) => {
  const { app, db, storage } = await setUp(t)
  // Stored 800×400 with the red half on the left; EXIF orientation 6 shows it 400×800, red on top.
  const bytes = await sharp(
    await makeImage({
      width: 800,
      height: 400,
      blocks: [{ left: 0, top: 0, width: 400, height: 400, colour: '#ff0000' }],
    }),
  )
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer()
  const media = await insertMedia(db, storage, bytes)
  t.same([media.width, media.height], [400, 800])
  const res = await app.inject(urlOf(media, 'w320.jpg'))
  const meta = await sharp(res.rawPayload).metadata()
  t.same([meta.width, meta.height], [320, 640])
  const { data } = await sharp(res.rawPayload)
    .extract({ left: 160, top: 10, width: 1, height: 1 })
    .raw()
    .toBuffer({ resolveWithObject: true })
  t.ok((data[0] ?? 0) > 200 && (data[2] ?? 255) < 60, 'red on top')
  const crop = await app.inject(urlOf(media, `1x1-w320.${tokenOf(media, 0.5, 0.5)}.jpg`))
  t.same(
    [(await sharp(crop.rawPayload).metadata()).width, (await sharp(crop.rawPayload).metadata()).height],
    [320, 320],
  )
})

test('records are remembered for as long as content does not change', async (t) => {
  const { db, storage } = await setUp(t)
  const media = await insertMedia(db, storage, await makeImage({ width: 400, height: 300 }))
  let generation: number | null = 1
  const renditions = createRenditionsService(db.prisma, {
    storage,
    maxPixels: 1e8,
    contentGeneration: async () => generation,
  })
  const crop = (x: number) =>
    renditionsOf(shapeOf(media, { x, y: 0.5 })).find((r) => r.aspectRatio === '1x1')?.file ?? ''
  const served = async (file: string) => {
    const answer = await renditions.rendition(media.id, file)
    if (answer.status === 200 && answer.body instanceof Readable) answer.body.destroy()
    return answer.status
  }
  t.equal(await served(crop(0.5)), 200)
  await db.prisma.media.update({ where: { id: media.id }, data: { focalX: 0.2 } })
  t.equal(await served(crop(0.5)), 200, 'remembered: the change has not been notified yet')
  generation = 2
  await t.rejects(served(crop(0.5)), { code: 'ND_NOT_FOUND' }, 'a new generation: read again')
  t.equal(await served(crop(0.2)), 200)

  generation = null
  await db.prisma.media.update({ where: { id: media.id }, data: { focalX: 0.3 } })
  t.equal(await served(crop(0.3)), 200, 'without notifications nothing is remembered')

  // A change lands while the record is read: what was read is not kept.
  let calls = 0
  const racing = createRenditionsService(db.prisma, {
    storage,
    maxPixels: 1e8,
    contentGeneration: async () => (calls++ % 2 === 0 ? 5 : 6),
  })
  const first = await racing.rendition(media.id, 'w320.webp')
  if (first.status === 200 && first.body instanceof Readable) first.body.destroy()
  await db.prisma.media.update({ where: { id: media.id }, data: { focalX: 0.4 } })
  await t.rejects(racing.rendition(media.id, crop(0.3)), { code: 'ND_NOT_FOUND' }, 'read afresh')
})
