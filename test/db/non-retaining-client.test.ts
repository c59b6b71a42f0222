// A pooled connection must not keep the rows of the statement that opened it
// (src/db/non-retaining-client.ts): the rows of a read are garbage once its caller is done with them.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import pg from 'pg'
import { test } from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { readDirect } from '../../src/db/direct.js'
import { NonRetainingClient } from '../../src/db/non-retaining-client.js'
import { Prisma } from '../../src/generated/prisma/client.js'
import { serverUrl } from '../db-url.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

// ~150 KB of rows: enough to see, small enough to read quickly.
const rowsSql = Prisma.sql`SELECT g AS n, repeat('x', 100) AS pad FROM generate_series(1, 1000) g`

/** Whether each of these objects was collected by a full garbage collection (in a later task). */
async function collected(refs: WeakRef<object>[]): Promise<boolean[]> {
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  return refs.map((ref) => ref.deref() === undefined)
}

// Direct reads go through pg-pool's query(), as the ORM's adapter does; the rows it returns are
// pg's own, so they are what a connection would have kept.
test('reads that open connections leave nothing of their rows behind', {
  skip: !serverUrl && 'no server',
}, async (t) => {
  // The statement reads no table: the server's own database will do.
  const db = await openDatabase({ kind: 'server', url: serverUrl as string, poolMax: 3 })
  t.teardown(() => db.close())
  // Three at once: each opens a connection of the pool, which stays open (idle) afterwards.
  const refs = await Promise.all(
    [1, 2, 3].map(async () => {
      const rows = await readDirect<object>(db.prisma, rowsSql)
      t.equal(rows.length, 1000)
      return new WeakRef(rows)
    }),
  )
  t.equal(db.poolStats?.().total, 3, 'three connections open')
  t.same(await collected(refs), [true, true, true], 'every result collected')
})

test('connect() without a callback is pg’s own', { skip: !serverUrl && 'no server' }, async (t) => {
  const client = new NonRetainingClient({ connectionString: serverUrl })
  t.equal(await client.connect(), client)
  t.same((await client.query('SELECT 1 AS one')).rows, [{ one: 1 }])
  await client.end()
})

test('a second call of the connect callback (an end, then an error) goes nowhere', (t) => {
  // pg calls it twice when a connection ends and then errs before it is ready: the request has
  // its answer already.
  const connect = pg.Client.prototype.connect
  t.teardown(() => {
    pg.Client.prototype.connect = connect
  })
  pg.Client.prototype.connect = ((callback?: (err: Error | null) => void) => {
    callback?.(new Error('Connection terminated unexpectedly'))
    callback?.(new Error('read ECONNRESET'))
  }) as typeof connect
  const calls: string[] = []
  new NonRetainingClient().connect((err: Error) => calls.push(err.message))
  t.same(calls, ['Connection terminated unexpectedly'])
  t.end()
})
