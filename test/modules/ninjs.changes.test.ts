// GET /v1/changes?format=ninjs: each article event carries the article as of that event (the
// revision of its version), valid ninjs 3.1; public callers never read more than the event shows.
import { test } from 'tap'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import type { NinjsDocument } from '../../src/modules/ninjs/ninjs.schemas.js'
import { assertProblem, build, createKey, json, type Page } from '../helper.js'
import { client, env } from './articles.helpers.js'
import { createMedia } from './media-uses.helpers.js'
import { assertNinjs } from './ninjs.helpers.js'

type Event = ChangeEvent & { ninjs?: NinjsDocument | null }

test('the change feed with ninjs documents as of each event', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = client(app, auth)
  const preview = (await createKey(db, ['content:preview'])).headers
  const partner = (await createKey(db, ['content:syndicate'])).headers
  const feed = async (headers: Record<string, string> = {}, query = 'format=ninjs&limit=100') => {
    const res = await app.inject({ url: `/v1/changes?${query}`, headers })
    t.equal(res.statusCode, 200, 'feed read')
    const events = json<Page<Event>>(res).data
    for (const e of events) if (e.ninjs) assertNinjs(t, e.ninjs, `${e.type} v${e.resource.version}`)
    return events
  }
  const source = await app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: auth,
    payload: { name: 'Wire', kind: 'agency' },
  })
  t.equal(source.statusCode, 201)
  const draft = await api.draft({ headline: 'First headline', body: 'First body', dateline: 'YEREVAN, Monday' })
  await api.action(draft.id, 'publish')
  await api.patch(draft.id, { headline: 'Second headline' })
  await api.patch(draft.id, { body: 'Secret draft body' }) // still public: an update
  await api.action(draft.id, 'unpublish')
  const gone = await api.draft({ headline: 'To be killed', body: 'Wrong' })
  await api.action(gone.id, 'publish')
  const kill = { reason: 'Legal', notice: 'Withdrawn.' }
  t.equal(
    (await app.inject({ method: 'POST', url: `/v1/articles/${gone.id}/kill`, headers: auth, payload: kill }))
      .statusCode,
    204,
  )

  await t.test('public: documents as of each event; a withheld version shows only its status', async (t) => {
    const events = await feed()
    const ofDraft = events.filter((e) => e.resource.id === draft.id)
    t.same(
      ofDraft.map((e) => e.type),
      ['article.published', 'article.updated', 'article.updated', 'article.unpublished'],
    )
    const [published, retitled, rewritten, unpublished] = ofDraft
    t.equal(published?.ninjs?.headlines?.[0]?.value, 'First headline', 'the earlier event keeps the earlier headline')
    t.equal(published?.ninjs?.version, String(published?.resource.version))
    t.equal(published?.ninjs?.pubStatus, 'usable')
    t.equal(published?.ninjs?.located, 'YEREVAN')
    t.equal(retitled?.ninjs?.headlines?.[0]?.value, 'Second headline')
    t.match(retitled?.ninjs?.bodies, [{ contentType: 'text/html', value: '<p>First body</p>' }])
    t.match(rewritten?.ninjs?.bodies, [{ contentType: 'text/html', value: '<p>Secret draft body</p>' }])
    t.equal(unpublished?.ninjs?.pubStatus, 'withheld')
    t.equal(unpublished?.ninjs?.headlines, undefined, 'nothing of a withheld version for the public')
    t.equal(unpublished?.ninjs?.bodies, undefined)
    const killed = events.find((e) => e.type === 'article.killed')
    t.match(killed?.ninjs, { pubStatus: 'canceled', edNote: 'Withdrawn.', uri: `urn:newsdesk:article:${gone.id}` })
    const sourceEvent = events.find((e) => e.resource.type === 'source')
    t.equal(sourceEvent?.ninjs, null, 'other resources carry no document')
    t.notOk(
      events.some((e) => e.type === 'article.created'),
      'drafts stay preview-only',
    )
  })

  await t.test('preview: drafts as withheld with their content', async (t) => {
    const events = await feed(preview)
    const created = events.find((e) => e.type === 'article.created' && e.resource.id === draft.id)
    t.match(created?.ninjs, { pubStatus: 'withheld', headlines: [{ value: 'First headline' }] })
    const unpublished = events.find((e) => e.type === 'article.unpublished')
    t.match(unpublished?.ninjs, { pubStatus: 'withheld', headlines: [{ value: 'Second headline' }] })
  })

  await t.test('a partner key reads no bodies of articles that are not syndicatable', async (t) => {
    const open = await api.draft({ headline: 'Open', body: 'Open body' })
    await api.action(open.id, 'publish')
    const closed = await api.draft({ headline: 'Closed', body: 'Closed body', rights: { allowSyndication: false } })
    await api.action(closed.id, 'publish')
    const events = await feed(partner)
    const of = (id: string) => events.find((e) => e.resource.id === id && e.type === 'article.published')?.ninjs
    t.equal(of(open.id)?.bodies?.length, 2)
    t.equal(of(closed.id)?.bodies, undefined)
    t.equal((await feed())?.find((e) => e.resource.id === closed.id)?.ninjs?.bodies?.length, 2)
  })

  await t.test('without format (or format=json) events carry no ninjs; a bogus format is a 400', async (t) => {
    const plain = await feed({}, 'limit=5')
    t.ok(plain.every((e) => !('ninjs' in e)))
    assertProblem(t, await app.inject({ url: '/v1/changes?format=xml' }), 400, 'ND_VALIDATION_FAILED')
  })
})

