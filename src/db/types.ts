import type { Prisma, PrismaClient } from '../generated/prisma/client.js'
import { uuidPattern } from '../lib/uuid.js'

/** A Prisma client or the client of an open transaction: repositories accept either. */
export type Db = PrismaClient | Prisma.TransactionClient

/** Where-clause for a path segment that may be an id or a slug. */
export function idOrSlugWhere(key: string): { id: string } | { slug: string } {
  return uuidPattern.test(key) ? { id: key.toLowerCase() } : { slug: key }
}
