// Media records after the upload: lists and their filters, reads, changes under If-Match, and
// deletes refused while an article, teaser or person uses the image.
import { access, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'tap'
import type { Media } from '../../src/modules/media/media.schemas.js'
import { createFsStorage } from '../../src/modules/media/media.storage.js'
import { assertProblem, build, createKey, json, mediaDir, missingId, type Page, pointers } from '../helper.js'
import { type App, image, uploaded } from './media.helpers.js'

/** The library is read with content:preview (a preview key here). */
let preview: Record<string, string> = {}
const list = async (app: App, query: string) =>
  json<Page<Media>>(await app.inject({ url: `/v1/media?${query}`, headers: preview }))
const ids = (page: Page<Media>) => page.data.map((m) => m.id)

test('media records: lists, filters and pages', async (t) => {
  const { app, db, auth } = await build(t)
  preview = (await createKey(db, ['content:preview'])).headers
  const reader = await createKey(db, ['content:read'])
  const a = await uploaded(app, auth, await image('jpeg'), { caption: 'Sunset over Ararat', credit: 'Anna Hakobyan' })
  const b = await uploaded(app, auth, await image('png'), { alt: 'A 100% clear sky', credit: 'ANNA HAKOBYAN' })
  const c = await uploaded(app, auth, await image('webp'), { caption: 'Market day', credit: 'Reuters' })

  // Images of unpublished stories are in the library, and an id is enough to fetch renditions.
  assertProblem(t, await app.inject({ url: '/v1/media' }), 401, 'ND_UNAUTHORIZED')
  assertProblem(t, await app.inject({ url: '/v1/media', headers: reader.headers }), 403, 'ND_FORBIDDEN')
  assertProblem(t, await app.inject({ url: `/v1/media/${a.id}`, headers: reader.headers }), 403, 'ND_FORBIDDEN')
  const res = await app.inject({ url: '/v1/media', headers: preview })
  t.equal(res.statusCode, 200, 'a newsroom read')
  t.equal(res.headers['surrogate-key'], undefined, 'no shared cache keeps it')
  t.equal(res.headers['cache-control'], 'private, no-store')
  t.same(ids(json<Page<Media>>(res)), [c.id, b.id, a.id], 'newest first by default')
  t.same(ids(await list(app, 'sort=createdAt')), [a.id, b.id, c.id])

  t.same(ids(await list(app, 'q=ararat')), [a.id], 'q in the caption, any case')
  t.same(ids(await list(app, 'q=clear')), [b.id], 'q in the alt text')
  t.same(ids(await list(app, 'q=reuters')), [c.id], 'q in the credit')
  t.same(ids(await list(app, 'q=100%25')), [b.id], 'a % is a character, not a wildcard')
  t.same(ids(await list(app, 'q=zz')), [])
  t.same(ids(await list(app, 'credit=anna%20hakobyan&sort=createdAt')), [a.id, b.id], 'credit: exact, any case')
  t.same(ids(await list(app, 'credit=anna')), [], 'credit is not a substring search')
  t.same(ids(await list(app, 'mimeType=image/png')), [b.id])

  const first = await app.inject({ url: '/v1/media?limit=2', headers: preview })
  const page = json<Page<Media>>(first)
  t.same(ids(page), [c.id, b.id])
  t.match(String(first.headers.link), /rel="next"/)
  const next = await list(app, `limit=2&cursor=${page.page.nextCursor}`)
  t.same(ids(next), [a.id])
  t.equal(next.page.nextCursor, null)
  assertProblem(
    t,
    await app.inject({ url: `/v1/media?sort=createdAt&cursor=${page.page.nextCursor}`, headers: preview }),
    400,
    'ND_INVALID_CURSOR',
  )
  t.same(pointers(t, await app.inject({ url: '/v1/media?mimeType=image/tiff', headers: preview })), ['/mimeType'])

  const one = await app.inject({ url: `/v1/media/${a.id}`, headers: preview })
  t.equal(one.statusCode, 200)
  t.equal(one.headers.etag, '"v1"')
  t.equal(one.headers['cache-control'], 'private, no-store')
  t.same(json(one), a)
  assertProblem(t, await app.inject({ url: `/v1/media/${missingId}`, headers: preview }), 404, 'ND_NOT_FOUND')
  t.same(pointers(t, await app.inject({ url: '/v1/media/not-an-id', headers: preview })), ['/id'])
})

test('media records: changes under If-Match', async (t) => {
  const { app, db, auth } = await build(t)
  preview = auth
  const media = await uploaded(app, auth, await image(), { caption: 'Old caption', credit: 'Old credit' })
  const patch = (payload: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'PATCH', url: `/v1/media/${media.id}`, headers: { ...auth, ...headers }, payload })

  const res = await patch(
    {
      caption: 'New caption',
      credit: 'Photo Desk',
      alt: null,
      focalPoint: { x: 0.2, y: 0.8 },
      capturedAt: '2026-01-02T03:04:05Z',
    },
    { 'if-match': '"v1"' },
  )
  t.equal(res.statusCode, 200)
  t.equal(res.headers.etag, '"v2"')
  t.equal(res.headers['cache-control'], 'private, no-store')
  const changed = json<Media>(res)
  t.match(changed, {
    caption: 'New caption',
    credit: 'Photo Desk',
    alt: null,
    focalPoint: { x: 0.2, y: 0.8 },
    capturedAt: '2026-01-02T03:04:05.000Z',
    version: 2,
    sha256: media.sha256,
  })
  const crops = (m: Media) => m.renditions.filter((r) => r.aspectRatio).map((r) => r.url)
  t.notSame(crops(changed), crops(media), 'a new focal point: new crop URLs')
  t.same(
    changed.renditions.filter((r) => !r.aspectRatio),
    media.renditions.filter((r) => !r.aspectRatio),
    'uncropped URLs stay',
  )
  t.same(ids(await list(app, 'q=new%20caption')), [media.id], 'search follows the change')
  t.same(ids(await list(app, 'credit=photo%20desk')), [media.id])
  t.same(ids(await list(app, 'credit=old%20credit')), [])

  const stale = assertProblem(t, await patch({ alt: 'x' }, { 'if-match': '"v1"' }), 412, 'ND_PRECONDITION_FAILED')
  t.match(stale, { currentVersion: 2, currentEtag: '"v2"' })
  t.equal(json<Media>(await patch({ capturedAt: null })).capturedAt, null, 'without If-Match: applied')
  t.same(pointers(t, await patch({})), [''], 'nothing to change')
  t.same(pointers(t, await patch({ mimeType: 'image/png' })), ['/mimeType'])
  t.same(pointers(t, await patch({ focalPoint: { x: 1.5, y: 0 } })), ['/focalPoint/x'])
  t.same(pointers(t, await patch({ usageTerms: 'u'.repeat(1001) })), ['/usageTerms'])
  assertProblem(
    t,
    await app.inject({ method: 'PATCH', url: `/v1/media/${missingId}`, headers: auth, payload: { alt: 'x' } }),
    404,
    'ND_NOT_FOUND',
  )
  const reader = await createKey(db, ['content:read'])
  assertProblem(
    t,
    await app.inject({ method: 'PATCH', url: `/v1/media/${media.id}`, headers: reader.headers, payload: { alt: 'x' } }),
    403,
    'ND_FORBIDDEN',
  )
  const audit = await db.prisma.auditEntry.findMany({ where: { resourceId: media.id }, orderBy: { at: 'asc' } })
  t.same(
    audit.map((e) => e.action),
    ['create', 'update', 'update'],
  )
})

