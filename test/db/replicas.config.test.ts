// DATABASE_REPLICA_URLS and its companions, and how WAL positions compare (the replicas
// themselves are tested in replicas.test.ts, against a real streaming replica).
import { test } from 'tap'
import { loadConfig } from '../../src/config.js'
import { parseLsn } from '../../src/db/replicas.js'

test('configuration', async (t) => {
  const replica = 'postgres://reader:secret@10.0.0.2:5432/newsdesk'
  t.throws(() => loadConfig({ DATABASE_REPLICA_URLS: replica }), {
    name: 'ConfigError',
    variable: 'DATABASE_REPLICA_URLS',
    message: /needs DATABASE_URL/,
  })
  const primary = { DATABASE_URL: 'postgres://localhost/newsdesk' }
  for (const bad of ['mysql://10.0.0.2/newsdesk', `${replica},postgres://`, ' , ']) {
    const err = t.throws(() => loadConfig({ ...primary, DATABASE_REPLICA_URLS: bad }), {
      name: 'ConfigError',
      variable: 'DATABASE_REPLICA_URLS',
    }) as Error
    t.notMatch(err.message, /secret/, 'a password in the list is not repeated')
  }
  t.throws(() => loadConfig({ ...primary, DATABASE_REPLICA_URLS: replica, REPLICA_MAX_LAG_MS: '-1' }), {
    name: 'ConfigError',
    variable: 'REPLICA_MAX_LAG_MS',
  })
  t.same(loadConfig({ ...primary, DATABASE_REPLICA_URLS: ` ${replica}, postgresql://10.0.0.3/newsdesk` }).database, {
    kind: 'server',
    url: primary.DATABASE_URL,
    poolMax: 10,
    replicas: { urls: [replica, 'postgresql://10.0.0.3/newsdesk'], maxLagMs: 10000, pollMs: 1000 },
  })
  t.notOk('replicas' in loadConfig(primary).database, 'none by default')
})

test('WAL positions compare as numbers', async (t) => {
  t.equal(parseLsn('0/16B3748'), 0x16b3748n)
  t.equal(parseLsn('1/0'), 1n << 32n)
  t.ok(parseLsn('A/0') > parseLsn('9/FFFFFFFF'), 'not as text')
})
