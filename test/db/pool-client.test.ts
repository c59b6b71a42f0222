// A pooled connection must not keep the rows of the statement that opened it
// (src/db/pool-client.ts): the rows of a read are garbage once its caller is done with them.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { test } from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { readDirect } from '../../src/db/direct.js'
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

const reads = {
  'a direct read': (prisma: Parameters<typeof readDirect>[0]) => readDirect<object>(prisma, rowsSql),
  "the ORM's raw query": (prisma: Parameters<typeof readDirect>[0]) => prisma.$queryRaw<object[]>(rowsSql),
}

for (const [name, read] of Object.entries(reads)) {
  test(`${name} that opens connections leaves nothing of its rows behind`, {
    skip: !serverUrl && 'no server',
  }, async (t) => {
    // The statement reads no table: the server's own database will do.
    const db = await openDatabase({ kind: 'server', url: serverUrl as string, poolMax: 3 })
    t.teardown(() => db.close())
    // Three at once: each opens a connection of the pool, which stays open (idle) afterwards.
    const refs = await Promise.all(
      [1, 2, 3].map(async () => {
        const rows = await read(db.prisma)
        t.equal(rows.length, 1000)
        return new WeakRef(rows)
      }),
    )
    t.equal(db.poolStats?.().total, 3, 'three connections open')
    t.same(await collected(refs), [true, true, true], 'every result collected')
  })
}
