// One process at a time may open an embedded data folder. PGlite has no lock of its own: a second
// process opening the folder works on its own copy of the pages, so what it writes is lost or
// overwritten (a key created by `npm run keys:create` next to a running server was rejected by the
// server and gone after a restart), and the two can corrupt the folder between them.
//
// The lock is a file in the folder, created with O_EXCL, naming its owner: process id and a start
// marker (Linux: boot id and the process's start time), so that a lock left by a process that died
// (killed, power cut) is taken over, even when a new process got the same id (a container's first
// processes get the same ids at every start). It is removed on close and on process exit.
//
// A process id means nothing outside its PID namespace: two containers sharing a volume, or two
// machines sharing a network folder, cannot see each other's processes. The lock also names where
// its owner runs (host name and PID namespace), and its owner touches the file every few seconds:
// a lock from elsewhere is live while it is fresh, and taken over once its owner stopped touching it.
import { randomUUID } from 'node:crypto'
import { closeSync, openSync, readFileSync, readlinkSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'

export const lockFileName = 'newsdesk.lock'

/** How often an owner touches its lock file, and how long a lock from elsewhere stays live untouched. */
export const heartbeatMs = 5000
export const staleAfterMs = 30_000

/** The folder is open in another process (or, already, in this one). */
export class DataDirInUseError extends Error {
  /** "process 4242", or "process 1 on <host>/<PID namespace>" for an owner elsewhere. */
  readonly holder: string

  constructor(
    readonly dataDir: string,
    readonly pid: number,
    elsewhere?: string,
  ) {
    const holder = elsewhere ? `process ${pid} on ${elsewhere}` : `process ${pid}`
    super(
      `The embedded database ${dataDir} is open in ${holder}, and only one process at a time can open it. ` +
        'Stop that process (a running Newsdesk server?) and try again, or set DATABASE_URL to a PostgreSQL server, ' +
        'which any number of processes can share.',
    )
    this.name = 'DataDirInUseError'
    this.holder = holder
  }
}

export interface DataDirLock {
  /** Removes the lock file (once; later calls do nothing). */
  release(): void
}

interface Owner {
  pid: number
  /** Tells a live process from a later one that got the same id; null where it cannot be read. */
  started: string | null
  /** Tells this process's own locks from ones an earlier process with the same id left. */
  token: string
  /** Where the owner runs: host name and PID namespace; its pid means something only there. */
  place: string | null
}

/** This process's host name and PID namespace (Linux), where its process ids mean something. */
function currentPlace(): string {
  let namespace = ''
  try {
    namespace = readlinkSync('/proc/self/ns/pid')
  } catch {
    // not Linux: the host name alone
  }
  return `${hostname()}/${namespace}`
}

/** Lock file path → token of the locks this process holds. */
const held = new Map<string, string>()
let exitHook = false
let heartbeat: NodeJS.Timeout | undefined

/**
 * Takes the lock of an embedded data folder (which must exist), or throws DataDirInUseError
 * naming the process that holds it. A lock whose process is gone is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, lockFileName)
  const me: Owner = { pid: process.pid, started: startMarker(process.pid), token: randomUUID(), place: currentPlace() }
  // Each round either takes the lock, finds a live owner, or clears a stale lock and tries again.
  const until = Date.now() + 10000
  while (Date.now() < until) {
    if (create(path, me)) return hold(path, me.token)
    const raw = await readSettled(path)
    if (raw === null) continue // released meanwhile
    const owner = parse(raw)
    if (owner && alive(path, owner)) {
      const elsewhere = owner.place !== null && owner.place !== me.place ? owner.place : undefined
      throw new DataDirInUseError(dataDir, owner.pid, elsewhere)
    }
    if (!removeIfUnchanged(path, raw)) await pause()
  }
  throw new Error(`Could not take the lock ${path}: it keeps changing`)
}

/** Creates the lock file only if none exists; false when one does. */
function create(path: string, owner: Owner): boolean {
  let fd: number
  try {
    fd = openSync(path, 'wx')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

function hold(path: string, token: string): DataDirLock {
  held.set(path, token)
  // Touched while held, so that a process elsewhere can tell a live lock from an abandoned one.
  heartbeat ??= setInterval(() => {
    const now = new Date()
    for (const lockPath of held.keys()) {
      try {
        utimesSync(lockPath, now, now)
      } catch {
        // removed under us: nothing to keep fresh
      }
    }
  }, heartbeatMs).unref()
  if (!exitHook) {
    exitHook = true
    // process.exit() and a normal end run 'exit' handlers; a killed process leaves a stale lock.
    process.on('exit', () => {
      for (const [lockPath, lockToken] of held) release(lockPath, lockToken)
    })
  }
  return { release: () => release(path, token) }
}

function release(path: string, token: string): void {
  if (held.get(path) !== token) return
  held.delete(path)
  if (held.size === 0 && heartbeat) {
    clearInterval(heartbeat)
    heartbeat = undefined
  }
  if (parse(read(path) ?? '')?.token === token) remove(path)
}

/** Removes a file that another process may have removed first. */
function remove(path: string): void {
  try {
    unlinkSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/**
 * The lock file's content. Its owner writes it just after creating the file, so an empty or
 * partial file is read again for a moment before it counts as left by a process that died then.
 */
async function readSettled(path: string): Promise<string | null> {
  let raw = read(path)
  for (let i = 0; i < 10 && raw !== null && parse(raw) === null; i++) {
    await pause()
    raw = read(path)
  }
  return raw
}

function parse(raw: string): Owner | null {
  try {
    const owner = JSON.parse(raw) as Partial<Owner>
    if (Number.isInteger(owner.pid) && typeof owner.token === 'string') {
      return {
        pid: owner.pid as number,
        started: owner.started ?? null,
        token: owner.token,
        place: owner.place ?? null,
      }
    }
  } catch {
    // not JSON: treated as no owner
  }
  return null
}

function alive(path: string, owner: Owner): boolean {
  // Another host or PID namespace: its process ids cannot be looked up here; its touches can.
  if (owner.place !== null && owner.place !== currentPlace()) {
    const touched = statSync(path, { throwIfNoEntry: false })?.mtimeMs
    return touched !== undefined && Date.now() - touched < staleAfterMs
  }
  // This process's id: alive only if this process holds it, else an earlier process with the same id left it.
  if (owner.pid === process.pid) return held.get(path) === owner.token
  try {
    process.kill(owner.pid, 0)
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const now = startMarker(owner.pid)
  if (now === 'zombie') return false
  return owner.started === null || now === null || now === owner.started
}

/**
 * Removes a stale lock file, unless it changed since it was read. The check and the removal are
 * made under a second lock file, so that two processes taking over the same stale lock cannot
 * remove each other's new one. False when another process is taking it over.
 */
function removeIfUnchanged(path: string, seen: string): boolean {
  const guard = `${path}.takeover`
  let fd: number
  try {
    fd = openSync(guard, 'wx')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    // A take-over lasts microseconds: a guard older than a few seconds was left by a process that died.
    if (Date.now() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 5000) remove(guard)
    return false
  }
  try {
    if (read(path) === seen) remove(path)
  } finally {
    closeSync(fd)
    remove(guard)
  }
  return true
}

/**
 * A marker of when process `pid` started, from /proc (Linux): the boot id and the start time in
 * clock ticks since boot. 'zombie' for a process that has exited but not been reaped; null where
 * /proc cannot tell (other systems), so only the process id is compared.
 */
export function startMarker(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces and parentheses): state is the 3rd
    // field of the line, starttime the 22nd.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] === 'Z') return 'zombie'
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    return `${boot}/${fields[19]}`
  } catch {
    return null
  }
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20))
}
