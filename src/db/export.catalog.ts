// The queries of db:export-to (src/db/export.ts), on either side: what the catalog says about the
// tables (columns, keys, foreign keys, sequences), which tables hold rows, and one table's rows
// read in keyset pages and written as one statement per page. Every table is found in the
// catalog, so a table a later migration adds is copied without a change here.

/** Runs one statement: PGlite's query or a pg client's, reduced to its rows. */
export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>

export interface Column {
  name: string
  /** As format_type writes it, e.g. `timestamp(3) with time zone`: a cast for a key value. */
  type: string
  /** A generated column, computed again by the target. */
  generated: boolean
}

export interface Table {
  name: string
  columns: Column[]
  /** The primary key's columns in key order; empty for a table without one (paged by ctid). */
  key: Column[]
}

export interface ForeignKey {
  name: string
  table: string
  references: string
  /** pg_get_constraintdef: what re-creates it. */
  definition: string
}

/** Never copied: each side's migration history is its own. */
const history = '_prisma_migrations'

export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`
const qualified = (name: string) => `public.${ident(name)}`

/** The application's tables, by name, with their columns and primary key. */
export async function listTables(query: Query): Promise<Table[]> {
  const rows = await query<{ table: string; column: string; type: string; generated: boolean; key: number | null }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
        a.attgenerated <> '' AS generated, array_position(i.indkey::int2[], a.attnum) AS key
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> $1
      ORDER BY c.relname, a.attnum`,
    [history],
  )
  const tables = new Map<string, Table & { keyAt: Map<Column, number> }>()
  for (const row of rows) {
    let table = tables.get(row.table)
    if (!table) {
      table = { name: row.table, columns: [], key: [], keyAt: new Map() }
      tables.set(row.table, table)
    }
    const column = { name: row.column, type: row.type, generated: row.generated }
    table.columns.push(column)
    if (row.key !== null) table.keyAt.set(column, Number(row.key))
  }
  return [...tables.values()].map(({ keyAt, ...table }) => ({
    ...table,
    key: [...keyAt.keys()].sort((a, b) => (keyAt.get(a) ?? 0) - (keyAt.get(b) ?? 0)),
  }))
}

export async function listForeignKeys(query: Query): Promise<ForeignKey[]> {
  return query<ForeignKey>(
    `SELECT k.conname AS name, c.relname AS table, r.relname AS references, pg_get_constraintdef(k.oid) AS definition
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_class r ON r.oid = k.confrelid
      JOIN pg_namespace n ON n.oid = k.connamespace
      WHERE k.contype = 'f' AND n.nspname = 'public'
      ORDER BY c.relname, k.conname`,
  )
}

/**
 * The order to copy the tables in so that every row's foreign keys find their rows already
 * copied: a table after the tables it references. A foreign key that no order can satisfy (a
 * table referencing itself, such as a section's parent, or a cycle between tables) is returned
 * as deferred: it is dropped for the copy and created again after it, which checks every row.
 */
export function copyOrder(tables: string[], keys: ForeignKey[]): { order: string[]; deferred: ForeignKey[] } {
  const pending = new Set([...tables].sort())
  const deferred = keys.filter((k) => k.table === k.references && pending.has(k.table))
  const waitsFor = (table: string) =>
    keys.filter(
      (k) => k.table === table && k.references !== table && pending.has(k.references) && !deferred.includes(k),
    )
  const order: string[] = []
  while (pending.size > 0) {
    const next = [...pending].find((table) => waitsFor(table).length === 0)
    if (next === undefined) {
      // A cycle: the first table in it goes now, its keys into the cycle checked at the end.
      const first = [...pending][0] as string
      deferred.push(...waitsFor(first))
      continue
    }
    order.push(next)
    pending.delete(next)
  }
  return { order, deferred }
}

