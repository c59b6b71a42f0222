// The hottest reads (an article, a list page) sent straight to the pooled driver: through the
// ORM's raw query a statement's parameters and every value of its rows are converted twice
// (the ORM's types, then JavaScript's), ~10 % of the CPU of an uncached list request. The rows are
// the driver's own (timestamps as Date, json and arrays parsed), as $queryRaw returns them.
// Repositories write the SQL; this only sends it. Clients with no reader registered (a
// transaction's, embedded PGlite's, whose single connection the ORM's transactions hold) use
// $queryRaw.
import type { Prisma } from '../generated/prisma/client.js'
import type { Db } from './types.js'

/** Runs a statement (text with $n placeholders) on a pooled connection: its rows. */
export type DirectReader = (text: string, values: unknown[]) => Promise<unknown[]>

const readers = new WeakMap<object, DirectReader>()

/** Sends the direct reads of this client through `reader` (the pool it was opened on). */
export function registerDirectReader(client: object, reader: DirectReader): void {
  readers.set(client, reader)
}

/** The statement's rows, through the client's direct reader when it has one, else $queryRaw. */
export function readDirect<T>(db: Db, sql: Prisma.Sql): Promise<T[]> {
  const reader = readers.get(db)
  return reader ? (reader(sql.text, sql.values) as Promise<T[]>) : db.$queryRaw<T[]>(sql)
}
