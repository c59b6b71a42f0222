// The database commands behind npm run db:migrate / db:seed / db:reset / db:migration.
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'tap'

function db(args: string[], env: NodeJS.ProcessEnv, script = 'scripts/db.ts') {
  const res = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  })
  return { code: res.status, out: res.stdout.trim(), err: res.stderr.trim() }
}

test('db commands on a new embedded database', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'newsdesk-db-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const env = { DATA_DIR: dataDir }

  const refused = db(['reset'], env)
  t.equal(refused.code, 1, 'reset refuses without --force')
  t.match(refused.err, /--force/)

  const migrate = db(['migrate'], env)
  t.equal(migrate.code, 0)
  t.match(migrate.out, /^applied to embedded database .*: \d{14}_init, /)
  t.match(db(['migrate'], env).out, /is up to date$/, 'a second run applies nothing')

  t.match(db(['seed'], env).out, /"sources":4,"tags":6,"articles":5,"collections":2,"teasers":6/)
  t.match(
    db(['seed'], env).out,
    /"sources":0,"tags":0,"articles":0,"collections":0,"teasers":0/,
    'seeding is idempotent',
  )

  const created = db(
    ['create', '--name', 'Frontend', '--scopes', 'content:read,content:preview'],
    env,
    'scripts/keys.ts',
  )
  t.equal(created.code, 0)
  t.match(created.out, /^nd_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/, 'keys:create prints the key alone on stdout')
  t.match(created.err, /scopes content:read, content:preview/)
  const badScope = db(['create', '--name', 'X', '--scopes', 'content:everything'], env, 'scripts/keys.ts')
  t.equal(badScope.code, 1)
  t.match(badScope.err, /Unknown scope\(s\): content:everything/)
  t.match(db(['create', '--scopes', 'content:read'], env, 'scripts/keys.ts').err, /--name is required/)

  const reset = db(['reset', '--force'], env)
  t.equal(reset.code, 0)
  t.match(reset.out, /applied \d+ migration\(s\), seeded \{"sources":4/)

  const usage = db(['frobnicate'], env)
  t.equal(usage.code, 1)
  t.match(usage.err, /^Usage/)
  t.match(db(['migration'], env).err, /^Usage: npm run db:migration -- <name>/)
  t.match(db(['migrate'], { DATABASE_URL: 'mysql://x' }).err, /^Invalid configuration: DATABASE_URL/)
})
