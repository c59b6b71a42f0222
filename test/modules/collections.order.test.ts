// The collections API through HTTP: the order of a collection's teasers under every operation,
// reorders, and concurrent editors. See collections.test.ts for the rest of the API.
import { type Test, test } from 'tap'
import { seed } from '../../src/seed/seed.js'
import { build, json } from '../helper.js'
import {
  assertLineup,
  assertProblem,
  type Box,
  client,
  missingId,
  pointers,
  type Teaser,
} from './collections.helpers.js'

const env = { RATE_LIMIT_ANONYMOUS_MAX: '100000' }

test('the order of teasers', async (t) => {
  const { app, db, auth } = await build(t, { env })
  await seed(db.prisma)
  const api = client(app, auth)

  await t.test('ordering: positions stay 0..n-1 and in box order after every operation', async (t) => {
    t.equal((await api.createCollection({ key: 'ordering', title: 'Ordering', maxItems: 20 })).statusCode, 201)
    const ids = new Map<string, string>()
    const lineup = (t: Test, expected: string) => assertLineup(t, app, db, auth, 'ordering', expected.split(' '))
    const add = async (t: Test, text: string, extra: object = {}) => {
      const teaser = await api.link(t, 'ordering', text, extra)
      ids.set(text, teaser.id)
      return teaser
    }
    const patch = async (t: Test, text: string, payload: object) => {
      const res = await api.patchTeaser(ids.get(text) as string, payload)
      t.equal(res.statusCode, 200, `PATCH ${text} ${JSON.stringify(payload)}`)
      return json<Teaser>(res)
    }
    const remove = async (t: Test, text: string) => {
      t.equal((await api.deleteTeaser(ids.get(text) as string)).statusCode, 204, `DELETE ${text}`)
    }

    await t.test('add at the end, at 0, in the middle, past the end', async (t) => {
      for (const [text, expected] of [
        ['A', 'A'],
        ['B', 'A B'],
        ['C', 'A B C'],
      ] as const) {
        t.equal((await add(t, text)).position, expected.split(' ').length - 1)
        await lineup(t, expected)
      }
      t.equal((await add(t, 'D', { position: 0 })).position, 0)
      await lineup(t, 'D A B C')
      t.equal((await add(t, 'E', { position: 2 })).position, 2)
      await lineup(t, 'D A E B C')
      t.equal((await add(t, 'F', { position: 99 })).position, 5, 'a position past the end is the end')
      await lineup(t, 'D A E B C F')
    })

    await t.test('move with PATCH position', async (t) => {
      t.equal((await patch(t, 'C', { position: 0 })).position, 0)
      await lineup(t, 'C D A E B F')
      t.equal((await patch(t, 'C', { position: 3 })).position, 3)
      await lineup(t, 'D A E C B F')
      t.equal((await patch(t, 'D', { position: 5 })).position, 5)
      await lineup(t, 'A E C B F D')
      t.equal((await patch(t, 'A', { position: 0 })).position, 0, 'a move to where it is changes nothing')
      await lineup(t, 'A E C B F D')
    })

    await t.test('pin and unpin: pinned teasers come first', async (t) => {
      t.match(await patch(t, 'B', { pinned: true }), { pinned: true, position: 0 })
      await lineup(t, 'B A E C F D')
      t.match(await patch(t, 'F', { pinned: true }), { pinned: true, position: 1 }, 'pinned after those pinned before')
      await lineup(t, 'B F A E C D')
      t.equal((await patch(t, 'D', { position: 0 })).position, 2, 'an unpinned teaser cannot move above pinned ones')
      await lineup(t, 'B F D A E C')
      t.match(
        await add(t, 'G', { pinned: true }),
        { pinned: true, position: 2 },
        'a pinned teaser is added last of the pinned',
      )
      await lineup(t, 'B F G D A E C')
      t.equal((await add(t, 'H', { position: 1 })).position, 3, 'an unpinned teaser is added below the pinned ones')
      await lineup(t, 'B F G H D A E C')
      t.equal((await patch(t, 'F', { position: 7 })).position, 2, 'a pinned teaser cannot move below unpinned ones')
      await lineup(t, 'B G F H D A E C')
      t.equal((await patch(t, 'G', { position: 0 })).position, 0, 'pinned teasers move among themselves')
      await lineup(t, 'G B F H D A E C')
      t.match(await patch(t, 'B', { pinned: false }), { pinned: false, position: 2 }, 'unpinned: first of the rest')
      await lineup(t, 'G F B H D A E C')
      t.equal((await patch(t, 'H', { title: 'A title' })).position, 3, 'an edit keeps the place')
      await lineup(t, 'G F B H D A E C')
    })

    await t.test('delete', async (t) => {
      await remove(t, 'A')
      await lineup(t, 'G F B H D E C')
      await remove(t, 'G')
      await lineup(t, 'F B H D E C')
      await remove(t, 'C')
      await lineup(t, 'F B H D E')
    })

    await t.test('reorder', async (t) => {
      const order = ['E', 'D', 'H', 'B', 'F'].map((x) => ids.get(x) as string)
      const res = await api.reorder('ordering', order)
      t.equal(res.statusCode, 200)
      t.same(
        json<Box>(res).data.map((d) => [d.text, d.position]),
        [
          ['F', 0],
          ['E', 1],
          ['D', 2],
          ['H', 3],
          ['B', 4],
        ],
        'pinned teasers stay first; the others in the given order',
      )
      await lineup(t, 'F E D H B')
      t.equal((await patch(t, 'F', { pinned: false, position: 4 })).position, 4, 'unpin and move in one PATCH')
      await lineup(t, 'E D H B F')
      await remove(t, 'F')
      await remove(t, 'E')
      await lineup(t, 'D H B')
      await remove(t, 'D')
      await remove(t, 'H')
      await remove(t, 'B')
      t.same(json<Box>(await api.box('ordering', auth)).data, [], 'the box is empty')
      await add(t, 'Z', { position: 3 })
      await lineup(t, 'Z')
    })
  })

  await t.test('reorder: the id list, If-Match and concurrent editors', async (t) => {
    const current = async () => json<Box>(await api.box('top-stories', auth)).data.map((d) => d.id)
    const seeded = await current()
    const texts = new Map(json<Box>(await api.box('top-stories', auth)).data.map((d) => [d.id, d.text]))
    const asTexts = (order: string[]) => order.map((id) => texts.get(id) as string)

    await t.test('an id list that is not exactly the teasers is a 409 listing missing and unexpected', async (t) => {
      const [a, b, c, d] = seeded as [string, string, string, string]
      const wrong = assertProblem(t, await api.reorder('top-stories', [d, c, b, missingId]), 409, 'ND_CONFLICT')
      t.same(wrong.missing, [a])
      t.same(wrong.unexpected, [missingId])
      const short = assertProblem(
        t,
        await api.reorder('top-stories', [b, a], { 'if-match': '"v1"' }),
        409,
        'ND_CONFLICT',
      )
      t.same(short.missing, [c, d])
      t.same(short.unexpected, [])
      const partner = json<Box>(await api.box('partner-news')).data.map((x) => x.id)
      const other = assertProblem(t, await api.reorder('top-stories', [a, b, c, d, ...partner]), 409, 'ND_CONFLICT')
      t.same(other.missing, [])
      t.same(other.unexpected, partner, "another collection's teasers are unexpected")
      const empty = assertProblem(t, await api.reorder('top-stories', []), 409, 'ND_CONFLICT')
      t.same(empty.missing, seeded)
      t.same(pointers(t, await api.reorder('top-stories', [a, a, b, c, d])), ['/teaserIds'])
      t.same(pointers(t, await api.reorder('top-stories', ['nope'])), ['/teaserIds/0'])
      t.same(
        pointers(
          t,
          await app.inject({
            method: 'PUT',
            url: '/v1/collections/top-stories/order',
            headers: auth,
            payload: { teaserIds: seeded, extra: true },
          }),
        ),
        ['/extra'],
      )
      assertProblem(t, await api.reorder('no-such-box', seeded), 404, 'ND_NOT_FOUND')
      t.same(await current(), seeded, 'the order is unchanged')
      t.equal(await api.etag('top-stories'), '"v1"', 'and so is the version')
    })

    await t.test('with the current ETag, a stale one, "*", and without If-Match', async (t) => {
      const reversed = [...seeded].reverse()
      const res = await api.reorder('top-stories', reversed, { 'if-match': '"v1"' })
      t.equal(res.statusCode, 200)
      t.equal(res.headers.etag, '"v2"')
      t.equal(res.headers['cache-control'], 'private, no-store')
      const box = json<Box>(res)
      t.same(
        box.data.map((d) => [d.id, d.position, d.visible]),
        reversed.map((id, i) => [id, i, true]),
      )
      await assertLineup(t, app, db, auth, 'top-stories', asTexts(reversed))

      const stale = assertProblem(
        t,
        await api.reorder('top-stories', seeded, { 'if-match': '"v1"' }),
        412,
        'ND_PRECONDITION_FAILED',
      )
      t.equal(stale.currentVersion, 2)
      assertProblem(t, await api.reorder('top-stories', seeded, { 'if-match': '"abc"' }), 412, 'ND_PRECONDITION_FAILED')
      t.same(await current(), reversed, 'a refused reorder changes nothing')

      const rotated = [...seeded.slice(1), seeded[0] as string]
      t.equal((await api.reorder('top-stories', rotated)).statusCode, 200, 'without If-Match')
      await assertLineup(t, app, db, auth, 'top-stories', asTexts(rotated))
      t.equal((await api.reorder('top-stories', seeded, { 'if-match': '*' })).statusCode, 200, 'If-Match: *')
      await assertLineup(t, app, db, auth, 'top-stories', asTexts(seeded))
      t.equal(
        (await api.reorder('top-stories', seeded, { 'if-match': '"v1", "v4"' })).statusCode,
        200,
        'a list of ETags',
      )
      t.equal(await api.etag('top-stories'), '"v5"')
    })

    await t.test('two reorders from the same version: one 200, one 412, never a mix', async (t) => {
      for (let round = 0; round < 5; round++) {
        const etag = await api.etag('top-stories')
        const version = Number(etag.slice(2, -1))
        const before = await current()
        const orderA = [...before.slice(1), before[0] as string]
        const orderB = [...before].reverse()
        const [a, b] = await Promise.all([
          api.reorder('top-stories', orderA, { 'if-match': etag }),
          api.reorder('top-stories', orderB, { 'if-match': etag }),
        ])
        t.same([a.statusCode, b.statusCode].sort(), [200, 412], `round ${round}: one wins, one gets 412`)
        const [winner, loser, wanted] = a.statusCode === 200 ? [a, b, orderA] : [b, a, orderB]
        t.equal(json<{ currentVersion: number }>(loser).currentVersion, version + 1)
        t.equal(winner.headers.etag, `"v${version + 1}"`)
        t.same(
          json<Box>(winner).data.map((d) => d.id),
          wanted,
        )
        const after = await current()
        t.same(after, wanted, "the final order is the winner's")
        t.not(JSON.stringify(after), JSON.stringify(a.statusCode === 200 ? orderB : orderA))
        await assertLineup(t, app, db, auth, 'top-stories', asTexts(wanted))
      }
    })

    await t.test('pinned teasers stay first whatever the given order', async (t) => {
      const last = (await current()).at(-1) as string
      t.equal((await api.patchTeaser(last, { pinned: true })).statusCode, 200)
      const withPinnedLast = [...(await current()).filter((id) => id !== last), last]
      const res = await api.reorder('top-stories', withPinnedLast)
      t.equal(res.statusCode, 200)
      t.same(
        json<Box>(res).data.map((d) => d.id),
        [last, ...withPinnedLast.slice(0, -1)],
      )
      await assertLineup(t, app, db, auth, 'top-stories', asTexts([last, ...withPinnedLast.slice(0, -1)]))
    })
  })

  await t.test('concurrent writers without If-Match wait for each other instead of failing', async (t) => {
    await t.test('adds', async (t) => {
      const res = await Promise.all(
        ['One', 'Two', 'Three', 'Four'].map((text) =>
          api.add('partner-news', { text, url: `https://example.com/${text.toLowerCase()}` }),
        ),
      )
      t.same(
        res.map((r) => r.statusCode),
        [201, 201, 201, 201],
      )
      const box = json<Box>(await api.box('partner-news', auth))
      t.equal(box.data.length, 6)
      await assertLineup(
        t,
        app,
        db,
        auth,
        'partner-news',
        box.data.map((d) => d.text),
      )
      t.equal(await api.etag('partner-news'), '"v5"', 'each add bumped the version once')
    })

    await t.test('edits of different teasers, and a move with a removal', async (t) => {
      const box = json<Box>(await api.box('partner-news', auth)).data
      const [a, b, c, d] = box.map((x) => x.id) as [string, string, string, string]
      const res = await Promise.all([
        api.patchTeaser(a, { title: 'First' }),
        api.patchTeaser(b, { position: 5 }),
        api.patchTeaser(c, { pinned: true }),
        api.deleteTeaser(d),
      ])
      t.same(
        res.map((r) => r.statusCode),
        [200, 200, 200, 204],
      )
      const after = json<Box>(await api.box('partner-news', auth)).data
      t.equal(after.length, 5)
      t.equal(after[0]?.id, c, 'the pinned one is first')
      await assertLineup(
        t,
        app,
        db,
        auth,
        'partner-news',
        after.map((x) => x.text),
      )
    })

    await t.test('two edits of one teaser with the same If-Match: one wins, the other gets its version', async (t) => {
      const teaser = json<Box>(await api.box('partner-news', auth)).data[1] as Teaser
      const etag = `"v${teaser.version}"`
      const res = await Promise.all([
        api.patchTeaser(teaser.id, { text: 'Edit one' }, { 'if-match': etag }),
        api.patchTeaser(teaser.id, { text: 'Edit two' }, { 'if-match': etag }),
      ])
      t.same(res.map((r) => r.statusCode).sort(), [200, 412])
      const winner = res.find((r) => r.statusCode === 200)
      const loser = res.find((r) => r.statusCode === 412)
      t.equal(json<{ currentVersion: number }>(loser as { body: string }).currentVersion, teaser.version + 1)
      const stored = json<Teaser>(await api.getTeaser(teaser.id))
      t.equal(stored.text, json<Teaser>(winner as { body: string }).text, "the winner's edit is kept")
      t.equal(stored.version, teaser.version + 1)
    })
  })
})
