// What a change to the line-up answers is what is stored: the teaser an add or edit returns, and
// the box and ETag a reorder returns, equal the next reads. History pages through changes that
// share one instant (the id breaks the tie) without skipping or repeating one.
import { test } from 'tap'
import { build, json, type Page, testClock } from '../helper.js'
import { type Box, client, type HistoryEntry, type Teaser } from './collections.helpers.js'

const env = { RATE_LIMIT_ANONYMOUS_MAX: '100000' }

test('line-up changes answer what they stored', async (t) => {
  // The clock stands still: every change below happens at the same instant.
  const clock = testClock(new Date('2031-03-01T12:00:00.000Z'))
  const { app, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  t.equal((await api.createCollection({ key: 'writes', title: 'Writes' })).statusCode, 201)

  const stored = async (id: string) => json<Teaser>(await api.getTeaser(id))
  const added = async (text: string, extra: object = {}) => {
    const teaser = await api.link(t, 'writes', text, extra)
    t.same(teaser, await stored(teaser.id), `the added ${text} is the stored one`)
    return teaser
  }
  const a = await added('A')
  const b = await added('B')
  const c = await added('C', { position: 0 })
  t.same([(await stored(c.id)).position, (await stored(a.id)).position, (await stored(b.id)).position], [0, 1, 2])

  const pinned = await api.patchTeaser(b.id, { pinned: true })
  t.equal(pinned.statusCode, 200)
  t.same(json<Teaser>(pinned), await stored(b.id), 'the pinned teaser, at its new place')
  t.equal(json<Teaser>(pinned).position, 0)
  t.equal(pinned.headers.etag, `"v${json<Teaser>(pinned).version}"`)

  const reorder = await api.reorder('writes', [a.id, c.id, b.id])
  t.equal(reorder.statusCode, 200)
  const box = await api.box('writes', auth)
  t.same(json<Box>(reorder), json<Box>(box), 'the reorder answers the box as the next read shows it')
  t.same(
    json<Box>(reorder).data.map((d) => d.text),
    ['B', 'A', 'C'],
  )
  t.equal(reorder.headers.etag, await api.etag('writes'), "with the collection's new version")

  const moved = await api.patchTeaser(c.id, { position: 1, text: 'C moved' })
  t.same(json<Teaser>(moved), await stored(c.id), 'the moved teaser as stored')
  t.equal((await api.deleteTeaser(a.id)).statusCode, 204)
  t.same(
    json<Box>(await api.box('writes', auth)).data.map((d) => [d.text, d.position]),
    [
      ['B', 0],
      ['C moved', 1],
    ],
  )

  const all = json<Page<HistoryEntry>>(await api.history('writes', auth, '?limit=100')).data
  t.equal(all.length, 7, 'three adds, a pin, a reorder, a move and a remove')
  t.ok(
    all.every((e) => e.at === clock().toISOString()),
    'all at one instant',
  )
  const paged: HistoryEntry[] = []
  let cursor: string | null = null
  do {
    const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    const page: Page<HistoryEntry> = json<Page<HistoryEntry>>(await api.history('writes', auth, query))
    paged.push(...page.data)
    cursor = page.page.nextCursor
  } while (cursor)
  t.same(
    paged.map((e) => e.id),
    all.map((e) => e.id),
    'pages of two give every change once, in order',
  )
})
