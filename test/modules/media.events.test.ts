// Media records in the change feed and webhooks: media.created, media.updated (changedFields) and
// media.deleted with their surrogate keys, preview-only unless public content shows the image (a
// public article's lead or body image, a person, a teaser a box shows), written in the change's
// transaction, and no new article versions when an image they show changes.
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import type { Media } from '../../src/modules/media/media.schemas.js'
import type { Person } from '../../src/modules/people/people.schemas.js'
import { assertProblem, build, createKey, json, testClock } from '../helper.js'
import { client as articles } from './articles.helpers.js'
import { client as collections } from './collections.helpers.js'
import { uploaded } from './media.helpers.js'
import { createMedia } from './media-uses.helpers.js'
import { type DeliveryBody, resolveHost, type WebhookBody } from './webhooks.helpers.js'

const env = {
  RATE_LIMIT_ANONYMOUS_MAX: '1000000',
  RATE_LIMIT_MAX: '1000000',
  RESPONSE_CACHE_MB: '0',
  WEBHOOK_WORKER: 'false',
}

type Headers = Record<string, string>
type App = Awaited<ReturnType<typeof build>>['app']

/** The media events of the feed as these credentials see it. */
async function mediaEvents(app: App, headers: Headers = {}): Promise<ChangeEvent[]> {
  const res = await app.inject({ url: '/v1/changes?resource=media&limit=100', headers })
  return json<{ data: ChangeEvent[] }>(res).data
}

const lines = (events: ChangeEvent[]) => events.map((e) => `${e.type} v${e.resource.version}`)

test('media events: what a change says, and who learns of it', async (t) => {
  const clock = testClock(new Date('2031-03-02T08:00:00.000Z'))
  const { app, db, auth } = await build(t, { env, clock, resolveHost })
  const previewer = (await createKey(db, ['content:preview'])).headers
  const hook = async (scopes: ('content:read' | 'content:preview')[]) => {
    const key = await createKey(db, ['webhooks:manage', ...scopes])
    const res = await app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: key.headers,
      payload: { url: 'https://hooks.example.com/media', events: ['media.*'] },
    })
    t.equal(res.statusCode, 201, res.body)
    const body = json<WebhookBody>(res)
    const deliveries = async () => {
      const list = await app.inject({ url: `/v1/webhooks/${body.id}/deliveries?limit=100`, headers: key.headers })
      return json<{ data: DeliveryBody[] }>(list).data.map((d) => d.eventType)
    }
    return { body, deliveries }
  }
  const publicHook = await hook(['content:read'])
  const draftHook = await hook(['content:preview'])
  t.equal(publicHook.body.receivesDrafts, false)
  t.equal(draftHook.body.receivesDrafts, true)

  const media = await uploaded(app, auth, undefined, { caption: 'Before' })
  const patch = (payload: object, headers: Headers = {}) =>
    app.inject({ method: 'PATCH', url: `/v1/media/${media.id}`, headers: { ...auth, ...headers }, payload })

  await t.test('an image nothing public shows: preview scopes only', async (t) => {
    clock.advance(1000)
    const res = await patch({ caption: 'After', focalPoint: { x: 0.25, y: 0.75 } }, { 'if-match': '"v1"' })
    t.equal(res.statusCode, 200)
    const [created, updated] = await mediaEvents(app, previewer)
    const resource = { type: 'media', id: media.id, slug: null }
    const surrogateKeys = ['media', `media:${media.id}`]
    t.match(created, { type: 'media.created', resource: { ...resource, version: 1 }, surrogateKeys })
    t.ok(created?.changedFields.includes('caption') && created.changedFields.includes('focalPoint'), 'every field')
    t.equal(created?.occurredAt, '2031-03-02T08:00:00.000Z', 'at the upload')
    t.same(updated, {
      id: updated?.id,
      type: 'media.updated',
      occurredAt: clock().toISOString(),
      resource: { ...resource, version: 2 },
      changedFields: ['caption', 'focalPoint'],
      surrogateKeys,
      data: null,
    })

    t.same(await mediaEvents(app), [], 'not in the public feed')
    const publicFeed = await app.inject('/v1/changes?limit=100')
    t.equal(publicFeed.statusCode, 200)
    t.notMatch(publicFeed.body, media.id, 'which never names the image')
    t.same(await publicHook.deliveries(), [], 'nor sent to a webhook without drafts')
    t.same(await draftHook.deliveries(), ['media.updated', 'media.created'], 'sent with drafts')
  })

  const api = articles(app, auth)
  const article = await api.draft({ headline: 'Pictured', body: 'Text.', leadImage: { media: media.id } })

  await t.test('the lead image of a draft stays hidden; of a published article, public', async (t) => {
    t.equal((await patch({ alt: 'Draft alt' })).statusCode, 200)
    t.same(lines(await mediaEvents(app)), [], 'a draft shows nothing')
    t.equal((await api.action(article.id, 'publish')).statusCode, 200)
    const published = json<Article>(await api.get(article.id, auth))

    clock.advance(1000)
    t.equal((await patch({ credit: 'Agency', usageTerms: null })).statusCode, 200)
    const shown = await mediaEvents(app)
    t.same(lines(shown), ['media.updated v4'], 'the next change is public')
    t.same(shown[0]?.changedFields, ['credit', 'usageTerms'])
    t.same(shown[0]?.surrogateKeys, ['media', `media:${media.id}`])
    t.same(await publicHook.deliveries(), ['media.updated'])

    const read = await api.get(article.id)
    t.ok(String(read.headers['surrogate-key']).split(' ').includes(`media:${media.id}`), 'which purges the article')
    t.equal(json<Article>(read).leadImage?.media?.credit, 'Agency', 'whose JSON shows the change')
    t.equal(json<Article>(read).version, published.version, 'with no new version of the article')
    const articleEvents = await app.inject({ url: '/v1/changes?resource=article&limit=100', headers: previewer })
    t.same(
      json<{ data: ChangeEvent[] }>(articleEvents).data.map((e) => e.type),
      ['article.created', 'article.published'],
      'nor an article event',
    )
  })

  await t.test('delete: preview-only, with the last version and the keys to purge', async (t) => {
    t.equal((await api.remove(article.id)).statusCode, 204)
    const res = await app.inject({ method: 'DELETE', url: `/v1/media/${media.id}`, headers: auth })
    t.equal(res.statusCode, 204, res.body)
    const all = await mediaEvents(app, previewer)
    t.match(all.at(-1), {
      type: 'media.deleted',
      resource: { type: 'media', id: media.id, slug: null, version: 4 },
      changedFields: [],
      surrogateKeys: ['media', `media:${media.id}`],
    })
    t.same(lines(await mediaEvents(app)), ['media.updated v4'], 'the public feed never hears of it')
    t.same(await publicHook.deliveries(), ['media.updated'])
    t.equal((await draftHook.deliveries()).length, 5)
  })
})

