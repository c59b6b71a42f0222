// Preloaded (node --import) into an API server started for the statement-time table: appends the
// text and parameters of every statement the server sends through pg, one JSON line each, to the
// file BENCH_SQL_LOG names. The runner reads what a request added (bench/statements.ts).
import { appendFileSync } from 'node:fs'
import pg from 'pg'

const file = process.env.BENCH_SQL_LOG
if (file) {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown
  const patched = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
    const statement =
      typeof config === 'string'
        ? { text: config, values: Array.isArray(rest[0]) ? rest[0] : [] }
        : config && typeof config === 'object' && 'text' in config
          ? { text: (config as { text: string }).text, values: (config as { values?: unknown[] }).values ?? [] }
          : null
    if (statement) appendFileSync(file, `${JSON.stringify(statement)}\n`)
    return query.call(this, config, ...rest)
  }
  ;(pg.Client.prototype as unknown as { query: typeof patched }).query = patched
}