test('media records: a delete is refused while the image is used, and removes its files', async (t) => {
  const dir = await mediaDir(t)
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir } })
  const media = await uploaded(app, auth)
  const remove = (headers: Record<string, string> = {}) =>
    app.inject({ method: 'DELETE', url: `/v1/media/${media.id}`, headers: { ...auth, ...headers } })
  const article = async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: auth,
      payload: { headline: `Pictured ${Math.random()}`, body: 'A paragraph.' },
    })
    return json<{ id: string }>(res).id
  }
  const lead = await article()
  await db.prisma.article.update({ where: { id: lead }, data: { leadMediaId: media.id } })
  const embeds = await article()
  await db.prisma.articleMedia.create({ data: { articleId: embeds, mediaId: media.id } })
  const collection = await db.prisma.collection.create({ data: { key: 'front', title: 'Front' } })
  const teaser = await db.prisma.teaser.create({
    data: { collectionId: collection.id, text: 'Teaser', position: 0, imageMediaId: media.id },
  })
  const person = json<{ id: string }>(
    await app.inject({ method: 'POST', url: '/v1/people', headers: auth, payload: { name: 'Pictured Person' } }),
  )
  await db.prisma.person.update({ where: { id: person.id }, data: { imageMediaId: media.id } })

  const refused = assertProblem(t, await remove(), 409, 'ND_MEDIA_IN_USE')
  t.same(refused.references, { articles: 2, teasers: 1, people: 1 })

  await db.prisma.person.update({ where: { id: person.id }, data: { imageMediaId: null } })
  await db.prisma.teaser.delete({ where: { id: teaser.id } })
  for (const id of [lead, embeds]) {
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/articles/${id}`, headers: auth })).statusCode, 204)
  }
  assertProblem(t, await remove({ 'if-match': '"v7"' }), 412, 'ND_PRECONDITION_FAILED')
  t.equal((await remove({ 'if-match': '"v1"' })).statusCode, 204, 'deleted articles let go of it')
  t.equal((await db.prisma.article.findUniqueOrThrow({ where: { id: lead } })).leadMediaId, null)
  t.equal(await db.prisma.articleMedia.count(), 0)
  t.equal(await db.prisma.media.count(), 0)
  t.same(await readdir(dir), [], 'its files are gone')
  assertProblem(t, await remove(), 404, 'ND_NOT_FOUND')
  const audit = await db.prisma.auditEntry.findMany({ where: { resourceId: media.id, action: 'delete' } })
  t.equal(audit.length, 1)
})

test('media records: the foreign keys refuse a delete that races a new use', async (t) => {
  const { app, db, auth } = await build(t)
  const media = await uploaded(app, auth)
  const collection = await db.prisma.collection.create({ data: { key: 'race', title: 'Race' } })
  // A use the count cannot see: made by a trigger as the row is deleted, as a concurrent write would be.
  await db.prisma.$executeRawUnsafe(`
    CREATE FUNCTION media_race() RETURNS trigger AS $$
    BEGIN
      INSERT INTO teasers (id, collection_id, text, position, image_media_id, updated_at)
      VALUES (gen_random_uuid(), '${collection.id}', 'Racing', 0, OLD.id, now());
      RETURN OLD;
    END $$ LANGUAGE plpgsql`)
  await db.prisma.$executeRawUnsafe(
    'CREATE TRIGGER media_race BEFORE DELETE ON media FOR EACH ROW EXECUTE FUNCTION media_race()',
  )
  const res = await app.inject({ method: 'DELETE', url: `/v1/media/${media.id}`, headers: auth })
  const problem = assertProblem(t, res, 409, 'ND_MEDIA_IN_USE')
  t.same(problem.references, { articles: 0, teasers: 0, people: 0 }, 'the racing use rolled back with the delete')
  t.equal(await db.prisma.media.count(), 1)
})

test('media records: files that cannot be removed after the delete are logged, not a failure', async (t) => {
  const dir = await mediaDir(t)
  const fs = createFsStorage(dir)
  const failing = { ...fs, remove: async () => Promise.reject(new Error('bucket unreachable')) }
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir }, mediaStorage: failing })
  const media = await uploaded(app, auth)
  const res = await app.inject({ method: 'DELETE', url: `/v1/media/${media.id}`, headers: auth })
  t.equal(res.statusCode, 204)
  t.equal(await db.prisma.media.count(), 0)
  await access(join(dir, media.id, 'original'))
  t.pass('the file is left for an operator (logged)')
  const reader = await createKey(db, ['content:read'])
  const again = await uploaded(app, auth)
  assertProblem(
    t,
    await app.inject({ method: 'DELETE', url: `/v1/media/${again.id}`, headers: reader.headers }),
    403,
    'ND_FORBIDDEN',
  )
  assertProblem(t, await app.inject({ method: 'DELETE', url: `/v1/media/${again.id}` }), 401, 'ND_UNAUTHORIZED')
})
