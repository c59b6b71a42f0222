// The box (GET /v1/collections/{key}/teasers) over time, with an injected clock: history and the box
// as it was, HTTP caching, teasers following their articles' visibility, time windows and the cap.
import { test } from 'tap'
import { seed } from '../../src/seed/seed.js'
import { build, createKey, json, type Page, testClock } from '../helper.js'
import {
  assertProblem,
  type Box,
  client,
  type Headers,
  type HistoryEntry,
  pointers,
  type Teaser,
  topStoriesOnThePage,
} from './collections.helpers.js'

const env = { RATE_LIMIT_ANONYMOUS_MAX: '100000' }
const minute = 60_000
const publicCache = 'public, max-age=60, stale-while-revalidate=300'

test('the box over time', async (t) => {
  // Far from the real time: anything that read the wall clock instead of the app's would show.
  const clock = testClock(new Date('2031-03-01T12:00:00.000Z'))
  const { app, db, auth, writer } = await build(t, { clock, env })
  await seed(db.prisma)
  const api = client(app, auth)
  const preview = await createKey(db, ['content:preview'])
  const reader = await createKey(db, ['content:read'])
  const iso = (ms: number) => new Date(ms).toISOString()

  /** Texts of the public box, or [text, hiddenReason] pairs of the preview box. */
  const publicTexts = async (key: string) => json<Box>(await api.box(key)).data.map((d) => d.text)
  const previewState = async (key: string) =>
    json<Box>(await api.box(key, preview.headers)).data.map((d) => [d.text, d.visible, d.hiddenReason ?? null])
  const article = (id: string, action: 'publish' | 'unpublish' | 'archive', payload?: object) =>
    app.inject({
      method: 'POST',
      url: `/v1/articles/${id}/${action}`,
      headers: auth,
      ...(payload ? { payload } : {}),
    })

  await t.test('history: every change with who made it and the line-up after; the box as it was', async (t) => {
    const seeded = json<Box>(await api.box('top-stories', preview.headers)).data.map((d) => d.id)
    const [s0, s1, s2, s3] = seeded as [string, string, string, string]
    assertProblem(t, await api.history('top-stories', {}), 401, 'ND_UNAUTHORIZED')
    assertProblem(t, await api.history('top-stories', reader.headers), 403, 'ND_FORBIDDEN')
    assertProblem(t, await api.history('no-such-box', preview.headers), 404, 'ND_NOT_FOUND')

    const first = await api.history('top-stories', preview.headers)
    t.equal(first.statusCode, 200)
    t.equal(first.headers['cache-control'], 'private, no-store')
    const [seedEvent] = json<Page<HistoryEntry>>(first).data
    t.match(seedEvent, { action: 'seed', teaserId: null, keyId: null, requestId: 'seed', teaserIds: seeded })
    t.equal(json<Page<HistoryEntry>>(first).data.length, 1, 'history starts with the seeded line-up')

    const captured = clock().toISOString()
    clock.advance(minute)
    const addRes = await api.add('top-stories', { text: 'Added', url: 'https://example.com/added', position: 1 })
    t.equal(addRes.statusCode, 201)
    const added = json<Teaser>(addRes).id
    clock.advance(minute)
    t.equal((await api.deleteTeaser(s3)).statusCode, 204)
    clock.advance(minute)
    t.equal((await api.reorder('top-stories', [s2, s1, added, s0])).statusCode, 200)
    clock.advance(minute)
    t.equal((await api.patchTeaser(s0, { pinned: true })).statusCode, 200)
    clock.advance(minute)
    t.equal((await api.patchTeaser(s1, { position: 3 })).statusCode, 200)
    clock.advance(minute)
    t.equal((await api.patchTeaser(s2, { title: 'A title' })).statusCode, 200)

    const history = json<Page<HistoryEntry>>(await api.history('top-stories', preview.headers)).data
    t.same(
      history.map((e) => [e.action, e.teaserId, e.keyId]),
      [
        ['update', s2, writer.id],
        ['move', s1, writer.id],
        ['pin', s0, writer.id],
        ['reorder', null, writer.id],
        ['remove', s3, writer.id],
        ['add', added, writer.id],
        ['seed', null, null],
      ],
      'newest first, each with its action, teaser and key',
    )
    t.same(
      history.map((e) => e.teaserIds),
      [
        [s0, s2, added, s1],
        [s0, s2, added, s1],
        [s0, s2, s1, added],
        [s2, s1, added, s0],
        [s0, added, s1, s2],
        [s0, added, s1, s2, s3],
        seeded,
      ],
      'each with the line-up after it',
    )
    t.same(
      history.map((e) => e.at),
      [6, 5, 4, 3, 2, 1].map((m) => iso(Date.parse(captured) + m * minute)).concat(seedEvent?.at ?? ''),
      'at the time of the app clock',
    )
    t.equal(history[5]?.requestId, addRes.headers['x-request-id'], 'with the request that made it')

    const page1 = await api.history('top-stories', preview.headers, '?limit=3')
    const body1 = json<Page<HistoryEntry>>(page1)
    t.same(
      body1.data.map((e) => e.action),
      ['update', 'move', 'pin'],
    )
    const page2 = json<Page<HistoryEntry>>(
      await api.history(
        'top-stories',
        preview.headers,
        `?limit=3&cursor=${encodeURIComponent(String(body1.page.nextCursor))}`,
      ),
    )
    t.same(
      page2.data.map((e) => e.action),
      ['reorder', 'remove', 'add'],
    )

    const at = (when: string, headers: Headers = preview.headers) =>
      api.box('top-stories', headers, `?at=${encodeURIComponent(when)}`)
    const then = await at(captured)
    t.equal(then.statusCode, 200)
    t.equal(then.headers['cache-control'], 'private, no-store')
    const seededBox = json<Box>(then).data
    t.same(
      seededBox.map((d) => d.id),
      seeded,
      'at the captured time: the seeded four, in the seeded order',
    )
    t.same(
      seededBox.map((d) => d.text),
      await topStoriesOnThePage(),
    )
    t.same(
      seededBox.map((d) => [d.position, d.visible]),
      [
        [0, true],
        [1, true],
        [2, true],
        [3, true],
      ],
    )
    t.equal(seededBox[0]?.article?.slug, 'azerbaijan-192-troops-killed-511-wounded-in-offensive', 'articles embedded')
    t.same(
      json<Box>(await at(iso(Date.parse(captured) + minute + 30_000))).data.map((d) => [d.id, d.hiddenReason ?? null]),
      [
        [s0, null],
        [added, null],
        [s1, null],
        [s2, null],
        [s3, 'over-limit'],
      ],
      'between the add and the remove: five, the last over the cap',
    )
    t.same(
      json<Box>(await at(iso(Date.parse(captured) + 3 * minute))).data.map((d) => d.id),
      [s2, s1, added, s0],
      'exactly at the reorder: the reordered line-up',
    )
    t.same(json<Box>(await at(iso(Date.parse(seedEvent?.at as string) - 1))).data, [], 'before the first event: empty')
    t.same(
      json<Box>(await at(seedEvent?.at as string)).data.map((d) => d.id),
      seeded,
      'at the seed: the seed',
    )

    assertProblem(t, await at(captured, {}), 403, 'ND_FORBIDDEN')
    assertProblem(t, await at(captured, reader.headers), 403, 'ND_FORBIDDEN')
    t.same(pointers(t, await at('yesterday')), ['/at'])
    t.same(pointers(t, await api.box('top-stories', preview.headers, '?since=2020-01-01T00:00:00Z')), ['/since'])
    assertProblem(
      t,
      await api.box('no-such-box', preview.headers, `?at=${encodeURIComponent(captured)}`),
      404,
      'ND_NOT_FOUND',
    )
  })

  await t.test('HTTP: cache headers, surrogate keys, ETags and 304s', async (t) => {
    const res = await api.box('top-stories')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], publicCache)
    t.match(String(res.headers.vary), /authorization/i)
    t.type(res.headers['last-modified'], 'string')
    const box = json<Box>(res).data
    t.ok(box.length > 0)
    const keys = String(res.headers['surrogate-key']).split(' ')
    t.ok(keys.includes('collection:top-stories'), 'the collection')
    for (const teaser of box) {
      t.ok(keys.includes(`teaser:${teaser.id}`), 'each teaser')
      // `articles` purges the box when an embedded article changes: no key per article.
      if (teaser.articleId) t.notOk(keys.includes(`article:${teaser.articleId}`), 'no key per embedded article')
    }
    t.ok(keys.includes('articles'), 'every article change purges the box')
    t.equal(
      (await api.box('top-stories', reader.headers)).headers['cache-control'],
      publicCache,
      'content:read sees the public box',
    )
    for (const headers of [preview.headers, auth]) {
      const own = await api.box('top-stories', headers)
      t.equal(own.headers['cache-control'], 'private, no-store', 'the preview is not cached')
    }

    const etag = String(res.headers.etag)
    t.ok(etag)
    const notModified = await api.box('top-stories', { 'if-none-match': etag })
    t.equal(notModified.statusCode, 304)
    t.equal(notModified.body, '')
    t.equal((await api.box('top-stories')).headers.etag, etag, 'the same box, the same ETag')

    const ids = json<Box>(await api.box('top-stories', auth)).data.map((d) => d.id)
    t.equal((await api.reorder('top-stories', [...ids].reverse())).statusCode, 200)
    const reordered = await api.box('top-stories', { 'if-none-match': etag })
    t.equal(reordered.statusCode, 200, 'after a reorder the old ETag does not match')
    const etag2 = String(reordered.headers.etag)
    t.not(etag2, etag)

    const embedded = json<Box>(reordered).data.find((d) => d.articleId) as Teaser
    const patched = await app.inject({
      method: 'PATCH',
      url: `/v1/articles/${embedded.articleId}`,
      headers: auth,
      payload: { headline: 'A changed headline' },
    })
    t.equal(patched.statusCode, 200)
    const afterEdit = await api.box('top-stories', { 'if-none-match': etag2 })
    t.equal(afterEdit.statusCode, 200, "after an embedded article's edit the old ETag does not match")
    t.not(afterEdit.headers.etag, etag2)
    t.equal(json<Box>(afterEdit).data.find((d) => d.id === embedded.id)?.article?.headline, 'A changed headline')

    // A window that opens within 60 s shortens the time a shared cache may keep the box.
    t.equal((await api.createCollection({ key: 'soon', title: 'Soon' })).statusCode, 201)
    await api.link(t, 'soon', 'Always')
    await api.link(t, 'soon', 'Soon', { startsAt: iso(clock().getTime() + 30_000) })
    const before = await api.box('soon')
    t.equal(before.headers['cache-control'], 'public, max-age=30, stale-while-revalidate=0')
    t.same(
      json<Box>(before).data.map((d) => d.text),
      ['Always'],
    )
    t.equal(
      (await api.box('soon', preview.headers)).headers['cache-control'],
      'private, no-store',
      'the preview stays private',
    )
    clock.advance(10_000)
    // 20 s of freshness left: max-age=20, or (an answer kept by the response cache) max-age=30 with Age: 10.
    const later = await api.box('soon')
    const maxAge = Number(
      /^public, max-age=(\d+), stale-while-revalidate=0$/.exec(String(later.headers['cache-control']))?.[1],
    )
    t.equal(maxAge - Number(later.headers.age ?? 0), 20, 'a shared cache may keep it 20 s more')
    const etag3 = String((await api.box('soon')).headers.etag)
    clock.advance(20_000)
    const opened = await api.box('soon', { 'if-none-match': etag3 })
    t.equal(opened.statusCode, 200, 'when the window opens the ETag changes')
    t.not(opened.headers.etag, etag3)
    t.same(
      json<Box>(opened).data.map((d) => d.text),
      ['Always', 'Soon'],
    )
    t.equal(opened.headers['cache-control'], publicCache, 'nothing due: the usual max-age')

    const closing = await api.link(t, 'soon', 'Closing', { endsAt: iso(clock().getTime() + 45_000) })
    t.equal((await api.box('soon')).headers['cache-control'], 'public, max-age=45, stale-while-revalidate=0')
    clock.advance(45_000)
    t.same(await publicTexts('soon'), ['Always', 'Soon'], `${closing.text} has closed`)
    await api.link(t, 'soon', 'Later', { startsAt: iso(clock().getTime() + 90_000) })
    t.equal((await api.box('soon')).headers['cache-control'], publicCache, 'a change 90 s away: the usual max-age')

    const draft = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: auth,
      payload: { headline: 'Going live soon', body: 'Copy.' },
    })
    const draftId = json<{ id: string }>(draft).id
    await api.add('soon', { text: 'Scheduled', articleId: draftId, position: 0 })
    t.equal((await article(draftId, 'publish', { publishAt: iso(clock().getTime() + 20_000) })).statusCode, 200)
    t.equal(
      (await api.box('soon')).headers['cache-control'],
      'public, max-age=20, stale-while-revalidate=0',
      'an article going live within 60 s',
    )
    clock.advance(20_000)
    t.same(await publicTexts('soon'), ['Scheduled', 'Always', 'Soon'])
  })

  await t.test('teasers follow their articles: unpublished, scheduled, deleted', async (t) => {
    t.equal((await api.createCollection({ key: 'vis', title: 'Visibility' })).statusCode, 201)
    const slugs = [
      'azerbaijan-192-troops-killed-511-wounded-in-offensive',
      'azerbaijan-to-raise-defense-budget-in-2023',
      'bill-targets-broad-interpretation-of-compatriot',
      'earthquake-causes-temporary-blackout',
    ]
    const ids: string[] = []
    for (const [i, slug] of slugs.entries()) {
      const { id } = await db.prisma.article.findUniqueOrThrow({ where: { slug } })
      ids.push(id)
      t.equal((await api.add('vis', { text: `T${i + 1}`, articleId: id })).statusCode, 201)
    }
    const [a1, a2, a3, a4] = ids as [string, string, string, string]
    t.same(await publicTexts('vis'), ['T1', 'T2', 'T3', 'T4'])

    t.equal((await article(a2, 'unpublish')).statusCode, 200)
    t.same(await publicTexts('vis'), ['T1', 'T3', 'T4'], 'unpublished: gone from the public box')
    t.same((await previewState('vis'))[1], ['T2', false, 'article-not-public'], 'the preview says why')
    t.equal((await article(a2, 'publish')).statusCode, 200)
    t.same(await publicTexts('vis'), ['T1', 'T2', 'T3', 'T4'], 'published again: back in its place')

    t.equal((await article(a3, 'unpublish')).statusCode, 200)
    const publishAt = clock().getTime() + 10 * minute
    const scheduled = await article(a3, 'publish', { publishAt: iso(publishAt) })
    t.equal(json<{ status: string }>(scheduled).status, 'scheduled')
    t.same(await publicTexts('vis'), ['T1', 'T2', 'T4'], 'scheduled in the future: not yet')
    t.same((await previewState('vis'))[2], ['T3', false, 'article-not-public'])
    clock.set(new Date(publishAt - 1))
    t.same(await publicTexts('vis'), ['T1', 'T2', 'T4'], '1 ms before: not yet')
    t.equal((await api.box('vis')).headers['cache-control'], 'public, max-age=0, stale-while-revalidate=0')
    clock.set(new Date(publishAt))
    t.same(await publicTexts('vis'), ['T1', 'T2', 'T3', 'T4'], 'at the scheduled time, with no request')

    t.equal((await app.inject({ method: 'DELETE', url: `/v1/articles/${a4}`, headers: auth })).statusCode, 204)
    t.same(await publicTexts('vis'), ['T1', 'T2', 'T3'], 'deleted: gone')
    t.same((await previewState('vis'))[3], ['T4', false, 'article-not-public'])
    assertProblem(t, await api.add('vis', { text: 'Again', articleId: a4 }), 422, 'ND_REFERENCE_MISSING')
    const t1 = json<Box>(await api.box('vis', auth)).data[0] as Teaser
    assertProblem(t, await api.patchTeaser(t1.id, { articleId: a4 }), 422, 'ND_REFERENCE_MISSING')

    t.equal((await article(a1, 'archive')).statusCode, 200)
    t.same(await publicTexts('vis'), ['T2', 'T3'], 'archived: gone')
  })

  await t.test('time windows: shown from startsAt, hidden from endsAt, to the millisecond', async (t) => {
    t.equal((await api.createCollection({ key: 'windows', title: 'Windows' })).statusCode, 201)
    await api.link(t, 'windows', 'Always')
    const now = clock().getTime()
    const startsAt = now + 60 * minute
    const endsAt = now + 120 * minute
    const w = await api.link(t, 'windows', 'Window', { startsAt: iso(startsAt), endsAt: iso(endsAt) })
    t.match(w, { startsAt: iso(startsAt), endsAt: iso(endsAt) })

    t.same(await publicTexts('windows'), ['Always'])
    t.same(await previewState('windows'), [
      ['Always', true, null],
      ['Window', false, 'not-started'],
    ])
    clock.set(new Date(startsAt - 1))
    t.same(await publicTexts('windows'), ['Always'], '1 ms before startsAt: absent')
    t.same((await previewState('windows'))[1], ['Window', false, 'not-started'])
    clock.set(new Date(startsAt))
    t.same(await publicTexts('windows'), ['Always', 'Window'], 'at startsAt: present')
    t.same((await previewState('windows'))[1], ['Window', true, null])
    clock.set(new Date(endsAt - 1))
    t.same(await publicTexts('windows'), ['Always', 'Window'], '1 ms before endsAt: present')
    clock.set(new Date(endsAt))
    t.same(await publicTexts('windows'), ['Always'], 'at endsAt: gone')
    t.same((await previewState('windows'))[1], ['Window', false, 'ended'])

    const at = clock().getTime()
    for (const [startsAt, endsAt] of [
      [at + minute, at + minute],
      [at + minute, at],
    ] as const) {
      t.same(
        pointers(
          t,
          await api.add('windows', {
            text: 'Bad',
            url: 'https://example.com/',
            startsAt: iso(startsAt),
            endsAt: iso(endsAt),
          }),
        ),
        ['/endsAt'],
        'endsAt <= startsAt is a 400',
      )
    }
    t.same(
      pointers(t, await api.patchTeaser(w.id, { endsAt: iso(startsAt) })),
      ['/endsAt'],
      'against the stored startsAt',
    )
    t.same(
      pointers(t, await api.patchTeaser(w.id, { startsAt: iso(endsAt + 1) })),
      ['/endsAt'],
      'against the stored endsAt',
    )
    t.same(json<Teaser>(await api.getTeaser(w.id)).version, 1, 'refused edits changed nothing')

    const reopened = await api.patchTeaser(w.id, { endsAt: null })
    t.match(json<Teaser>(reopened), { endsAt: null, version: 2 })
    t.same(await publicTexts('windows'), ['Always', 'Window'], 'no end: shown again')
    t.equal((await api.patchTeaser(w.id, { startsAt: iso(at + minute) })).statusCode, 200)
    t.same((await previewState('windows'))[1], ['Window', false, 'not-started'], 'a start in the future again')
    await api.link(t, 'windows', 'Over', { endsAt: iso(at - 1) })
    t.same((await previewState('windows'))[2], ['Over', false, 'ended'], 'an end in the past')
  })

  await t.test('the cap: only the first maxItems visible teasers show; hidden ones do not count', async (t) => {
    t.equal((await api.createCollection({ key: 'capped', title: 'Capped', maxItems: 2 })).statusCode, 201)
    for (const text of ['A', 'B', 'C']) await api.link(t, 'capped', text)
    const capped = json<Box>(await api.box('capped'))
    t.same(
      capped.data.map((d) => d.text),
      ['A', 'B'],
    )
    t.same(capped.page, { limit: 2, nextCursor: null })
    t.same(await previewState('capped'), [
      ['A', true, null],
      ['B', true, null],
      ['C', false, 'over-limit'],
    ])

    const startsAt = clock().getTime() + 60 * minute
    await api.link(t, 'capped', 'N', { position: 0, startsAt: iso(startsAt) })
    t.same(await publicTexts('capped'), ['A', 'B'], 'a teaser not started at position 0 lets 1 and 2 show')
    t.same(await previewState('capped'), [
      ['N', false, 'not-started'],
      ['A', true, null],
      ['B', true, null],
      ['C', false, 'over-limit'],
    ])

    const draft = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: auth,
      payload: { headline: 'A draft', body: 'Copy.' },
    })
    const draftId = json<{ id: string }>(draft).id
    t.equal((await api.add('capped', { text: 'D', articleId: draftId, position: 1 })).statusCode, 201)
    t.same(await publicTexts('capped'), ['A', 'B'], 'nor does a teaser of a draft')
    t.same((await previewState('capped'))[1], ['D', false, 'article-not-public'])

    clock.set(new Date(startsAt))
    t.same(await publicTexts('capped'), ['N', 'A'], 'once N starts it takes a place')
    t.same(await previewState('capped'), [
      ['N', true, null],
      ['D', false, 'article-not-public'],
      ['A', true, null],
      ['B', false, 'over-limit'],
      ['C', false, 'over-limit'],
    ])
    t.equal((await api.patchCollection('capped', { maxItems: 3 })).statusCode, 200)
    t.same(await publicTexts('capped'), ['N', 'A', 'B'], 'a higher cap shows more')
    t.equal((await article(draftId, 'publish')).statusCode, 200)
    t.same(await publicTexts('capped'), ['N', 'D', 'A'], 'a published article takes its place')
    t.same(
      (await previewState('capped')).map((s) => s[2]),
      [null, null, null, 'over-limit', 'over-limit'],
    )
  })
})
