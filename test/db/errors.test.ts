// Database failures become application errors in one place (src/db/errors.ts): exercised here
// with errors raised by the real database, not constructed by hand.
import { test } from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { isDatabaseUnavailable, translateDatabaseError } from '../../src/db/errors.js'
import { createTestDatabase } from '../helper.js'

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the database to refuse')
}

test('constraint violations', async (t) => {
  const { db } = await createTestDatabase(t)
  const source = await db.prisma.source.create({
    data: { slug: 'wire', name: 'Wire', nameKey: 'wire', kind: 'agency' },
  })

  const unique = translateDatabaseError(
    await failure(db.prisma.source.create({ data: { slug: 'wire', name: 'W', nameKey: 'w', kind: 'agency' } })),
    'source',
  ) as Error & { code: string; statusCode: number; problem: Record<string, unknown> }
  t.equal(unique.code, 'ND_UNIQUE_VIOLATION')
  t.equal(unique.statusCode, 409)
  t.same(unique.problem, { field: 'slug' })

  const missingReference = translateDatabaseError(
    await failure(
      db.prisma.article.create({
        data: { slug: 'a', headline: 'A', sourceId: '00000000-0000-4000-8000-000000000000' },
      }),
    ),
    'article',
  ) as Error & { code: string; statusCode: number }
  t.equal(missingReference.code, 'ND_REFERENCE_MISSING')
  t.equal(missingReference.statusCode, 422)

  await db.prisma.article.create({ data: { slug: 'b', headline: 'B', sourceId: source.id } })
  const stillReferenced = translateDatabaseError(
    await failure(db.prisma.source.delete({ where: { id: source.id } })),
    'source',
  ) as Error & { code: string; statusCode: number; message: string }
  t.equal(stillReferenced.code, 'ND_CONFLICT')
  t.equal(stillReferenced.statusCode, 409)
  t.match(stillReferenced.message, /source is still referenced/)

  const notFound = translateDatabaseError(
    await failure(
      db.prisma.source.update({ where: { id: '00000000-0000-4000-8000-000000000000' }, data: { name: 'x' } }),
    ),
    'source',
  ) as Error & { statusCode: number }
  t.equal(notFound.statusCode, 404)

  t.equal(translateDatabaseError(new Error('something else')), undefined, 'other errors are not translated')
})

test('an unreachable server', async (t) => {
  const db = await openDatabase({ kind: 'server', url: 'postgres://nobody@127.0.0.1:1/none', poolMax: 1 })
  t.teardown(() => db.close())
  const err = await failure(db.ping())
  t.ok(isDatabaseUnavailable(err))
  const translated = translateDatabaseError(err) as Error & { code: string; statusCode: number }
  t.equal(translated.code, 'ND_DATABASE_UNAVAILABLE')
  t.equal(translated.statusCode, 503)
  t.ok(isDatabaseUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' })))
  t.notOk(isDatabaseUnavailable(new Error('syntax error')))
})

test('every connection busy past the wait for a transaction: 503, not 500', async (t) => {
  const database = await createTestDatabase(t)
  if (!database.url) {
    t.comment('PGlite has a single connection and no pool to exhaust: runs on a PostgreSQL server')
    return
  }
  // A pool of one, held by a transaction for longer than Prisma waits to start another (2 s).
  const db = await openDatabase({ kind: 'server', url: database.url, poolMax: 1 })
  t.teardown(() => db.close())
  let release = () => {}
  const held = db.prisma.$transaction(
    async () => {
      await new Promise<void>((resolve) => {
        release = resolve
      })
    },
    { timeout: 10_000 },
  )
  await new Promise((resolve) => setTimeout(resolve, 100))
  const err = await failure(db.prisma.$transaction(async (tx) => tx.source.count()))
  release()
  await held
  const translated = translateDatabaseError(err) as Error & { code: string; statusCode: number }
  t.equal(translated?.code, 'ND_DATABASE_UNAVAILABLE', String(err))
  t.equal(translated?.statusCode, 503)
})
