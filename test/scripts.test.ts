// The database commands behind npm run db:migrate / db:seed / db:reset / db:migration, and
// keys:create; and that none of them opens an embedded database a running server has open.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'tap'
import { lockFileName } from '../src/db/data-dir-lock.js'
import { freePort, printedKey, ready, startServer, waitFor } from './processes.js'

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

  t.match(
    db(['seed'], env).out,
    /"sources":4,"people":2,"sections":7,"tags":6,"articles":5,"collections":2,"teasers":6/,
  )
  t.match(
    db(['seed'], env).out,
    /"sources":0,"people":0,"sections":0,"tags":0,"articles":0,"collections":0,"teasers":0/,
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
  // An unknown option or --help: the usage line, never a stack trace.
  const unknownOption = db(['create', '--nmae', 'X'], env, 'scripts/keys.ts')
  t.equal(unknownOption.code, 1)
  t.match(unknownOption.err, /Unknown option '--nmae'.*\nUsage: npm run keys:create/)
  t.notMatch(unknownOption.err, /\n\s+at \S+ \(/, 'no stack trace')
  const help = db(['--help'], env, 'scripts/keys.ts')
  t.equal(help.code, 0)
  t.match(help.err, /Usage: npm run keys:create -- --name <name> --scopes/)

  const reset = db(['reset', '--force'], env)
  t.equal(reset.code, 0)
  t.match(reset.out, /applied \d+ migration\(s\), seeded \{"sources":4/)

  const usage = db(['frobnicate'], env)
  t.equal(usage.code, 1)
  t.match(usage.err, /^Usage/)
  t.match(db(['migration'], env).err, /^Usage: npm run db:migration -- <name>/)
  t.match(db(['migrate'], { DATABASE_URL: 'mysql://x' }).err, /^Invalid configuration: DATABASE_URL/)
})

test('an embedded database the server has open is refused to keys:create, db commands and a second server', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'newsdesk-shared-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const env = { DATA_DIR: dataDir }
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const server = startServer(env, port)
  t.teardown(() => server.child.kill('SIGKILL'))
  await waitFor(() => ready(server) || server.child.exitCode !== null, 'the server to start')
  const admin = printedKey(server) as string
  t.ok(admin, 'the first start printed the admin key')
  const pid = server.child.pid as number
  const keys = async (key: string) =>
    (await (await fetch(`${base}/v1/keys`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      data: { name: string }[]
    }

  const refused = db(['create', '--name', 'Beside the server', '--scopes', 'content:read'], env, 'scripts/keys.ts')
  t.equal(refused.code, 1, 'keys:create fails')
  t.equal(refused.out, '', 'and prints no key')
  t.equal(refused.err.split('\n').length, 1, 'one line')
  t.match(
    refused.err,
    `Cannot create a key: the embedded database ${dataDir} is open in process ${pid} (the running server?), and an embedded database cannot be shared with a running server.`,
  )
  t.match(refused.err, /Stop the server and run this again, or create the key through the server: POST \/v1\/keys/)

  // db:migrate, db:seed and db:reset open the database in one place.
  const migrate = db(['migrate'], env)
  t.equal(migrate.code, 1, 'db:migrate fails')
  t.equal(migrate.err.split('\n').length, 1, 'one line')
  t.match(migrate.err, `The embedded database ${dataDir} is open in process ${pid}, and only one process at a time`)
  t.match(migrate.err, /set DATABASE_URL to a PostgreSQL server/)

  const second = startServer(env, await freePort())
  t.teardown(() => second.child.kill('SIGKILL'))
  t.equal((await second.exited).code, 1, 'a second server stops')
  t.equal(second.stderr().trim().split('\n').length, 1, 'with one line')
  t.match(second.stderr(), `The embedded database ${dataDir} is open in process ${pid}`)

  // Nothing was written beside the server, and it goes on serving and writing.
  t.same(
    (await keys(admin)).data.map((k) => k.name),
    ['Admin (created on first start)'],
  )
  const source = await fetch(`${base}/v1/sources`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Reuters', kind: 'agency' }),
  })
  t.equal(source.status, 201)
  server.child.kill('SIGTERM')
  t.equal((await server.exited).code, 0, 'the server stops cleanly')
  t.notOk(existsSync(join(dataDir, lockFileName)), 'and releases the folder')

  const created = db(['create', '--name', 'After the server', '--scopes', 'content:read'], env, 'scripts/keys.ts')
  t.equal(created.code, 0, 'keys:create works once the server is stopped')
  const restarted = startServer(env, port)
  t.teardown(() => restarted.child.kill('SIGKILL'))
  await waitFor(() => ready(restarted) || restarted.child.exitCode !== null, 'the restart')
  t.same(
    (await keys(admin)).data.map((k) => k.name).sort(),
    ['Admin (created on first start)', 'After the server'],
    'the server sees the key',
  )
  const read = await fetch(`${base}/v1/sources/reuters`, { headers: { authorization: `Bearer ${created.out}` } })
  t.equal(read.status, 200, 'the key works, and what the server wrote is there')
  restarted.child.kill('SIGTERM')
  t.equal((await restarted.exited).code, 0)
})

test('a process that exits without closing the database releases the folder', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'newsdesk-exit-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const code = `import { lockDataDir } from './src/db/data-dir-lock.ts'
await lockDataDir(process.argv[1])
process.exit(3)`
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, dataDir], {
    encoding: 'utf8',
  })
  t.equal(res.status, 3, res.stderr)
  t.notOk(existsSync(join(dataDir, lockFileName)))
})