test('media events: body images, people and teasers make an image public', async (t) => {
  const clock = testClock(new Date('2031-03-02T08:00:00.000Z'))
  const { app, db, auth } = await build(t, { env, clock })
  const update = async (id: string, alt: string) => {
    const res = await app.inject({ method: 'PATCH', url: `/v1/media/${id}`, headers: auth, payload: { alt } })
    t.equal(res.statusCode, 200, `PATCH ${alt}`)
  }
  const publicIds = async () => (await mediaEvents(app)).map((e) => e.resource.id)

  const inBody = await createMedia(db)
  const api = articles(app, auth)
  const article = await api.draft({ headline: 'Embedded', body: `Text.\n\n![](media:${inBody.id})` })
  t.equal((await api.action(article.id, 'publish')).statusCode, 200)
  await update(inBody.id, 'Body image')

  const portrait = await createMedia(db)
  const person = await app.inject({
    method: 'POST',
    url: '/v1/people',
    headers: auth,
    payload: { name: 'Ani Pictured', image: portrait.id },
  })
  t.equal(person.statusCode, 201)
  t.equal(json<Person>(person).image?.mediaId, portrait.id)
  await update(portrait.id, 'Portrait')

  const boxes = collections(app, auth)
  t.equal((await boxes.createCollection({ key: 'front', title: 'Front' })).statusCode, 201)
  const later = await createMedia(db)
  const startsAt = new Date(clock().getTime() + 3_600_000).toISOString()
  await boxes.link(t, 'front', 'Later', { image: { media: later.id }, startsAt })
  await update(later.id, 'Not yet')
  const hidden = await createMedia(db)
  const draft = await api.draft({ headline: 'Secret', body: 'Text.' })
  await boxes.link(t, 'front', 'Hidden', { articleId: draft.id, url: undefined, image: { media: hidden.id } })
  await update(hidden.id, 'Teaser of a draft')
  t.equal((await boxes.createCollection({ key: 'narrow', title: 'Narrow', maxItems: 1 })).statusCode, 201)
  await boxes.link(t, 'narrow', 'Shown')
  const over = await createMedia(db)
  await boxes.link(t, 'narrow', 'Over', { image: { media: over.id } })
  await update(over.id, 'Over the cap')

  t.same(
    await publicIds(),
    [inBody.id, portrait.id],
    'a body image and a portrait; no hidden teaser, none over the cap',
  )
  clock.advance(3_600_000)
  await update(later.id, 'Now shown')
  t.same(await publicIds(), [inBody.id, portrait.id, later.id], 'the teaser once its window opened')
})

test('media events: written in the change’s transaction', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const media: Media = await uploaded(app, auth)
  const state = async () => ({
    events: await db.prisma.changeEvent.count(),
    audit: await db.prisma.auditEntry.count(),
    version: (await db.prisma.media.findUniqueOrThrow({ where: { id: media.id } })).version,
  })
  const start = await state()
  t.equal(start.events, 1, 'media.created')
  const refuse = async (table: string, when: string) => {
    await db.prisma.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused'; END $$`)
    await db.prisma.$executeRawUnsafe(
      `CREATE TRIGGER refuse_write BEFORE ${when} ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_write()`,
    )
    const res = await app.inject({
      method: 'PATCH',
      url: `/v1/media/${media.id}`,
      headers: auth,
      payload: { alt: 'x' },
    })
    await db.prisma.$executeRawUnsafe(`DROP TRIGGER refuse_write ON ${table}`)
    return res
  }
  assertProblem(t, await refuse('change_events', 'INSERT'), 500, 'ND_INTERNAL')
  t.same(await state(), start, 'an event that fails undoes the change and its audit entry')
  assertProblem(t, await refuse('media', 'UPDATE'), 500, 'ND_INTERNAL')
  t.same(await state(), start, 'a change that fails writes no event')
})
