// Teasers referring to media records: a teaser's image by media id (alt override, unknown ids,
// clearing, history), its article's lead image from the media library, surrogate keys, and that a
// box reads its media without a statement per teaser.
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { renditionUrl } from '../../src/modules/media/media.files.js'
import { build, createKey, json } from '../helper.js'
import { client as articles } from './articles.helpers.js'
import { assertProblem, type Box, client, missingId, type Teaser } from './collections.helpers.js'
import { createMedia, readingMedia, statementsDuring } from './media-uses.helpers.js'

const env = { RATE_LIMIT_ANONYMOUS_MAX: '1000000', RATE_LIMIT_MAX: '1000000', RESPONSE_CACHE_MB: '0' }

test('teaser images from the media library', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = client(app, auth)
  const preview = (await createKey(db, ['content:preview'])).headers
  t.equal((await api.createCollection({ key: 'media-box', title: 'Media box' })).statusCode, 201)
  const media = await createMedia(db, { alt: 'Own alt' })
  const before = new Date().toISOString()

  const added = await api.link(t, 'media-box', 'Pictured', { image: { media: media.id } })
  t.equal(added.image?.url, renditionUrl(undefined, media.id, 'w1600.webp'))
  t.equal(added.image?.alt, 'Own alt', "the record's alt when the teaser has none")
  t.equal(added.image?.media?.mediaId, media.id)
  t.equal((await db.prisma.teaser.findUniqueOrThrow({ where: { id: added.id } })).imageMediaId, media.id)

  const alt = await api.patchTeaser(added.id, { image: { media: media.id, alt: 'Teaser alt' } })
  t.equal(alt.statusCode, 200, 'alt override accepted')
  t.equal(json<Teaser>(alt).image?.alt, 'Teaser alt')
  t.equal(json<Teaser>(alt).image?.media?.alt, 'Own alt')

  const box = await api.box('media-box')
  const [shown] = json<Box>(box).data
  t.equal(shown?.image?.media?.mediaId, media.id, 'the public box shows it')
  t.ok(String(box.headers['surrogate-key']).split(' ').includes(`media:${media.id}`), 'surrogate key of the media')
  t.same(json<Teaser>(await api.getTeaser(added.id)).image, shown?.image)

  const unknown = await api.patchTeaser(added.id, { image: { media: missingId } })
  t.equal(assertProblem(t, unknown, 422, 'ND_REFERENCE_MISSING').field, 'image/media')
  const both = await api.patchTeaser(added.id, { image: { media: media.id, url: 'https://example.com/i.jpg' } })
  t.equal(assertProblem(t, both, 400, 'ND_VALIDATION_FAILED').errors?.[0]?.pointer, '/image/media')
  const neither = await api.patchTeaser(added.id, { image: { alt: 'alone' } })
  t.equal(assertProblem(t, neither, 400, 'ND_VALIDATION_FAILED').errors?.[0]?.pointer, '/image/url')
  const unknownAdd = await api.add('media-box', {
    text: 'No',
    url: 'https://example.com/no',
    image: { media: missingId },
  })
  assertProblem(t, unknownAdd, 422, 'ND_REFERENCE_MISSING')

  // The line-up as it was keeps its image (read back from history).
  const captured = new Date().toISOString()
  const byUrl = json<Teaser>(await api.patchTeaser(added.id, { image: { url: 'https://example.com/i.jpg' } }))
  t.same(byUrl.image, { url: 'https://example.com/i.jpg', alt: null })
  t.equal((await db.prisma.teaser.findUniqueOrThrow({ where: { id: added.id } })).imageMediaId, null)
  const then = json<Box>(await api.box('media-box', preview, `?at=${encodeURIComponent(captured)}`)).data
  t.equal(then[0]?.image?.media?.mediaId, media.id, 'history shows the media image')
  t.equal(then[0]?.image?.alt, 'Teaser alt')
  // A line-up recorded before teasers had media images reads back without one.
  const recorded = await db.prisma.collectionEvent.findMany({ where: { teaserId: added.id } })
  for (const event of recorded) {
    const lineup = (event.lineup as Record<string, unknown>[]).map(({ imageMediaId: _m, ...entry }) => entry)
    await db.prisma.collectionEvent.update({ where: { id: event.id }, data: { lineup: lineup as object[] } })
  }
  const older = json<Box>(await api.box('media-box', preview, `?at=${encodeURIComponent(captured)}`)).data
  t.equal(older[0]?.image, null, 'an old line-up entry: no image')
  const earlier = json<Box>(await api.box('media-box', preview, `?at=${encodeURIComponent(before)}`)).data
  t.same(earlier, [], 'before the teaser: an empty box')
  const cleared = json<Teaser>(await api.patchTeaser(added.id, { image: null }))
  t.equal(cleared.image, null)
})

test("a teaser's article shows its media lead image; a box has no statement per teaser", async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = client(app, auth)
  const write = articles(app, auth)
  // Teasers with media images and articles with media lead images: one of each, then three.
  for (const [key, count] of [
    ['one-box', 1],
    ['three-box', 3],
  ] as const) {
    t.equal((await api.createCollection({ key, title: key })).statusCode, 201)
    for (let i = 0; i < count; i++) {
      const media = await createMedia(db, { caption: `Caption ${i}` })
      const article: Article = await write.draft({ headline: `${key} ${i}`, leadImage: { media: media.id } })
      const image = { media: (await createMedia(db)).id }
      await api.link(t, key, `${key} ${i}`, { url: null, articleId: article.id, image })
    }
  }
  const preview = (await createKey(db, ['content:preview'])).headers
  const counts: number[] = []
  let three: Box | undefined
  for (const key of ['one-box', 'three-box']) {
    const statements = await statementsDuring(async () => {
      const res = await api.box(key, preview)
      t.equal(res.statusCode, 200)
      three = json<Box>(res)
    })
    counts.push(readingMedia(statements).length)
  }
  t.same(counts, [1, 1], 'one statement for the whole box, images and articles’ lead images, however many teasers')
  t.equal(three?.data.length, 3)
  const lead = three?.data[0]?.article?.leadImage
  t.equal(lead?.caption, 'Caption 0')
  t.match(lead?.url, /\/w1600\.webp$/)
  t.ok(lead?.media?.mediaId)
  t.ok(String(three?.data[0]?.image?.media?.mediaId))
})
