import { type RawDb, readDirect } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere } from '../../lib/pagination.js'

export type KeyRow = Prisma.ApiKeyGetPayload<object>

export function findKey(db: Db, id: string): Promise<KeyRow | null> {
  return db.apiKey.findUnique({ where: { id } })
}

/**
 * The key a request's token names, read on every authenticated request: sent straight to the
 * pooled driver (readDirect), not through the ORM.
 */
export async function findKeyToAuthenticate(db: RawDb, id: string): Promise<KeyRow | null> {
  const rows = await readDirect<KeyRow>(
    db,
    Prisma.sql`SELECT id, name, secret_hash AS "secretHash", scopes, rate_limit AS "rateLimit", expires_at AS "expiresAt",
      last_used_at AS "lastUsedAt", revoked_at AS "revokedAt", created_by_id AS "createdById", created_at AS "createdAt",
      updated_at AS "updatedAt"
    FROM api_keys WHERE id = ${id}::uuid`,
  )
  return rows[0] ?? null
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
