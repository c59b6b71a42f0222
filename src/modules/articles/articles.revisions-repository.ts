// An article's revisions: written in the transaction of each change, read newest first.

import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'

export interface RevisionRow {
  version: number
  changedFields: string[]
  keyId: string | null
  requestId: string | null
  createdAt: Date
  snapshot?: Prisma.JsonValue
}

type NewRevision = Omit<RevisionRow, 'createdAt' | 'snapshot'> & { articleId: string; snapshot: Prisma.InputJsonValue }

/** The INSERT of a revision, to run on its own or with the change's other writes (insertEvents' `with`). */
export function revisionInsert(revision: NewRevision): Prisma.Sql {
  // Not the ORM's create, which sends the snapshot back.
  return Prisma.sql`INSERT INTO article_revisions
      (article_id, version, changed_fields, snapshot, key_id, request_id, created_at)
    VALUES (${revision.articleId}::uuid, ${revision.version}, ${revision.changedFields}::text[],
      ${JSON.stringify(revision.snapshot)}::jsonb, ${revision.keyId}::uuid, ${revision.requestId}, ${new Date()})`
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
