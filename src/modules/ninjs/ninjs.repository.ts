// What ninjs documents read besides an article's own read: the revisions a page of change events
// names, the article facts revisions do not store, the records they refer to (each kind in one
// query for the whole page), and a deleted article for a canceled document.
import type { Db } from '../../db/types.js'
import { findMediaEmbeds, type MediaEmbedRow } from '../media/media.embeds-repository.js'

export interface RevisionAt {
  articleId: string
  version: number
  snapshot: unknown
  createdAt: Date
}

/** The revisions at these versions, in one query (absent ones are left out). */
export function findRevisions(db: Db, wanted: { articleId: string; version: number }[]): Promise<RevisionAt[]> {
  if (wanted.length === 0) return Promise.resolve([])
  return db.articleRevision.findMany({
    where: { OR: wanted.map((w) => ({ articleId: w.articleId, version: w.version })) },
    select: { articleId: true, version: true, snapshot: true, createdAt: true },
  })
}

export interface ArticleFacts {
  id: string
  createdAt: Date
  firstPublishedAt: Date | null
  syndicatable: boolean
  killNotice: string | null
}

/** What a revision does not record, as the article has it now (deleted ones included). */
export function findArticleFacts(db: Db, ids: string[]): Promise<ArticleFacts[]> {
  if (ids.length === 0) return Promise.resolve([])
  return db.article.findMany({
    where: { id: { in: ids } },
    select: { id: true, createdAt: true, firstPublishedAt: true, syndicatable: true, killNotice: true },
  })
}

export interface Related {
  sources: { id: string; slug: string; name: string; homepageUrl: string | null }[]
  people: { id: string; slug: string; name: string; sameAs: string[] }[]
  tags: { slug: string; name: string; uri: string | null }[]
  media: MediaEmbedRow[]
}

/** The records revisions refer to, by id (tags by slug), as they are now. */
export async function findRelated(
  db: Db,
  ids: { sources: string[]; people: string[]; tags: string[]; media: string[] },
): Promise<Related> {
  const [sources, people, tags, media] = await Promise.all([
    ids.sources.length === 0
      ? []
      : db.source.findMany({
          where: { id: { in: ids.sources } },
          select: { id: true, slug: true, name: true, homepageUrl: true },
        }),
    ids.people.length === 0
      ? []
      : db.person.findMany({
          where: { id: { in: ids.people } },
          select: { id: true, slug: true, name: true, sameAs: true },
        }),
    ids.tags.length === 0
      ? []
      : db.tag.findMany({ where: { slug: { in: ids.tags } }, select: { slug: true, name: true, uri: true } }),
    ids.media.length === 0 ? [] : findMediaEmbeds(db, ids.media),
  ])
  return { sources, people, tags, media }
}

export interface DeletedArticle {
  id: string
  slug: string
  version: number
  createdAt: Date
  deletedAt: Date | null
  killNotice: string | null
}

/** A deleted article by id or current slug (for a canceled document); null when it is live or absent. */
export function findDeletedArticle(db: Db, key: string, isId: boolean): Promise<DeletedArticle | null> {
  return db.article.findFirst({
    where: { ...(isId ? { id: key } : { slug: key }), deletedAt: { not: null } },
    select: { id: true, slug: true, version: true, createdAt: true, deletedAt: true, killNotice: true },
  })
}
