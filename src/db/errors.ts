// Translates database failures into application errors, in one place, so that SQL and driver
// messages never reach a client and every route maps the same failure the same way.
import {
  ConflictError,
  DatabaseUnavailableError,
  MissingReferenceError,
  NotFoundError,
  UniqueViolationError,
  ValidationError,
  withProblem,
} from '../errors.js'
import { Prisma } from '../generated/prisma/client.js'

interface AdapterCause {
  kind?: string
  originalCode?: string
  originalMessage?: string
  constraint?: { index?: string; fields?: string[] }
}

const unavailableKinds = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
])
const unavailableNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'])

function adapterCause(err: unknown): AdapterCause | undefined {
  const meta = (err as { meta?: { driverAdapterError?: { cause?: AdapterCause } } }).meta
  return meta?.driverAdapterError?.cause
}

/** A statement's failure as the pg driver reports it (a direct transaction's): its SQLSTATE, constraint and table. */
function driverCause(err: unknown): (AdapterCause & { table?: string }) | undefined {
  const e = err as { code?: unknown; severity?: unknown; constraint?: string; table?: string; message?: string }
  if (!(err instanceof Error) || typeof e.severity !== 'string' || typeof e.code !== 'string') return undefined
  if (!/^[0-9A-Z]{5}$/.test(e.code)) return undefined
  return {
    originalCode: e.code,
    originalMessage: e.message,
    constraint: e.constraint ? { index: e.constraint } : undefined,
    table: e.table,
  }
}

function translateDriverError(cause: AdapterCause & { table?: string }, resource: string): Error | undefined {
  const sqlState = cause.originalCode
  if (sqlState === '23505') {
    const field = fieldOfUniqueIndex(cause.constraint?.index, cause.table)
    return withProblem(new UniqueViolationError(field), { field })
  }
  if (
    sqlState === '23001' ||
    (sqlState === '23503' && cause.originalMessage?.startsWith('update or delete on table'))
  ) {
    return new ConflictError(`This ${resource} is still referenced by other records`)
  }
  if (sqlState === '23503') return new MissingReferenceError(`A record this ${resource} refers to does not exist`)
  return clientLimitError(sqlState, cause.originalMessage)
}

/** True when the error means the database could not be reached or dropped the connection. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true
  // P2028: every pooled connection stayed busy for longer than a transaction waits to start (a
  // burst of writes beyond the pool): the same answer as an outage, retry shortly.
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2028') return true
  const cause = adapterCause(err)
  if (cause?.kind && unavailableKinds.has(cause.kind)) return true
  // 08xxx: connection exceptions; 57P01-57P03: the server is shutting down or starting up.
  if (cause?.originalCode && /^(08|57P0)/.test(cause.originalCode)) return true
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && (unavailableNodeCodes.has(code) || /^(08|57P0)/.test(code))) return true
  const message = err instanceof Error ? err.message : ''
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database server|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    message,
  )
}

function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

// PostgreSQL names unique indexes <table>_<column(s)>_key; the column is what a client needs.
function fieldOfUniqueIndex(index: string | undefined, table: string | undefined): string {
  if (!index) return 'value'
  let name = index.replace(/_key$/, '')
  if (table && name.startsWith(`${table}_`)) name = name.slice(table.length + 1)
  return camel(name)
}

/**
 * Returns the application error for a database error, or undefined when it is not one
 * the API can explain (the caller then treats it as unexpected).
 */
export function translateDatabaseError(err: unknown, resource = 'record'): Error | undefined {
  if (isDatabaseUnavailable(err)) return new DatabaseUnavailableError()
  const driver = driverCause(err)
  if (driver) return translateDriverError(driver, resource)
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return undefined
  const cause = adapterCause(err)
  // PostgreSQL 15 reports deleting a row that a RESTRICT key still references as 23503,
  // PostgreSQL 16+ (and PGlite) as 23001; Prisma's own code differs with it.
  const sqlState = cause?.originalCode
  if (err.code === 'P2002' || sqlState === '23505') {
    const table = (err.meta?.driverAdapterError as { cause?: { table?: string } } | undefined)?.cause?.table
    const field = cause?.constraint?.fields?.[0] ?? fieldOfUniqueIndex(cause?.constraint?.index, table)
    return withProblem(new UniqueViolationError(field), { field })
  }
  if (
    sqlState === '23001' ||
    ((err.code === 'P2003' || sqlState === '23503') && cause?.originalMessage?.startsWith('update or delete on table'))
  ) {
    return new ConflictError(`This ${resource} is still referenced by other records`)
  }
  if (err.code === 'P2003' || sqlState === '23503') {
    return new MissingReferenceError(`A record this ${resource} refers to does not exist`)
  }
  if (err.code === 'P2025') return new NotFoundError(resource, 'the given id')
  return clientLimitError(sqlState, cause?.originalMessage)
}

/**
 * Errors only a request's own values cause, which the schemas and cursor checks are meant to stop
 * first: whatever slips past is still the client's mistake (400), never a 500.
 * - 54xxx (program limit exceeded: 54001 statement too complex, 54000 e.g. an index row too large)
 *   and the query parser's "tsquery stack too small", which PostgreSQL raises as XX000 for a
 *   search of more than 32 consecutive NOTs ("- - - … word").
 * - Class 22, data exception: a value the statement was given does not fit its column or type
 *   (22003 a number out of range, 22008 and 22009 a date-time out of range, 22001 a string too
 *   long, 22P02 malformed text for a type...). Statements take values only as parameters, and
 *   every one of those comes from a request.
 */
function clientLimitError(sqlState: string | undefined, message = ''): Error | undefined {
  if (sqlState?.startsWith('54') || (sqlState === 'XX000' && /tsquery/i.test(message))) {
    return new ValidationError('The request is too complex for the database (for example a search with too many terms)')
  }
  if (sqlState?.startsWith('22')) {
    return new ValidationError('A value in the request is outside the range the database accepts')
  }
  return undefined
}

/** True when the database refused a write because another record has this field's value. */
export function isUniqueViolationOf(err: unknown, field: string): boolean {
  return (translateDatabaseError(err) as { problem?: { field?: unknown } } | undefined)?.problem?.field === field
}

/** True when the database refused a write as a duplicate of a unique key (any). */
export function isUniqueViolation(err: unknown): boolean {
  return translateDatabaseError(err) instanceof UniqueViolationError
}

/** The database refused a slug as taken (its unique index): a generated one is tried again. */
export const isSlugClash = (err: unknown) => isUniqueViolationOf(err, 'slug')
