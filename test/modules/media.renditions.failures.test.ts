// Renditions that cannot be made, and more misses than an instance queues: a rendition the original
// cannot give fails at once when asked again (no second read of the original, no generation slot),
// and past the waiting generations' cap a miss is a 503 with Retry-After instead of more queued work.
import { setTimeout } from 'node:timers/promises'
import type { LightMyRequestResponse } from 'fastify'
import { test } from 'tap'
import { renditionsOf, storageKeys } from '../../src/modules/media/media.files.js'
import { generationSlots, maxWaitingGenerations } from '../../src/modules/media/media.renditions.js'
import { createFsStorage, type MediaStorage } from '../../src/modules/media/media.storage.js'
import { assertProblem, build, mediaDir } from '../helper.js'
import { insertMedia, makeImage } from './media.helpers.js'

/** Fs storage that counts reads of originals and passes each through `onOriginal` first. */
async function countingStorage(
  t: Parameters<typeof mediaDir>[0],
  onOriginal: () => Promise<boolean> = async () => true,
) {
  const dir = await mediaDir(t)
  const fs = createFsStorage(dir)
  const counts = { originals: 0 }
  const storage: MediaStorage = {
    ...fs,
    async get(key) {
      if (!key.endsWith('/original')) return fs.get(key)
      counts.originals++
      return (await onOriginal()) ? fs.get(key) : undefined
    },
  }
  return { dir, fs, storage, counts }
}

test('a rendition the original cannot give is a 500 ND_RENDITION_FAILED, answered at once when asked again', async (t) => {
  const { dir, fs, storage, counts } = await countingStorage(t)
  const { app, db } = await build(t, { env: { MEDIA_DIR: dir }, mediaStorage: storage })
  const media = await insertMedia(db, fs, await makeImage({ width: 800, height: 600 }))
  // The stored original is damaged after its upload.
  await fs.putBytes(storageKeys.original(media.id), Buffer.from('no longer an image'), 'image/jpeg')

  const first = assertProblem(t, await app.inject(`/media/${media.id}/w640.webp`), 500, 'ND_RENDITION_FAILED')
  t.match(first.detail, /w640\.webp/)
  t.equal(counts.originals, 1)
  const again = await Promise.all([1, 2, 3].map(() => app.inject(`/media/${media.id}/w640.webp`)))
  for (const res of again) assertProblem(t, res, 500, 'ND_RENDITION_FAILED')
  t.equal(counts.originals, 1, 'asked again: the original is not read again')

  // Another rendition is tried on its own (once for concurrent requests), then remembered too.
  const other = await Promise.all([1, 2, 3].map(() => app.inject(`/media/${media.id}/w320.jpg`)))
  for (const res of other) assertProblem(t, res, 500, 'ND_RENDITION_FAILED')
  t.equal(counts.originals, 2)
  t.equal(await fs.get(storageKeys.rendition(media.id, 'w640.webp')), undefined, 'nothing stored')
})

test('past the waiting generations cap a miss is a 503 with Retry-After, and nothing more is queued', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  let gone = false
  const { dir, fs, storage, counts } = await countingStorage(t, async () => {
    await gate
    return !gone
  })
  const { app, db } = await build(t, { env: { MEDIA_DIR: dir }, mediaStorage: storage })
  // About 50 renditions each (up to 5 widths, 3 formats, uncropped and in 3 crops): enough distinct misses.
  const images = await Promise.all(
    ['#102030', '#304050', '#506070'].map((background) => makeImage({ width: 2400, height: 1600, background })),
  )
  const records = await Promise.all(images.map((bytes) => insertMedia(db, fs, bytes)))
  const urls = records.flatMap((m) =>
    renditionsOf({ ...m, focalX: 0.5, focalY: 0.5 }).map((r) => `/media/${m.id}/${r.file}`),
  )
  const flood = urls.slice(0, generationSlots + maxWaitingGenerations + 1)
  t.equal(flood.length, generationSlots + maxWaitingGenerations + 1)

  const answered: LightMyRequestResponse[] = []
  const pending = flood.map((url) =>
    app.inject(url).then((res) => {
      answered.push(res)
      return res
    }),
  )
  for (let i = 0; i < 500 && answered.length === 0; i++) await setTimeout(10)
  t.equal(answered.length, 1, 'one answered while the others wait')
  t.equal(counts.originals, generationSlots, 'only the generations under way read their original')
  const busy = answered[0]
  if (busy) {
    assertProblem(t, busy, 503, 'ND_RENDITIONS_BUSY')
    t.equal(busy.headers['retry-after'], '5')
  }

  // The originals vanish: every generation that waited ends (404) and frees its slot.
  gone = true
  release()
  const rest = (await Promise.all(pending)).filter((res) => res !== busy)
  t.same(new Set(rest.map((res) => res.statusCode)), new Set([404]))
  gone = false
  const later = await app.inject(urls.at(-1) ?? '')
  t.equal(later.statusCode, 200, 'the queue drained: a miss is generated again')
})
