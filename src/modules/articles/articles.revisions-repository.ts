// An article's revisions: written in the transaction of each change, read newest first.

import type { Db } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'

export interface RevisionRow {
  version: number
  changedFields: string[]
  keyId: string | null
  requestId: string | null
  createdAt: Date
  snapshot?: Prisma.JsonValue
}

export async function insertRevision(
  tx: Db,
  revision: Omit<RevisionRow, 'createdAt' | 'snapshot'> & { articleId: string; snapshot: Prisma.InputJsonValue },
): Promise<void> {
  // createMany: an INSERT that does not send the snapshot back.
  await tx.articleRevision.createMany({ data: [revision] })
}

/** Revisions without their snapshots, newest first, below `beforeVersion` (`limit + 1` rows, for toPage). */
export function listRevisions(
  db: Db,
  articleId: string,
  limit: number,
  beforeVersion?: number,
): Promise<RevisionRow[]> {
  return db.articleRevision.findMany({
    where: { articleId, ...(beforeVersion === undefined ? {} : { version: { lt: beforeVersion } }) },
    orderBy: { version: 'desc' },
    take: limit + 1,
    omit: { snapshot: true, articleId: true },
  })
}

export function findRevision(db: Db, articleId: string, version: number): Promise<RevisionRow | null> {
  return db.articleRevision.findUnique({
    where: { articleId_version: { articleId, version } },
    omit: { articleId: true },
  })
}
