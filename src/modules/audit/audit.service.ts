import type { Db } from '../../db/types.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import { listAudit } from './audit.repository.js'
import type { AuditEntry, AuditQuery } from './audit.schemas.js'

export function createAuditService(db: Db) {
  return {
    async list(query: AuditQuery): Promise<Page<AuditEntry>> {
      const sortKey = '-at'
      const after = query.cursor ? decodeCursor(query.cursor, sortKey, ['date', 'uuid']) : undefined
      const rows = await listAudit(db, {
        keyId: query.keyId,
        resourceType: query.resourceType,
        resourceId: query.resourceId,
        since: query.since ? new Date(query.since) : undefined,
        until: query.until ? new Date(query.until) : undefined,
        after: after ? { at: after[0], id: after[1] } : undefined,
        limit: query.limit,
      })
      const page = toPage(rows, query.limit, sortKey, (r) => [r.at.toISOString(), r.id])
      return { data: page.data.map((r) => ({ ...r, at: r.at.toISOString() })), page: page.page }
    },
  }
}

export type AuditService = ReturnType<typeof createAuditService>
