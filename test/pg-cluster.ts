// A PostgreSQL primary and a streaming replica of it, started for one test file: initdb, then
// pg_basebackup -R, on free loopback ports, in a temporary folder. PostgreSQL's server binaries
// refuse to run as root: as root they run as the `postgres` user (the spawn's uid and gid), in a folder it owns.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { freePort } from './processes.js'

export interface Cluster {
  primaryUrl: string
  replicaUrl: string
  /** Stops the replica (fast shutdown: its connections are closed). */
  stopReplica(): void
  startReplica(): void
  /** Runs one statement on the primary or the replica: its rows. */
  sql<T = Record<string, unknown>>(on: 'primary' | 'replica', text: string, values?: unknown[]): Promise<T[]>
  stop(): Promise<void>
}

/** The postgres user's ids, to run the server binaries as when this process is root; null when there is none. */
function postgresIds(): { uid: number; gid: number } | null {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }))
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    return null
  }
}

/** Where PostgreSQL's server binaries are: pg_config's answer, else Debian's newest /usr/lib/postgresql/<n>/bin. */
function serverBindir(): string | null {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    const versions = existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((v) => /^[0-9]+$/.test(v))
          .sort((a, b) => Number(b) - Number(a))
      : []
    return versions[0] ? `/usr/lib/postgresql/${versions[0]}/bin` : null
  }
}

/** Why the cluster cannot start here (missing binaries, no postgres user), or null. */
export function clusterUnavailable(): string | null {
  const bindir = serverBindir()
  if (!bindir) return 'PostgreSQL server binaries not found (no pg_config, no /usr/lib/postgresql/<version>/bin)'
  for (const bin of ['initdb', 'pg_ctl', 'pg_basebackup']) {
    if (!existsSync(join(bindir, bin))) return `${bin} is missing from ${bindir}`
  }
  if (process.getuid?.() === 0) {
    const ids = postgresIds()
    try {
      if (!ids) throw new Error('no postgres user')
      execFileSync(join(bindir, 'initdb'), ['--version'], { stdio: 'ignore', ...ids })
    } catch {
      return 'running as root and the server binaries cannot run as the postgres user (PostgreSQL refuses to run as root)'
    }
  }
  return null
}

export async function startCluster(): Promise<Cluster> {
  const bindir = serverBindir() as string
  const root = process.getuid?.() === 0
  const dir = await mkdtemp(join(tmpdir(), 'newsdesk-replica-'))
  // As root, the binaries run as the postgres user (no shell between), in a folder it owns.
  const ids = root ? postgresIds() : null
  if (ids) await chown(dir, ids.uid, ids.gid)
  await chmod(dir, 0o700)
  const run = (bin: string, ...args: string[]) => {
    execFileSync(join(bindir, bin), args, { stdio: 'pipe', cwd: dir, ...(ids ?? {}) })
  }
  const [primaryPort, replicaPort] = [await freePort(), await freePort()]
  const server = (name: string, port: number, extra = '') => [
    '-D',
    join(dir, name),
    '-l',
    join(dir, `${name}.log`),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off ${extra}`,
  ]
  const stopAll = () => {
    for (const name of ['r', 'p']) {
      if (!existsSync(join(dir, name, 'postmaster.pid'))) continue
      try {
        run('pg_ctl', '-D', join(dir, name), '-m', 'fast', 'stop')
      } catch {}
    }
  }
  // A test that times out or is interrupted skips its teardown: the servers stop with the process.
  process.on('exit', stopAll)
  const urlOf = (port: number) => `postgres://postgres@127.0.0.1:${port}/newsdesk`
  try {
    run('initdb', '-D', join(dir, 'p'), '-A', 'trust', '-U', 'postgres', '--no-sync')
    run('pg_ctl', ...server('p', primaryPort, '-c wal_level=replica'), 'start')
    run(
      'pg_basebackup',
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      join(dir, 'r'),
      '-R',
      '--checkpoint=fast',
    )
    run('pg_ctl', ...server('r', replicaPort), 'start')
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${primaryPort}/postgres` })
    await admin.connect()
    try {
      await admin.query('CREATE DATABASE newsdesk')
    } finally {
      await admin.end()
    }
  } catch (err) {
    stopAll()
    process.off('exit', stopAll)
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  const sql = async <T>(on: 'primary' | 'replica', text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: urlOf(on === 'primary' ? primaryPort : replicaPort) })
    client.on('error', () => {})
    await client.connect()
    try {
      return (await client.query(text, values)).rows as T[]
    } finally {
      await client.end()
    }
  }
  return {
    primaryUrl: urlOf(primaryPort),
    replicaUrl: urlOf(replicaPort),
    stopReplica: () => run('pg_ctl', '-D', join(dir, 'r'), '-m', 'fast', 'stop'),
    startReplica: () => run('pg_ctl', ...server('r', replicaPort), 'start'),
    sql,
    async stop() {
      stopAll()
      process.off('exit', stopAll)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Polls `check` until it holds (replication is real time, not a clock a test can move). */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`)
    await sleep(20)
  }
}

export function replicaTools(cluster: Cluster) {
  const headlineOn = async (on: 'primary' | 'replica', id: string) =>
    (await cluster.sql<{ headline: string }>(on, 'SELECT headline FROM articles WHERE id = $1', [id]))[0]?.headline
  return {
    headlineOn,
    async pause() {
      await cluster.sql('replica', 'SELECT pg_wal_replay_pause()')
      const [state] = await cluster.sql<{ s: string }>('replica', 'SELECT pg_get_wal_replay_pause_state() AS s')
      if (state?.s === 'not paused') throw new Error('replay did not pause')
    },
    resume: () => cluster.sql('replica', 'SELECT pg_wal_replay_resume()'),
    /** Changes a headline on the primary without a change notification (no trigger fires). */
    async quietly(id: string, headline: string, table = 'articles', column = 'headline') {
      const client = new pg.Client({ connectionString: cluster.primaryUrl })
      await client.connect()
      try {
        await client.query("SET session_replication_role = 'replica'")
        await client.query(`UPDATE ${table} SET ${column} = $1 WHERE id = $2`, [headline, id])
      } finally {
        await client.end()
      }
    },
    /** The replica shows the primary's headline (it has replayed everything up to now). */
    caughtUp: async (id: string) => (await headlineOn('replica', id)) === (await headlineOn('primary', id)),
  }
}
