// The embedded database's page cache: EMBEDDED_CACHE_MB sets PGlite's shared buffers, which live in
// the process's WebAssembly memory (PostgreSQL's default of 128 MB made servers grow past 450 MB).
import { test } from 'tap'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/database.js'

test('EMBEDDED_CACHE_MB sets the shared buffers of the embedded database', async (t) => {
  t.equal((loadConfig({}).database as { cacheMb?: number }).cacheMb, 32, '32 MB unless set')
  t.throws(() => loadConfig({ EMBEDDED_CACHE_MB: '4' }), /EMBEDDED_CACHE_MB/, 'at least 8')
  const config = loadConfig({ DATA_DIR: 'memory://', EMBEDDED_CACHE_MB: '24' })
  const db = await openDatabase(config.database)
  t.teardown(() => db.close())
  const [row] = await db.prisma.$queryRawUnsafe<{ shared_buffers: string }[]>('SHOW shared_buffers')
  t.equal(row?.shared_buffers, '24MB')
})
