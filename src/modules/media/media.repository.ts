// Every query of the media records. Each takes the client or an open transaction, so the service
// composes several in one.
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere, type SortSpec } from '../../lib/pagination.js'
import { publicArticleSql } from '../articles/articles.embargo-repository.js'
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

/** One statement (it runs inside the delete's transaction, whose connection takes one query at a time). */
export async function mediaUses(db: Db, id: string): Promise<MediaUses> {
  const [uses] = await db.$queryRaw<MediaUses[]>(Prisma.sql`
    SELECT
      (SELECT count(*)::int FROM (
         SELECT a.id FROM articles a WHERE a.lead_media_id = ${id}::uuid AND a.deleted_at IS NULL
         UNION
         SELECT a.id FROM article_media am JOIN articles a ON a.id = am.article_id
          WHERE am.media_id = ${id}::uuid AND a.deleted_at IS NULL
       ) used) AS articles,
      (SELECT count(*)::int FROM teasers WHERE image_media_id = ${id}::uuid) AS teasers,
      (SELECT count(*)::int FROM people WHERE image_media_id = ${id}::uuid) AS people`)
  return uses as MediaUses
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

/** An article anonymous readers see at `now` (the public reads' own condition). */
function publicArticle(alias: string, now: Date): Prisma.Sql {
  return publicArticleSql(alias, Prisma.sql`${now}::timestamptz`)
}

/**
 * Whether public content shows the image at `now`: the lead image or a body image of a public
 * article, the image of a person, or of a teaser its collection shows then (its window open, its
 * article public, within the collection's cap, counted in line-up order as the box counts them).
 */
export async function usedPublicly(db: Db, id: string, now: Date): Promise<boolean> {
  const [row] = await db.$queryRaw<[{ used: boolean }]>`
    SELECT EXISTS (
      SELECT 1 FROM articles a
      WHERE (a.lead_media_id = ${id}::uuid
          OR a.id IN (SELECT x.article_id FROM article_media x WHERE x.media_id = ${id}::uuid))
        AND ${publicArticle('a', now)}
    ) OR EXISTS (SELECT 1 FROM people p WHERE p.image_media_id = ${id}::uuid)
    OR EXISTS (
      SELECT 1 FROM (
        SELECT t.image_media_id, c.max_items,
          row_number() OVER (PARTITION BY t.collection_id ORDER BY t.pinned DESC, t.position) AS shown
        FROM teasers t JOIN collections c ON c.id = t.collection_id
        LEFT JOIN articles a ON a.id = t.article_id
        WHERE t.collection_id IN (SELECT collection_id FROM teasers WHERE image_media_id = ${id}::uuid)
          AND (t.starts_at IS NULL OR t.starts_at <= ${now}::timestamptz)
          AND (t.ends_at IS NULL OR t.ends_at > ${now}::timestamptz)
          AND (t.article_id IS NULL OR ${publicArticle('a', now)})
      ) v WHERE v.image_media_id = ${id}::uuid AND v.shown <= v.max_items
    ) AS used`
  return row.used
}
