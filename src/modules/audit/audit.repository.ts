import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import { uuidv7 } from '../../lib/uuid.js'

export type AuditRow = Prisma.AuditEntryGetPayload<object>

export interface AuditRecord {
  action: string
  resourceType: string
  resourceId: string
  /** What the record does not keep for the audit (a kill's internal reason). */
  detail?: string
}

/** The INSERT of an entry, to run with the change's other writes (insertEvents' `with`). */
export function auditInsert(actor: Actor, entry: AuditRecord): Prisma.Sql {
  // Not the ORM's create, which sends the row back.
  return Prisma.sql`INSERT INTO audit_entries (id, key_id, action, resource_type, resource_id, request_id, detail, at)
    VALUES (${uuidv7()}::uuid, ${actor.keyId}::uuid, ${entry.action}, ${entry.resourceType}, ${entry.resourceId},
      ${actor.requestId}, ${entry.detail ?? null}, ${new Date()})`
}

/** Appends an entry; callers pass their transaction so the entry commits with the change. */
export async function recordAudit(db: Db, actor: Actor, entry: AuditRecord): Promise<void> {
  await db.$executeRaw(auditInsert(actor, entry))
}

/** Appends entries in one statement (a change that touches many records at once). */
export async function recordAudits(db: Db, actor: Actor, entries: AuditRecord[]): Promise<void> {
  if (entries.length === 0) return
  await db.auditEntry.createMany({
    data: entries.map((entry) => ({ ...entry, keyId: actor.keyId, requestId: actor.requestId })),
  })
}

export interface AuditFilter {
  keyId?: string
  resourceType?: string
  resourceId?: string
  since?: Date
  until?: Date
  after?: { at: Date; id: string }
  limit: number
}

export function listAudit(db: Db, filter: AuditFilter): Promise<AuditRow[]> {
  const at: Prisma.DateTimeFilter = {}
  if (filter.since) at.gte = filter.since
  if (filter.until) at.lt = filter.until
  return db.auditEntry.findMany({
    where: {
      keyId: filter.keyId,
      resourceType: filter.resourceType,
      resourceId: filter.resourceId,
      at: filter.since || filter.until ? at : undefined,
      ...(filter.after ? keysetWhere('at', 'desc', filter.after.at, filter.after.id) : {}),
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: filter.limit + 1,
  })
}