/** Every table in the public schema, the migration history included. */
export async function tableNames(query: Query): Promise<string[]> {
  const rows = await query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`,
  )
  return rows.map((r) => r.name)
}

/**
 * The tables (other than the migration history) that hold rows, each with a digest of its rows,
 * or null for one holding more than `small` rows (which is content, whatever it is).
 */
export async function tablesWithRows(query: Query, small = 100): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>()
  for (const name of await tableNames(query)) {
    if (name === history) continue
    const [count] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${qualified(name)} LIMIT ${small + 1}) x`,
    )
    if (!count?.n) continue
    if (count.n > small) {
      found.set(name, null)
      continue
    }
    const [digest] = await query<{ d: string }>(
      `SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS d FROM ${qualified(name)} x`,
    )
    found.set(name, digest?.d ?? null)
  }
  return found
}

export interface Sequence {
  name: string
  /** Its last value as text (a bigint), and whether nextval has returned it. */
  value: string
  called: boolean
}

export async function readSequences(query: Query): Promise<Sequence[]> {
  const names = await query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY 1`,
  )
  const sequences: Sequence[] = []
  for (const { name } of names) {
    const [row] = await query<{ value: string; called: boolean }>(
      `SELECT last_value::text AS value, is_called AS called FROM ${qualified(name)}`,
    )
    if (row) sequences.push({ name, value: row.value, called: row.called })
  }
  return sequences
}

export async function setSequence(query: Query, sequence: Sequence): Promise<void> {
  await query('SELECT setval($1::regclass, $2::bigint, $3::boolean)', [
    qualified(sequence.name),
    sequence.value,
    sequence.called,
  ])
}

/** A page's JSON text aims at this size: revisions of long articles are ~100 KB a row. */
const pageBytes = 4 * 1024 * 1024

/**
 * Copies one table's rows in pages, in key order: each page is read as JSON text (every type in
 * its exact text form: bytea as hex, timestamps with their offset, arrays and JSON as they are)
 * and inserted by one statement that parses it into the table's row type. Memory holds one page:
 * the first is 50 rows, and each next one is sized from the last one's bytes to about 4 MB, at
 * most `pageRows` rows. Generated columns are left to the target. Returns the rows copied.
 */
export async function copyRows(source: Query, target: Query, table: Table, pageRows = 1000): Promise<number> {
  const columns = table.columns.filter((c) => !c.generated).map((c) => ident(c.name))
  const keys = table.key.length
    ? table.key.map((c) => ({ expr: `t.${ident(c.name)}`, type: c.type }))
    : [{ expr: 't.ctid', type: 'tid' }]
  const keyList = keys.map((k) => k.expr).join(', ')
  const read = (after: boolean, limit: number) =>
    `SELECT to_json(x)::text AS j, ${keys.map((k, i) => `${k.expr}::text AS k${i}`).join(', ')}
      FROM ${qualified(table.name)} t CROSS JOIN LATERAL (SELECT ${columns.map((c) => `t.${c}`).join(', ')}) x
      ${after ? `WHERE (${keyList}) > (${keys.map((k, i) => `$${i + 1}::${k.type}`).join(', ')})` : ''}
      ORDER BY ${keyList} LIMIT ${limit}`
  // OVERRIDING SYSTEM VALUE: an identity column GENERATED ALWAYS takes the source's value too.
  const write = `INSERT INTO ${qualified(table.name)} (${columns.join(', ')}) OVERRIDING SYSTEM VALUE
    SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${qualified(table.name)}, $1::json)`
  let copied = 0
  let last: string[] | undefined
  let limit = Math.min(50, pageRows)
  for (;;) {
    const rows = await source<Record<string, string>>(read(last !== undefined, limit), last)
    if (rows.length === 0) return copied
    const page = `[${rows.map((r) => r.j).join(',')}]`
    await target(write, [page])
    copied += rows.length
    if (rows.length < limit) return copied
    const end = rows[rows.length - 1] as Record<string, string>
    last = keys.map((_, i) => end[`k${i}`] as string)
    limit = Math.max(1, Math.min(pageRows, Math.floor((limit * pageBytes) / page.length)))
  }
}

/** One statement for several tables, or one each: `LOCK TABLE`, trigger switches, deletes. */
export const tableList = (names: string[]) => names.map(qualified).join(', ')
export { qualified }