test('images: absolute hrefs on PUBLIC_URL, none without a base; lead images by URL; body images in the feed', async (t) => {
  const withBase = await build(t, { env: { ...env, PUBLIC_URL: 'https://api.example.com' } })
  const without = await build(t, { env })
  for (const [name, { app, db, auth }] of [
    ['PUBLIC_URL', withBase],
    ['no base', without],
  ] as const) {
    const api = client(app, auth)
    const media = await createMedia(db, { caption: 'Record caption' })
    const byMedia = await api.draft({
      headline: 'By media',
      body: `Text\n\n![A body image](media:${media.id})`,
      dateline: 'Sunday, September 27',
      leadImage: { media: media.id, caption: 'Own caption', credit: 'Own credit' },
    })
    await api.action(byMedia.id, 'publish')
    const byUrl = await api.draft({
      headline: 'By URL',
      body: 'Text',
      leadImage: { url: 'https://images.example.com/a.jpg' },
    })
    await api.action(byUrl.id, 'publish')
    const read = async (id: string) =>
      assertNinjs(t, json(await app.inject({ url: `/v1/articles/${id}?format=ninjs` })), `${name}: read`)
    const lead = (await read(byMedia.id)).associations?.[0]
    t.match(lead, { uri: `urn:newsdesk:media:${media.id}`, by: 'Own credit' }, name)
    t.same(lead?.descriptions, [{ role: 'caption', contentType: 'text/plain', value: 'Own caption' }])
    const hrefs = lead?.renditions.map((r) => r.href) ?? []
    if (name === 'PUBLIC_URL')
      t.ok(
        hrefs.every((h) => h?.startsWith('https://api.example.com/media/')),
        name,
      )
    else
      t.ok(
        hrefs.every((h) => h === undefined),
        `${name}: relative hrefs are left out`,
      )
    t.equal((await read(byMedia.id)).located, undefined, 'a dateline that starts with a date names no place')
    t.same((await read(byUrl.id)).associations, [
      {
        name: 'leadImage',
        rel: 'leadImage',
        uri: 'https://images.example.com/a.jpg',
        type: 'picture',
        renditions: [{ name: 'original', href: 'https://images.example.com/a.jpg' }],
      },
    ])
    const res = await app.inject({ url: '/v1/changes?format=ninjs&limit=100&types=article.published' })
    const events = json<Page<Event>>(res).data
    const published = events.find((e) => e.resource.id === byMedia.id)?.ninjs
    assertNinjs(t, published, `${name}: feed`)
    t.match(published?.associations?.[0], { uri: `urn:newsdesk:media:${media.id}`, by: 'Own credit' })
    t.match(published?.bodies?.[0]?.value, /<img /, 'body images rendered from the media records')
  }
})
