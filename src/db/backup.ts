// Backups of the database the configuration names, and their restore (npm run db:backup / db:restore).
// Embedded PGlite: its data folder as a gzipped tar (PGlite's own dump), taken and restored under
// the folder's lock, so never while a server has it open. A PostgreSQL server: pg_dump's custom
// format, restored by pg_restore (PostgreSQL's client tools must be installed).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { open, readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import pg from 'pg'
import type { Config } from '../config.js'
import { lockDataDir, lockFileName } from './data-dir-lock.js'
import { createPGlite } from './database.js'

/** A backup or restore that cannot or must not go ahead; the message says why and what to do. */
export class BackupError extends Error {
  override name = 'BackupError'
}

export interface BackupOptions {
  /** Overwrite an existing backup file, or restore over a database that holds data. */
  force: boolean
}

export interface BackupResult {
  file: string
  bytes: number
}

/** Backs the database up into `file` (written beside it first, then renamed into place). */
export async function backupDatabase(
  config: Config['database'],
  file: string,
  options: BackupOptions,
): Promise<BackupResult> {
  const target = resolve(file)
  if (existsSync(target) && !options.force) {
    throw new BackupError(`${target} exists; run db:backup with --force to overwrite it`)
  }
  const partial = join(dirname(target), `.${basename(target)}.${process.pid}.partial`)
  try {
    if (config.kind === 'server') await runTool('pg_dump', ['--format=custom', `--file=${partial}`, config.url])
    else await dumpEmbedded(config.dataDir, partial)
    await rename(partial, target)
  } finally {
    await rm(partial, { force: true })
  }
  return { file: target, bytes: (await stat(target)).size }
}

/** Restores `file` (a db:backup of the same kind of database) over the configured database. */
export async function restoreDatabase(config: Config['database'], file: string, options: BackupOptions): Promise<void> {
  const source = resolve(file)
  if (!existsSync(source)) throw new BackupError(`${source} does not exist`)
  if (config.kind === 'server') await restoreServer(config.url, source, options)
  else await restoreEmbedded(config.dataDir, source, options)
}

function embeddedFolder(dataDir: string): string {
  if (dataDir === 'memory://')
    throw new BackupError('an in-memory database (DATA_DIR=memory://) has nothing to back up')
  return resolve(dataDir)
}

async function dumpEmbedded(dataDir: string, out: string): Promise<void> {
  const dir = embeddedFolder(dataDir)
  if (!existsSync(join(dir, 'PG_VERSION'))) throw new BackupError(`${dir} holds no embedded database`)
  const lock = await lockDataDir(dir)
  try {
    const pglite = createPGlite(dir)
    try {
      await pglite.waitReady
      // Everything written so far in the data files, so that the copy needs no WAL replay.
      await pglite.exec('CHECKPOINT')
      const dump = await pglite.dumpDataDir('gzip')
      await writeExclusive(out, Buffer.from(await dump.arrayBuffer()))
    } finally {
      await pglite.close()
    }
  } finally {
    lock.release()
  }
}

/**
 * Unpacks the backup into a new folder beside the data folder, opens it there (PGlite checks it),
 * then swaps the two folders. The old folder stays locked until the swap, and is removed after.
 */
async function restoreEmbedded(dataDir: string, source: string, options: BackupOptions): Promise<void> {
  const dir = embeddedFolder(dataDir)
  const holdsData = existsSync(join(dir, 'PG_VERSION'))
  if (holdsData && !options.force) {
    throw new BackupError(`${dir} holds a database; run db:restore with --force to replace it with the backup`)
  }
  const data = await readFile(source)
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) {
    throw new BackupError(`${source} is not a backup of an embedded database (a gzipped tar from db:backup)`)
  }
  const lock = holdsData ? await lockDataDir(dir) : undefined
  const staging = `${dir}.restoring-${process.pid}`
  const old = `${dir}.replaced-${process.pid}`
  let replaced = false
  try {
    await rm(staging, { recursive: true, force: true })
    await loadInto(staging, data)
    // The backup's own lock file names the process that took it, which is gone.
    await rm(join(staging, lockFileName), { force: true })
    const moved = existsSync(dir)
    if (moved) await rename(dir, old)
    try {
      await rename(staging, dir)
      replaced = true
    } catch (err) {
      // The database goes back where it was: nothing is removed unless the backup took its place.
      if (moved) await rename(old, dir)
      throw err
    }
  } catch (err) {
    await rm(staging, { recursive: true, force: true })
    throw err
  } finally {
    lock?.release()
    if (replaced) await rm(old, { recursive: true, force: true })
  }
}

async function loadInto(folder: string, data: Buffer): Promise<void> {
  const pglite = createPGlite(folder, undefined, new Blob([new Uint8Array(data)]))
  try {
    await pglite.waitReady
    await pglite.query('SELECT 1')
  } catch (err) {
    throw new BackupError(`the backup could not be opened: ${(err as Error).message}`)
  } finally {
    await pglite.close().catch(() => {})
  }
}

async function restoreServer(url: string, source: string, options: BackupOptions): Promise<void> {
  if (!options.force && (await publicTables(url)) > 0) {
    throw new BackupError('the database holds tables; run db:restore with --force to replace them with the backup')
  }
  // One transaction: a restore that fails part way leaves the database as it was.
  await runTool('pg_restore', [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--single-transaction',
    `--dbname=${url}`,
    source,
  ])
}

async function publicTables(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
    )
    return rows[0]?.n ?? 0
  } finally {
    await client.end()
  }
}

async function writeExclusive(path: string, data: Buffer): Promise<void> {
  const handle = await open(path, 'wx', 0o600)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Runs one of PostgreSQL's client tools; its stdout, or a BackupError with its stderr. */
function runTool(tool: string, args: string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8')
    })
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new BackupError(
              `${tool} was not found: a backup of a PostgreSQL server needs PostgreSQL's client tools ` +
                '(e.g. the postgresql-client package), of the server’s major version or newer',
            )
          : e,
      ),
    )
    child.on('close', (code) =>
      code === 0 ? resolveRun(out) : reject(new BackupError(`${tool} failed (exit ${code}): ${err.trim()}`)),
    )
  })
}
