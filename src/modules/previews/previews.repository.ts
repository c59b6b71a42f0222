// Preview links: written when created and revoked, found by their token's hash at each visit.
import type { Db } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere } from '../../lib/pagination.js'

export type PreviewLinkRow = Omit<Prisma.PreviewLinkGetPayload<object>, 'tokenHash'>

/** Every column but the token's hash, which never leaves this file. */
const linkColumns = { tokenHash: false } as const

export function createLink(
  tx: Db,
  data: Pick<Prisma.PreviewLinkUncheckedCreateInput, 'articleId' | 'tokenHash' | 'pinnedVersion' | 'expiresAt'> & {
    createdById: string | null
    createdAt: Date
  },
): Promise<PreviewLinkRow> {
  return tx.previewLink.create({ data, omit: linkColumns })
}

/**
 * The link this token opens, if it still does at `now`: not expired, not revoked, its article not
 * deleted (one statement, so that a revocation or a deletion is seen by the next visit).
 */
export function findOpenLink(db: Db, tokenHash: string, now: Date): Promise<PreviewLinkRow | null> {
  return db.previewLink.findFirst({
    where: { tokenHash, revokedAt: null, expiresAt: { gt: now }, article: { deletedAt: null } },
    omit: linkColumns,
  })
}

export function findLink(db: Db, id: string): Promise<PreviewLinkRow | null> {
  return db.previewLink.findUnique({ where: { id }, omit: linkColumns })
}

/** Counts a visit (none if the link went with its article meanwhile). */
export async function recordUse(tx: Db, id: string, now: Date): Promise<void> {
  await tx.previewLink.updateMany({ where: { id }, data: { uses: { increment: 1 }, lastUsedAt: now } })
}

/** An article's links, newest first (`limit + 1` rows, for toPage). */
export function listLinks(
  db: Db,
  articleId: string,
  limit: number,
  after?: { at: Date; id: string },
): Promise<PreviewLinkRow[]> {
  return db.previewLink.findMany({
    where: { articleId, ...(after ? keysetWhere('createdAt', 'desc', after.at, after.id) : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    omit: linkColumns,
  })
}

/** Revokes the link (a second revocation keeps the first time); null when there is no such link. */
export async function revokeLink(tx: Db, id: string, now: Date): Promise<PreviewLinkRow | null> {
  await tx.previewLink.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } })
  return tx.previewLink.findUnique({ where: { id }, omit: linkColumns })
}

export async function revisionExists(db: Db, articleId: string, version: number): Promise<boolean> {
  const row = await db.articleRevision.findUnique({
    where: { articleId_version: { articleId, version } },
    select: { version: true },
  })
  return row !== null
}
