import type { Prisma, PrismaClient } from '../generated/prisma/client.js'

/** A Prisma client or the client of an open transaction: repositories accept either. */
export type Db = PrismaClient | Prisma.TransactionClient

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Where-clause for a path segment that may be an id or a slug. */
export function idOrSlugWhere(key: string): { id: string } | { slug: string } {
  return uuidPattern.test(key) ? { id: key.toLowerCase() } : { slug: key }
}
