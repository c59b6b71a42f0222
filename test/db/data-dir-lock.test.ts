// The lock of an embedded data folder: one opener at a time, in this process or another; a lock
// left by a process that is gone is taken over. (Two real processes: test/scripts.test.ts.)
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import {
  DataDirInUseError,
  heartbeatMs,
  lockDataDir,
  lockFileName,
  staleAfterMs,
  startMarker,
} from '../../src/db/data-dir-lock.js'
import { openDatabase } from '../../src/db/database.js'

const linux = process.platform === 'linux'

async function folder(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'newsdesk-lock-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function owner(dir: string): Promise<{ pid: number; started: string | null; token: string; place?: string }> {
  return JSON.parse(await readFile(join(dir, lockFileName), 'utf8'))
}

/** A process that runs until the test ends. */
function sleeper(t: Test): ChildProcess & { pid: number } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' })
  t.teardown(() => child.kill('SIGKILL'))
  return child as ChildProcess & { pid: number }
}

/** The id of a process that has ended (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((resolve) => child.on('exit', resolve))
  return child.pid as number
}

t.test('an embedded folder opens once at a time in a process, and again after close', async (t) => {
  const dir = await folder(t)
  const first = await openDatabase({ kind: 'embedded', dataDir: dir })
  t.equal((await owner(dir)).pid, process.pid, 'the lock file names this process')

  const refused = await openDatabase({ kind: 'embedded', dataDir: dir }).then(
    () => t.fail('a second open succeeded'),
    (err: unknown) => err,
  )
  t.type(refused, DataDirInUseError)
  t.match(refused, { dataDir: dir, pid: process.pid })
  const message = (refused as Error).message
  t.equal(message.split('\n').length, 1, 'one line')
  t.match(message, `The embedded database ${dir} is open in process ${process.pid}`)
  t.match(message, /Stop that process .* or set DATABASE_URL to a PostgreSQL server/)
  await first.ping()

  await first.close()
  t.notOk(existsSync(join(dir, lockFileName)), 'close removes the lock file')
  const again = await openDatabase({ kind: 'embedded', dataDir: dir })
  await again.ping()
  await again.close()

  // In memory nothing is shared, so nothing is locked.
  const a = await openDatabase({ kind: 'embedded', dataDir: 'memory://' })
  const b = await openDatabase({ kind: 'embedded', dataDir: 'memory://' })
  await Promise.all([a.close(), b.close()])
})

t.test('a folder PGlite cannot open leaves no lock behind', async (t) => {
  const dir = await folder(t)
  await writeFile(join(dir, 'PG_VERSION'), '99\n')
  await t.rejects(openDatabase({ kind: 'embedded', dataDir: dir }), /PGlite failed to initialize/)
  t.notOk(existsSync(join(dir, lockFileName)))
})

t.test('a lock of a live process is refused; one left by a process that is gone is taken over', async (t) => {
  const dir = await folder(t)
  const path = join(dir, lockFileName)
  const takeOver = async (what: string) => {
    const lock = await lockDataDir(dir)
    t.equal((await owner(dir)).pid, process.pid, what)
    lock.release()
    t.notOk(existsSync(path))
  }

  const live = sleeper(t)
  await writeFile(path, JSON.stringify({ pid: live.pid, started: null, token: 'other' }))
  await t.rejects(lockDataDir(dir), new DataDirInUseError(dir, live.pid), 'a live process without a start marker')

  await writeFile(path, JSON.stringify({ pid: await deadPid(), started: null, token: 'gone' }))
  await takeOver('a process that ended')

  await writeFile(path, JSON.stringify({ pid: process.pid, started: startMarker(process.pid), token: 'earlier' }))
  await takeOver('an earlier process with this process id (a restarted container)')

  await writeFile(path, '{"pid":')
  await takeOver('a lock file left half written')

  // A take-over interrupted by a crash leaves its guard; one older than a few seconds is cleared.
  await writeFile(path, JSON.stringify({ pid: await deadPid(), started: null, token: 'gone' }))
  await writeFile(`${path}.takeover`, '')
  const past = new Date(Date.now() - 60000)
  await utimes(`${path}.takeover`, past, past)
  await takeOver('past a stale take-over guard')
  t.notOk(existsSync(`${path}.takeover`))

  // A lock released twice, or after another process replaced it, removes nothing of another's.
  const lock = await lockDataDir(dir)
  await writeFile(path, JSON.stringify({ pid: live.pid, started: null, token: 'other' }))
  lock.release()
  lock.release()
  t.ok(existsSync(path), "another process's lock stays")
})

t.test('file system errors other than the lock being there are not taken for a lock', async (t) => {
  const dir = await folder(t)
  const path = join(dir, lockFileName)
  await t.rejects(lockDataDir(join(dir, 'missing')), { code: 'ENOENT' }, 'a folder that does not exist')
  await mkdir(path)
  await t.rejects(lockDataDir(dir), { code: 'EISDIR' }, 'a lock that cannot be read')
  await rm(path, { recursive: true })
  await writeFile(path, JSON.stringify({ pid: await deadPid(), started: null, token: 'gone' }))
  await mkdir(`${path}.takeover`)
  const past = new Date(Date.now() - 60000)
  await utimes(`${path}.takeover`, past, past)
  await t.rejects(lockDataDir(dir), /EISDIR|EPERM/, 'a guard that cannot be removed')
  t.equal(startMarker(await deadPid()), null, 'no start marker for a process that is gone')
})

t.test('the start marker tells a live process from a later one with the same id', { skip: !linux }, async (t) => {
  const dir = await folder(t)
  const path = join(dir, lockFileName)
  const live = sleeper(t)
  const marker = startMarker(live.pid)
  t.match(marker, /^[0-9a-f-]{36}\/\d+$/, 'boot id and start time')

  await writeFile(path, JSON.stringify({ pid: live.pid, started: marker, token: 'other' }))
  await t.rejects(lockDataDir(dir), DataDirInUseError, 'the same process')

  await writeFile(path, JSON.stringify({ pid: live.pid, started: `${marker}0`, token: 'other' }))
  const lock = await lockDataDir(dir)
  t.equal((await owner(dir)).pid, process.pid, 'another process that got the id is not the owner')
  lock.release()

  // A process that has exited but whose parent has not reaped it yet (the shell exec'd into
  // `sleep`, which never waits for the child the shell started) is gone too. The child outlives
  // the exec by a second: one that ended before it could be reaped by the shell, and vanish.
  const shell = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 600'], { stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => shell.kill('SIGKILL'))
  const zombie = Number(await new Promise<string>((resolve) => shell.stdout.once('data', (d) => resolve(String(d)))))
  const until = Date.now() + 30000
  while (startMarker(zombie) !== 'zombie' && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
  t.equal(startMarker(zombie), 'zombie')
  await writeFile(path, JSON.stringify({ pid: zombie, started: marker, token: 'zombie' }))
  const taken = await lockDataDir(dir)
  t.equal((await owner(dir)).pid, process.pid, 'a zombie holds nothing')
  taken.release()
})

t.test('a lock from another host or PID namespace is live while its owner touches it', async (t) => {
  const dir = await folder(t)
  const path = join(dir, lockFileName)
  // Process 1 of another container sharing the volume: its id means nothing here, and the process
  // with that id here (init) must not decide either way.
  const elsewhere = 'newsdesk-2/pid:[4026532999]'
  await writeFile(path, JSON.stringify({ pid: 1, started: null, token: 'other', place: elsewhere }))
  const refused = await lockDataDir(dir).then(
    () => t.fail('taken although its owner touched it just now'),
    (err: unknown) => err as DataDirInUseError,
  )
  t.type(refused, DataDirInUseError)
  t.match(refused, { message: `is open in process 1 on ${elsewhere},`, holder: `process 1 on ${elsewhere}` })

  const untouched = new Date(Date.now() - staleAfterMs - 1000)
  await utimes(path, untouched, untouched)
  const lock = await lockDataDir(dir)
  t.match(await owner(dir), { pid: process.pid }, 'an owner elsewhere that stopped touching it has gone')
  t.type((await owner(dir)).place, 'string', 'the lock says where its owner runs')

  // The owner's touches: an mtime set back is set forward again within a heartbeat.
  const past = new Date(Date.now() - 60000)
  await utimes(path, past, past)
  await new Promise((resolve) => setTimeout(resolve, heartbeatMs + 1000))
  const { mtimeMs } = await stat(path)
  t.ok(Date.now() - mtimeMs < heartbeatMs + 2000, 'touched while held')
  lock.release()
  t.notOk(existsSync(path))
})
