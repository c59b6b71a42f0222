// Keyset pagination without HTTP: opaque cursors that name the sort they belong to, the range
// condition that keeps PostgreSQL on the (field, id) index, and pages built from `limit + 1` rows.
import { InvalidCursorError } from '../errors.js'
import { maxInt4, maxReal, minReal, parseCursorTimestamp } from './ranges.js'
import { uuidPattern } from './uuid.js'

/** A sort order: a field (ascending, or descending with a leading '-'), with the id as tie-breaker. */
export interface SortSpec<F extends string> {
  field: F
  direction: 'asc' | 'desc'
  key: string
}

export function parseSort<F extends string>(sort: string): SortSpec<F> {
  const desc = sort.startsWith('-')
  return { field: (desc ? sort.slice(1) : sort) as F, direction: desc ? 'desc' : 'asc', key: sort }
}

export type CursorValue = string | number | null

interface CursorPayload {
  s: string
  v: CursorValue[]
}

/** Encodes the position after a row: the sort it belongs to and the row's sort values and id. */
export function encodeCursor(sortKey: string, values: CursorValue[]): string {
  const payload: CursorPayload = { s: sortKey, v: values }
  return Buffer.from(JSON.stringify(payload)).toString('base64url')
}

/**
 * What a cursor value must be, checked against the range of the column it is compared with:
 * - 'string': any text without NUL; 'uuid': an id
 * - 'date': an instant within the range every accepted timestamp has (src/lib/ranges.ts)
 * - 'date-or-empty': the same, or '' for a row without one (null)
 * - 'number': a finite number a PostgreSQL real holds (a search rank); sent as a number or a string
 * - 'integer': a PostgreSQL integer (int4), such as a version; sent as a number or a string
 */
export type CursorKind = 'string' | 'uuid' | 'date' | 'date-or-empty' | 'number' | 'integer'
type CursorValueOf<K extends CursorKind> = K extends 'date'
  ? Date
  : K extends 'date-or-empty'
    ? Date | null
    : K extends 'number' | 'integer'
      ? number
      : string

const decimal = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/

function cursorNumber(value: unknown, kind: 'number' | 'integer'): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && decimal.test(value) ? Number(value) : NaN
  const max = kind === 'integer' ? maxInt4 : maxReal
  // NaN fails every comparison. A real also refuses a magnitude below its smallest (22003).
  const fits = n >= -max && n <= max && (kind === 'integer' ? Number.isInteger(n) : n === 0 || Math.abs(n) >= minReal)
  if (!fits) throw new InvalidCursorError()
  return n
}

function cursorValue(value: unknown, kind: CursorKind): string | number | Date | null {
  if (kind === 'number' || kind === 'integer') return cursorNumber(value, kind)
  if (typeof value !== 'string' || value.includes('\u0000')) throw new InvalidCursorError()
  if (kind === 'uuid' && !uuidPattern.test(value)) throw new InvalidCursorError()
  if (kind === 'date-or-empty' && value === '') return null
  if (kind === 'date' || kind === 'date-or-empty') {
    const date = parseCursorTimestamp(value)
    if (!date) throw new InvalidCursorError()
    return date
  }
  return value
}

/**
 * Decodes a cursor into values of the given kinds, rejecting (400) one that is malformed, was
 * issued for a different sort, or holds values of the wrong kind: a tampered cursor is the
 * client's mistake and must never reach the database as a bad parameter.
 */
export function decodeCursor<const K extends readonly CursorKind[]>(
  cursor: string,
  sortKey: string,
  kinds: K,
): { [I in keyof K]: CursorValueOf<K[I]> } {
  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw new InvalidCursorError()
  }
  const p = payload as Partial<CursorPayload> | null
  if (!p || p.s !== sortKey || !Array.isArray(p.v) || p.v.length !== kinds.length) {
    throw new InvalidCursorError()
  }
  return kinds.map((kind, i) => cursorValue(p.v?.[i], kind)) as { [I in keyof K]: CursorValueOf<K[I]> }
}

/**
 * Prisma `where` for the rows after (field, id) in the given direction. The redundant bound on the
 * field alone (`gte`/`lte`) lets PostgreSQL use the (field, id) index as a range bound; the OR alone
 * is not recognised as one and degrades to a scan.
 */
export function keysetWhere(field: string, direction: 'asc' | 'desc', value: unknown, id: string) {
  const op = direction === 'asc' ? 'gt' : 'lt'
  const opEq = direction === 'asc' ? 'gte' : 'lte'
  return {
    AND: [{ [field]: { [opEq]: value } }, { OR: [{ [field]: { [op]: value } }, { [field]: value, id: { [op]: id } }] }],
  }
}

export interface Page<T> {
  data: T[]
  page: { limit: number; nextCursor: string | null }
}

/** Builds a page from rows fetched with `limit + 1`: the extra row only tells that more exist. */
export function toPage<T>(rows: T[], limit: number, sortKey: string, cursorOf: (row: T) => CursorValue[]): Page<T> {
  const hasMore = rows.length > limit
  const data = hasMore ? rows.slice(0, limit) : rows
  const last = data.at(-1)
  return {
    data,
    page: { limit, nextCursor: hasMore && last ? encodeCursor(sortKey, cursorOf(last)) : null },
  }
}

/** Where a page of a list by name or creation time starts: its order and the last row seen. */
export interface NamedListPosition {
  sort: SortSpec<'nameKey' | 'createdAt'>
  after?: { value: unknown; id: string }
}

/**
 * One page of records listed by name (their lower-cased `nameKey`) or creation time, either way,
 * with the id as tie-breaker: the sort and cursor decoded, the rows fetched (`limit + 1`), the next
 * cursor encoded. Sources and people list this way.
 */
export async function namedListPage<R extends { id: string; nameKey: string; createdAt: Date }>(
  query: { sort: string; cursor?: string; limit: number },
  fetch: (position: NamedListPosition) => Promise<R[]>,
): Promise<Page<R>> {
  const requested = parseSort<'name' | 'createdAt'>(query.sort)
  const sort = { ...requested, field: requested.field === 'name' ? ('nameKey' as const) : requested.field }
  const byName = sort.field === 'nameKey'
  const after = query.cursor ? decodeCursor(query.cursor, sort.key, [byName ? 'string' : 'date', 'uuid']) : undefined
  const rows = await fetch({ sort, after: after ? { value: after[0], id: after[1] } : undefined })
  return toPage(rows, query.limit, sort.key, (r) => [byName ? r.nameKey : r.createdAt.toISOString(), r.id])
}
