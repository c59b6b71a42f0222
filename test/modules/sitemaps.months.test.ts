// The sitemap index reads each month's figures from article_months, kept by a deferred trigger on
// every write of articles. Whatever the writes (publish in the past or the future, embargo, edits,
// canonical URLs set and cleared, unpublish, archive, delete, kill) and whenever the index is read,
// its months must equal a count of the public articles themselves; and concurrent writes of one
// month must all be counted.
import fc from 'fast-check'
import { test } from 'tap'
import type { PrismaClient } from '../../src/db/database.js'
import { indexRows } from '../../src/modules/sitemaps/sitemaps.repository.js'
import { build, testClock } from '../helper.js'
import { env as articleEnv, client } from './articles.helpers.js'

const hour = 3_600_000
const day = 24 * hour

interface MonthRow {
  file: string
  count: number
  lastmod: Date | null
}

/** The months as counted from every public article at `at` (what the index showed before the summary). */
function reference(db: PrismaClient, at: Date, withTemplate: boolean): Promise<MonthRow[]> {
  return db.$queryRawUnsafe<MonthRow[]>(
    `SELECT to_char(date_trunc('month', a.published_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS file, count(*)::int AS count,
       max(LEAST(GREATEST(a.updated_at, a.published_at, a.embargoed_until), $1::timestamptz)) AS lastmod
     FROM articles a
     WHERE a.deleted_at IS NULL AND a.status IN ('published', 'scheduled') AND a.published_at <= $1::timestamptz
       AND (a.embargoed_until IS NULL OR a.embargoed_until <= $1::timestamptz)
       AND ($2::boolean OR a.canonical_url IS NOT NULL)
     GROUP BY 1 ORDER BY 1`,
    at,
    withTemplate,
  )
}

async function months(db: PrismaClient, at: Date, withTemplate: boolean): Promise<MonthRow[]> {
  const rows = await indexRows(db, at, withTemplate, new Date(at.getTime() - 2 * day))
  return rows.filter((r) => /^\d{4}-\d{2}$/.test(r.file))
}

type Op =
  | { kind: 'create'; canonical: boolean }
  | { kind: 'publish'; article: number; days: number }
  | { kind: 'embargo'; article: number; hours: number | null }
  | { kind: 'canonical'; article: number; set: boolean }
  | { kind: 'edit' | 'unpublish' | 'archive' | 'delete' | 'kill'; article: number }
  | { kind: 'wait'; hours: number }

const article = fc.nat(5)
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('create' as const), canonical: fc.boolean() }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('publish' as const), article, days: fc.integer({ min: -70, max: 40 }) }),
    weight: 3,
  },
  fc.record({
    kind: fc.constant('embargo' as const),
    article,
    hours: fc.option(fc.integer({ min: -5, max: 60 }), { nil: null }),
  }),
  fc.record({ kind: fc.constant('canonical' as const), article, set: fc.boolean() }),
  fc.record({
    kind: fc.constantFrom(
      'edit' as const,
      'unpublish' as const,
      'archive' as const,
      'delete' as const,
      'kill' as const,
    ),
    article,
  }),
  fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 900 }) }),
)

test('the months of the index equal a count of the public articles, whatever was written', async (t) => {
  const clock = testClock(new Date('2031-03-15T12:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env: articleEnv })
  const api = client(app, auth)
  const ids: string[] = []
  let created = 0
  const apply = async (o: Op) => {
    const id = 'article' in o ? ids[o.article % Math.max(ids.length, 1)] : undefined
    const at = (ms: number) => new Date(clock().getTime() + ms).toISOString()
    if (o.kind === 'create') {
      const n = created++
      const canonicalUrl = o.canonical ? `https://other.example/${n}` : undefined
      ids.push((await api.draft({ headline: `Story ${n}`, slug: `story-${n}`, body: 'Text.', canonicalUrl })).id)
    } else if (o.kind === 'wait') clock.advance(o.hours * hour)
    else if (!id) return
    else if (o.kind === 'publish') await api.action(id, 'publish', { publishAt: at(o.days * day) })
    else if (o.kind === 'embargo') await api.patch(id, { embargoedUntil: o.hours === null ? null : at(o.hours * hour) })
    else if (o.kind === 'canonical') await api.patch(id, { canonicalUrl: o.set ? `https://other.example/${id}` : null })
    else if (o.kind === 'edit') await api.patch(id, { summary: `Edited at ${clock().toISOString()}` })
    else if (o.kind === 'unpublish' || o.kind === 'archive') await api.action(id, o.kind)
    else if (o.kind === 'delete') await api.remove(id)
    else
      await app.inject({
        method: 'POST',
        url: `/v1/articles/${id}/kill`,
        headers: auth,
        payload: { reason: 'Legal.', notice: 'Withdrawn.' },
      })
  }
  let checks = 0
  let monthsSeen = 0
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 14 }), async (ops) => {
      for (const o of ops) await apply(o)
      for (const ahead of [0, 3 * day, 45 * day]) {
        const at = new Date(clock().getTime() + ahead)
        for (const withTemplate of [true, false]) {
          const expected = await reference(db.prisma, at, withTemplate)
          const actual = await months(db.prisma, at, withTemplate)
          checks++
          monthsSeen += expected.length
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            t.same(actual, expected, `${at.toISOString()} template ${withTemplate}`)
            return false
          }
        }
      }
      return true
    }),
    { numRuns: 12, seed: 20261130 },
  )
  t.ok(checks >= 72, `${checks} comparisons, each at three instants, with and without a template`)
  t.ok(created > 10, `${created} articles written`)
  t.ok(monthsSeen > 50, `${monthsSeen} months compared`)
})

test('concurrent writes of one month are all counted', async (t) => {
  const clock = testClock(new Date('2031-05-10T12:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env: articleEnv })
  const api = client(app, auth)
  const drafts = await Promise.all(
    Array.from({ length: 12 }, (_, i) => api.draft({ headline: `Race ${i}`, slug: `race-${i}`, body: 'Text.' })),
  )
  const results = await Promise.all(drafts.map((d) => api.action(d.id, 'publish')))
  t.same(
    results.map((r) => r.statusCode),
    drafts.map(() => 200),
  )
  await Promise.all(drafts.slice(0, 4).map((d) => api.remove(d.id)))
  const at = clock()
  t.same(await months(db.prisma, at, true), await reference(db.prisma, at, true))
  const [may] = await months(db.prisma, at, true)
  t.equal(may?.count, 8, 'twelve published at once, four deleted at once')
})

test('server sessions run without JIT compilation', async (t) => {
  const { db } = await build(t, { env: articleEnv })
  if (db.kind !== 'server') return t.pass('embedded PGlite has no JIT')
  const [row] = await db.prisma.$queryRawUnsafe<{ jit: string }[]>('SHOW jit')
  t.equal(row?.jit, 'off', 'a misestimated statement would otherwise compile on every execution')
})
