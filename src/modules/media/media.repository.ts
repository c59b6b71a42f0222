// Every query of the media records. Each takes the client or an open transaction, so the service
// composes several in one.
import type { Db } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere, type SortSpec } from '../../lib/pagination.js'
import { escapeLike } from '../sources/sources.repository.js'
import type { MediaRow } from './media.mapper.js'

export interface MediaListFilter {
  q?: string
  credit?: string
  mimeType?: string
  sort: SortSpec<'createdAt'>
  after?: { value: Date; id: string }
  limit: number
}

export function findMedia(db: Db, id: string): Promise<MediaRow | null> {
  return db.media.findUnique({ where: { id } })
}

export function findMediaBySha256(db: Db, sha256: string): Promise<MediaRow | null> {
  return db.media.findUnique({ where: { sha256 } })
}

export function listMedia(db: Db, filter: MediaListFilter): Promise<MediaRow[]> {
  const { field, direction } = filter.sort
  const where: Prisma.MediaWhereInput = {
    // LIKE '%q%' on the lower-cased caption, alt and credit, served by its pg_trgm GIN index.
    searchKey: filter.q ? { contains: escapeLike(filter.q.toLowerCase()) } : undefined,
    creditKey: filter.credit ? filter.credit.toLowerCase() : undefined,
    mimeType: filter.mimeType,
    ...(filter.after ? keysetWhere(field, direction, filter.after.value, filter.after.id) : {}),
  }
  return db.media.findMany({
    where,
    orderBy: [{ [field]: direction }, { id: direction }],
    take: filter.limit + 1,
  })
}

export function insertMedia(db: Db, data: Prisma.MediaUncheckedCreateInput): Promise<MediaRow> {
  return db.media.create({ data })
}

/**
 * Locks the record's row until the transaction ends (a concurrent change waits for it) and
 * returns it; null when there is none.
 */
export async function lockMedia(db: Db, id: string): Promise<MediaRow | null> {
  const locked = await db.$queryRaw<{ id: string }[]>`SELECT id FROM media WHERE id = ${id}::uuid FOR UPDATE`
  return locked.length === 0 ? null : findMedia(db, id)
}

/** Updates the record and bumps its version. */
export function updateMedia(db: Db, id: string, data: Prisma.MediaUncheckedUpdateInput): Promise<MediaRow> {
  return db.media.update({ where: { id }, data: { ...data, version: { increment: 1 } } })
}

/** What still uses the record: live articles (lead image or body), teasers and people. */
export interface MediaUses {
  articles: number
  teasers: number
  people: number
}

export async function mediaUses(db: Db, id: string): Promise<MediaUses> {
  const live = { deletedAt: null }
  const [articles, teasers, people] = await Promise.all([
    db.article.count({ where: { ...live, OR: [{ leadMediaId: id }, { media: { some: { mediaId: id } } }] } }),
    db.teaser.count({ where: { imageMediaId: id } }),
    db.person.count({ where: { imageMediaId: id } }),
  ])
  return { articles, teasers, people }
}

/** Deleted articles (tombstones) let go of the record: their lead image and body embeds. */
export async function detachDeletedArticles(tx: Db, mediaId: string): Promise<void> {
  const deleted = { deletedAt: { not: null } }
  await tx.article.updateMany({ where: { ...deleted, leadMediaId: mediaId }, data: { leadMediaId: null } })
  await tx.articleMedia.deleteMany({ where: { mediaId, article: deleted } })
}

export function deleteMedia(db: Db, id: string): Promise<MediaRow> {
  return db.media.delete({ where: { id } })
}
