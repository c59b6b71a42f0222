// Forcing a race on a PostgreSQL server: another transaction holds rows or locks while requests
// arrive, and lets go once every request waits for it.
import pg from 'pg'
import type { Res } from './helper.js'

/**
 * Runs the requests while another transaction on the database at `url` holds `hold` (statements
 * run in it first), waits until they all wait for a lock, then runs `release` in it and commits.
 */
export async function racing(
  url: string,
  hold: string[],
  requests: () => Promise<Res>[],
  release: string[] = [],
): Promise<Res[]> {
  const other = new pg.Client({ connectionString: url })
  const watcher = new pg.Client({ connectionString: url })
  await Promise.all([other.connect(), watcher.connect()])
  try {
    await other.query('BEGIN')
    for (const statement of hold) await other.query(statement)
    const pending = requests()
    for (let i = 0; ; i++) {
      const waiting = await watcher.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      )
      if ((waiting.rowCount ?? 0) >= pending.length) break
      if (i > 300) throw new Error('the requests never waited for the other transaction')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    for (const statement of release) await other.query(statement)
    await other.query('COMMIT')
    return await Promise.all(pending)
  } finally {
    await Promise.all([other.end(), watcher.end()])
  }
}
