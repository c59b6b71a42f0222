// The change feed's ordering guarantee: a reader following cursors never misses an event, even
// when a transaction that wrote its event earlier commits after a later one (the outbox gap).
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sourceEvent } from '../../src/modules/changes/changes.events.js'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import { recordEvents } from '../../src/modules/changes/changes.writer.js'
import { build, json } from '../helper.js'
import { env } from './articles.helpers.js'

type App = Awaited<ReturnType<typeof build>>['app']

async function follow(app: App, from: string) {
  const events: ChangeEvent[] = []
  let cursor = from
  for (;;) {
    const res = await app.inject({ url: `/v1/changes?limit=100${cursor ? `&cursor=${cursor}` : ''}` })
    const feed = json<{ data: ChangeEvent[]; page: { nextCursor: string; limit: number } }>(res)
    events.push(...feed.data)
    cursor = feed.page.nextCursor
    if (feed.data.length < feed.page.limit) return { events, cursor }
  }
}

t.test('an event whose transaction commits late is served after every event already served', async (t) => {
  const { app, db, auth, database } = await build(t, { env: { ...env, WEBHOOK_WORKER: 'false' } })
  const start = await follow(app, '')

  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  let numbered: () => void = () => {}
  const hasNumber = new Promise<void>((resolve) => {
    numbered = resolve
  })
  const slow = db.prisma.$transaction(
    async (tx) => {
      const now = new Date()
      const event = sourceEvent('source.updated', { id: randomUUID(), slug: 'slow-writer' }, ['name'], now)
      await recordEvents(tx, [event], { actor: { keyId: null, requestId: 'slow' }, now })
      numbered()
      await held
    },
    { timeout: 30_000 },
  )
  await hasNumber

  const fast = app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: auth,
    payload: { name: 'Fast writer', slug: 'fast-writer', kind: 'partner' },
  })
  let passed = start.cursor
  if (database.url) {
    // On a server the later writer commits while the first is open, and a reader follows the
    // feed meanwhile: its cursor moves past the later event. (PGlite runs one transaction at a time.)
    t.equal((await fast).statusCode, 201, 'the later writer commits while the first is open')
    const meanwhile = await follow(app, start.cursor)
    t.same(
      meanwhile.events.map((e) => e.resource.slug),
      ['fast-writer'],
      'the reader sees the committed event',
    )
    passed = meanwhile.cursor
  }
  release()
  await slow
  t.equal((await fast).statusCode, 201)
  const after = await follow(app, passed)
  t.same(
    after.events.map((e) => e.resource.slug),
    database.url ? ['slow-writer'] : ['slow-writer', 'fast-writer'],
    'the event that committed late comes after the cursor the reader already holds',
  )
  const all = await follow(app, start.cursor)
  const slowEvent = all.events.find((e) => e.resource.slug === 'slow-writer')
  const fastEvent = all.events.find((e) => e.resource.slug === 'fast-writer')
  if (database.url) {
    t.ok(BigInt(slowEvent?.id ?? 0) < BigInt(fastEvent?.id ?? 0), 'numbered first, but served in commit order')
  }
  t.equal(all.events.length, 2)
})

t.test('a reader following the feed during concurrent writes sees every event once', async (t) => {
  const { app, db, auth } = await build(t, { env: { ...env, WEBHOOK_WORKER: 'false' } })
  const seen: string[] = []
  let cursor = (await follow(app, '')).cursor
  let writing = true
  let rounds = 0
  const reader = (async () => {
    while (writing) {
      rounds++
      // Cached pages answer without I/O: yield, or the writers' database replies never run.
      await new Promise((resolve) => setTimeout(resolve, 2))
      const page = await follow(app, cursor)
      seen.push(...page.events.map((e) => e.id))
      cursor = page.cursor
    }
  })()
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      app.inject({
        method: 'POST',
        url: '/v1/sources',
        headers: auth,
        payload: { name: `Concurrent ${i}`, kind: 'partner' },
      }),
    ),
  )
  t.ok(
    results.every((r) => r.statusCode === 201),
    'every write succeeded',
  )
  writing = false
  await reader
  seen.push(...(await follow(app, cursor)).events.map((e) => e.id))
  const all = await db.prisma.changeEvent.findMany({ select: { id: true }, orderBy: { id: 'asc' } })
  t.same(
    seen,
    all.map((e) => e.id.toString()),
    'every event, in order, none twice',
  )
  t.equal(seen.length, 40)
  t.ok(rounds > 0, `the reader read while the writers wrote (${rounds} rounds)`)
})
