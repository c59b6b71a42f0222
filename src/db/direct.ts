// The hottest reads (an article, a list page) and the article create sent straight to the pooled
// driver: through the ORM's raw query a statement's parameters and every value of its rows are
// converted twice (the ORM's types, then JavaScript's), ~10 % of the CPU of an uncached list
// request, and an interactive transaction of the ORM costs more than the create's statements. The
// rows are the driver's own (timestamps as Date, json and arrays parsed), as $queryRaw returns
// them. Repositories write the SQL; this only sends it. Clients with no reader registered (a
// transaction's, embedded PGlite's, whose single connection the ORM's transactions hold) use
// $queryRaw, and their transactions are the ORM's.
import { Prisma, type PrismaClient } from '../generated/prisma/client.js'

/** Runs a statement (text with $n placeholders) on a pooled connection: its rows. */
export type DirectReader = (text: string, values: unknown[]) => Promise<unknown[]>

/**
 * What raw statements need of a client: the ORM's clients and transactions have it, and so has
 * a transaction on a pooled connection of its own (directTransaction). Repositories that send
 * only raw SQL take it, so that they run in either.
 */
export interface RawDb {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): PromiseLike<T>
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): PromiseLike<number>
}

/** Runs a statement of a transaction: its rows, and how many rows it wrote. */
export type DirectStatement = (text: string, values: unknown[]) => Promise<{ rows: unknown[]; rowCount: number | null }>

/** Runs `work` in one transaction on one pooled connection, its statements sent through `run`. */
export type DirectTransactions = <T>(work: (run: DirectStatement) => Promise<T>) => Promise<T>

const readers = new WeakMap<object, DirectReader>()
const transactions = new WeakMap<object, DirectTransactions>()

/** Sends the direct reads of this client through `reader` (the pool it was opened on). */
export function registerDirectReader(client: object, reader: DirectReader): void {
  readers.set(client, reader)
}

/** Runs the direct transactions of this client on connections of the pool it was opened on. */
export function registerDirectTransactions(client: object, transact: DirectTransactions): void {
  transactions.set(client, transact)
}

/** The statement's rows, through the client's direct reader when it has one, else $queryRaw. */
export function readDirect<T>(db: RawDb, sql: Prisma.Sql): Promise<T[]> {
  const reader = readers.get(db)
  return reader ? (reader(sql.text, sql.values) as Promise<T[]>) : (db.$queryRaw<T[]>(sql) as Promise<T[]>)
}

function rawDbOf(run: DirectStatement): RawDb {
  const sqlOf = (query: TemplateStringsArray | Prisma.Sql, values: unknown[]) =>
    query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values)
  return {
    $queryRaw: <T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const sql = sqlOf(query, values)
      return run(sql.text, sql.values).then((result) => result.rows as T)
    },
    $executeRaw: async (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const sql = sqlOf(query, values)
      return (await run(sql.text, sql.values)).rowCount ?? 0
    },
  }
}

/**
 * Runs `work` in one transaction of raw statements: on a pooled connection of its own when the
 * client has one (a server), else in the ORM's transaction (embedded PGlite). A failure rolls
 * back everything `work` wrote.
 */
export function directTransaction<T>(db: PrismaClient, work: (tx: RawDb) => Promise<T>): Promise<T> {
  const transact = transactions.get(db)
  return transact ? transact((run) => work(rawDbOf(run))) : db.$transaction((tx) => work(tx))
}
