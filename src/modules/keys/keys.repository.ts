import type { Db } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere } from '../../lib/pagination.js'

export type KeyRow = Prisma.ApiKeyGetPayload<object>

export function findKey(db: Db, id: string): Promise<KeyRow | null> {
  return db.apiKey.findUnique({ where: { id } })
}

export function listKeys(db: Db, limit: number, after?: { createdAt: Date; id: string }): Promise<KeyRow[]> {
  return db.apiKey.findMany({
    where: after ? keysetWhere('createdAt', 'desc', after.createdAt, after.id) : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  })
}

export function insertKey(db: Db, data: Prisma.ApiKeyUncheckedCreateInput): Promise<KeyRow> {
  return db.apiKey.create({ data })
}

export function updateKey(db: Db, id: string, data: Prisma.ApiKeyUncheckedUpdateInput): Promise<KeyRow> {
  return db.apiKey.update({ where: { id }, data })
}

export function countKeys(db: Db): Promise<number> {
  return db.apiKey.count()
}
