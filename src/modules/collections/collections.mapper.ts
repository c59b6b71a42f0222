// Rows to API shapes, and a teaser to and from the form a history line-up stores it in: the one
// place that knows how each record's columns are named on the wire and in stored line-ups.
import type { Prisma } from '../../generated/prisma/client.js'
import type { PublicUrlTemplates } from '../../lib/public-urls.js'
import { publicUrlOf } from '../articles/articles.urls.js'
import { leadImageOf } from '../articles/articles.view.js'
import { type MediaEmbedRow, toMediaImage } from '../media/media.embeds.js'
import { toSource } from '../sources/sources.service.js'
import type { ArticleRow, CollectionRow, EventRow, SourceRow, TeaserRow } from './collections.repository.js'
import type { Collection, HistoryEntry, Teaser } from './collections.schemas.js'

export function toCollection(row: CollectionRow): Collection {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    description: row.description,
    maxItems: row.maxItems,
    version: row.version,
    createdBy: row.createdById,
    updatedBy: row.updatedById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

function toEmbeddedArticle(
  a: ArticleRow,
  mediaBase: string | undefined,
  urls: PublicUrlTemplates,
): NonNullable<Teaser['article']> {
  const sections = a.sections.map((s) => ({ primary: s.primary, path: s.section.path }))
  return {
    id: a.id,
    slug: a.slug,
    headline: a.headline,
    summary: a.summary,
    publishedAt: a.publishedAt?.toISOString() ?? null,
    url: publicUrlOf(urls, { ...a, sections }),
    source: a.source ? toSource(a.source) : null,
    leadImage: leadImageOf(a, mediaBase),
  }
}

/** The teaser's image: by URL, or a media record's (the teaser's alt overriding the record's own). */
function teaserImage(row: TeaserRow, mediaBase: string | undefined): Teaser['image'] {
  if (row.imageMedia) {
    const media = toMediaImage(row.imageMedia, mediaBase)
    return { url: media.url, alt: row.imageAlt ?? media.alt, media }
  }
  return row.imageUrl ? { url: row.imageUrl, alt: row.imageAlt } : null
}

/**
 * A teaser with its article (or URL), source and image resolved, as every teaser read shows it;
 * `mediaBase` is MEDIA_PUBLIC_URL (undefined: the API's own /media path), `urls` PUBLIC_ARTICLE_URL and
 * the others (the embedded article's `url`).
 */
export function toTeaser(row: TeaserRow, mediaBase: string | undefined, urls: PublicUrlTemplates = {}): Teaser {
  return {
    id: row.id,
    collectionId: row.collectionId,
    text: row.text,
    title: row.title,
    articleId: row.articleId,
    url: row.url,
    sourceId: row.sourceId,
    image: teaserImage(row, mediaBase),
    position: row.position,
    pinned: row.pinned,
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
    version: row.version,
    article: row.article ? toEmbeddedArticle(row.article, mediaBase, urls) : null,
    source: row.source ? toSource(row.source) : null,
    createdBy: row.createdById,
    updatedBy: row.updatedById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

type TeaserColumns = Omit<TeaserRow, 'article' | 'source' | 'imageMedia' | 'collectionId'>
type DateColumn = 'startsAt' | 'endsAt' | 'createdAt' | 'updatedAt'

/** A teaser as a history line-up stores it: its own columns (not the collection's id), dates as ISO strings. */
export type LineupEntry = Omit<TeaserColumns, DateColumn> & {
  startsAt: string | null
  endsAt: string | null
  createdAt: string
  updatedAt: string
}

export function toLineup(rows: TeaserRow[]): Prisma.InputJsonValue {
  const entries: LineupEntry[] = rows.map(
    ({ article: _a, source: _s, imageMedia: _m, collectionId: _c, ...columns }) => ({
      ...columns,
      startsAt: columns.startsAt?.toISOString() ?? null,
      endsAt: columns.endsAt?.toISOString() ?? null,
      createdAt: columns.createdAt.toISOString(),
      updatedAt: columns.updatedAt.toISOString(),
    }),
  )
  return entries as unknown as Prisma.InputJsonValue
}

export function lineupOf(event: EventRow | null): LineupEntry[] {
  return (event?.lineup ?? []) as unknown as LineupEntry[]
}

/** A stored line-up entry back as a teaser row, with the article, source and image it names as they are now. */
export function fromLineupEntry(
  entry: LineupEntry,
  collectionId: string,
  article: ArticleRow | null,
  source: SourceRow | null,
  imageMedia: MediaEmbedRow | null,
): TeaserRow {
  return {
    ...entry,
    // Line-ups recorded before teasers had media images have no imageMediaId.
    imageMediaId: entry.imageMediaId ?? null,
    imageMedia,
    collectionId,
    startsAt: entry.startsAt ? new Date(entry.startsAt) : null,
    endsAt: entry.endsAt ? new Date(entry.endsAt) : null,
    createdAt: new Date(entry.createdAt),
    updatedAt: new Date(entry.updatedAt),
    article,
    source,
  }
}

export function toHistoryEntry(event: EventRow): HistoryEntry {
  return {
    id: event.id,
    action: event.action,
    teaserId: event.teaserId,
    keyId: event.keyId,
    requestId: event.requestId,
    at: event.at.toISOString(),
    teaserIds: lineupOf(event).map((t) => t.id),
  }
}
