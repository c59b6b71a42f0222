// Every query of the collections module: collections, their line-ups of teasers, and the history
// of line-ups. Each takes the client or an open transaction, so a service composes several in one.
import type { Db } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere } from '../../lib/pagination.js'
import { findMediaEmbeds, mediaEmbedSelect } from '../media/media.embeds-repository.js'

export type CollectionRow = Prisma.CollectionGetPayload<object>
// What a teaser shows of its article, decides its visibility by and makes its URL of: no bodies.
const articleSelect = {
  id: true,
  slug: true,
  headline: true,
  summary: true,
  status: true,
  publishedAt: true,
  firstPublishedAt: true,
  embargoedUntil: true,
  canonicalUrl: true,
  deletedAt: true,
  leadImageUrl: true,
  leadImageCaption: true,
  leadImageCredit: true,
  source: true,
  leadMedia: { select: mediaEmbedSelect },
  // The primary section's path: {section} of the article's public URL.
  sections: { where: { primary: true }, select: { primary: true, section: { select: { path: true } } } },
} satisfies Prisma.ArticleSelect
/** An article as a teaser embeds it: with its source, its lead image's media record and its primary section. */
export type ArticleRow = Prisma.ArticleGetPayload<{ select: typeof articleSelect }>
export type SourceRow = Prisma.SourceGetPayload<object>
export type EventRow = Prisma.CollectionEventGetPayload<object>

// Each relation is read for the whole line-up at once (one statement per relation, not per teaser).
const teaserInclude = {
  article: { select: articleSelect },
  source: true,
  imageMedia: { select: mediaEmbedSelect },
} satisfies Prisma.TeaserInclude
/**
 * A teaser with what the box embeds: its article (with the article's source and lead image), its
 * own source and its image's media record.
 */
export type TeaserRow = Prisma.TeaserGetPayload<{ include: typeof teaserInclude }>

// Pinned first, then by position: the order of the (collection_id, pinned DESC, position) index.
const lineupOrder: Prisma.TeaserOrderByWithRelationInput[] = [{ pinned: 'desc' }, { position: 'asc' }]

export function findCollection(db: Db, key: string): Promise<CollectionRow | null> {
  return db.collection.findUnique({ where: { key } })
}

export function findCollectionById(db: Db, id: string): Promise<CollectionRow | null> {
  return db.collection.findUnique({ where: { id } })
}

/** A page of collections by key: `limit + 1` rows after `afterKey` (the key is unique: no tie-breaker). */
export function listCollections(db: Db, filter: { afterKey?: string; limit: number }): Promise<CollectionRow[]> {
  return db.collection.findMany({
    where: filter.afterKey === undefined ? {} : { key: { gt: filter.afterKey } },
    orderBy: { key: 'asc' },
    take: filter.limit + 1,
  })
}

export function createCollection(db: Db, data: Prisma.CollectionUncheckedCreateInput): Promise<CollectionRow> {
  return db.collection.create({ data })
}

/** Updates the collection and bumps its version (every change to it or its teasers does). */
export function updateCollection(
  db: Db,
  id: string,
  data: Prisma.CollectionUncheckedUpdateInput & { updatedById: string | null },
): Promise<CollectionRow> {
  return db.collection.update({ where: { id }, data: { ...data, version: { increment: 1 } } })
}

export async function deleteCollection(db: Db, id: string): Promise<void> {
  await db.collection.delete({ where: { id } })
}

/**
 * Locks the collection's row until the transaction ends (a concurrent writer waits for it) and
 * returns its version as of then; null when the collection is gone.
 */
export async function lockCollection(db: Db, id: string): Promise<number | null> {
  const [locked] = await db.$queryRaw<{ version: number }[]>`
    SELECT version FROM collections WHERE id = ${id}::uuid FOR UPDATE`
  return locked?.version ?? null
}

export function findLineup(db: Db, collectionId: string): Promise<TeaserRow[]> {
  return db.teaser.findMany({ where: { collectionId }, orderBy: lineupOrder, include: teaserInclude })
}

export function countTeasers(db: Db, collectionId: string): Promise<number> {
  return db.teaser.count({ where: { collectionId } })
}

export function findTeaser(db: Db, id: string): Promise<TeaserRow | null> {
  return db.teaser.findUnique({ where: { id }, include: teaserInclude })
}

/** The collection a teaser belongs to (null: no such teaser). */
export async function findTeaserCollectionId(db: Db, id: string): Promise<string | null> {
  const row = await db.teaser.findUnique({ where: { id }, select: { collectionId: true } })
  return row?.collectionId ?? null
}

export function createTeaser(db: Db, data: Prisma.TeaserUncheckedCreateInput): Promise<TeaserRow> {
  return db.teaser.create({ data, include: teaserInclude })
}

export function updateTeaser(db: Db, id: string, data: Prisma.TeaserUncheckedUpdateInput): Promise<TeaserRow> {
  return db.teaser.update({ where: { id }, data, include: teaserInclude })
}

export async function deleteTeaser(db: Db, id: string): Promise<void> {
  await db.teaser.delete({ where: { id } })
}

/** Sets positions 0..n-1 in the order of `ids`, in one statement for the whole line-up. */
export async function setPositions(db: Db, collectionId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  const positions = ids.map((_, i) => i)
  await db.$executeRaw`
    UPDATE teasers SET position = x.position
    FROM unnest(${ids}::uuid[], ${positions}::int[]) AS x(id, position)
    WHERE teasers.id = x.id AND teasers.collection_id = ${collectionId}::uuid AND teasers.position <> x.position`
}

/** Whether a live (not deleted) article has this id: a teaser may link only to such an article. */
export async function liveArticleExists(db: Db, id: string): Promise<boolean> {
  const row = await db.article.findFirst({ where: { id, deletedAt: null }, select: { id: true } })
  return row !== null
}

/** Articles (with their source) and sources by id, for line-ups read back from history. */
export async function findEmbedded(db: Db, ids: { articleIds: string[]; sourceIds: string[]; mediaIds: string[] }) {
  const [articles, sources, media] = await Promise.all([
    db.article.findMany({ where: { id: { in: ids.articleIds } }, select: articleSelect }),
    db.source.findMany({ where: { id: { in: ids.sourceIds } } }),
    ids.mediaIds.length > 0 ? findMediaEmbeds(db, ids.mediaIds) : [],
  ])
  return { articles, sources, media }
}

export async function createEvent(db: Db, data: Prisma.CollectionEventUncheckedCreateInput): Promise<void> {
  await db.collectionEvent.create({ data })
}

/** The last change to the collection at or before `at` (ties: the later id). */
export function findEventAt(db: Db, collectionId: string, at: Date): Promise<EventRow | null> {
  return db.collectionEvent.findFirst({
    where: { collectionId, at: { lte: at } },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
  })
}

/** A page of the collection's changes, newest first: `limit + 1` rows after the keyset position. */
export function listEvents(
  db: Db,
  filter: { collectionId: string; after?: { at: Date; id: string }; limit: number },
): Promise<EventRow[]> {
  return db.collectionEvent.findMany({
    where: {
      collectionId: filter.collectionId,
      ...(filter.after ? keysetWhere('at', 'desc', filter.after.at, filter.after.id) : {}),
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: filter.limit + 1,
  })
}
