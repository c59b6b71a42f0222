// Whether an article is public, visible to a view, under embargo, and the status a reader sees:
// the TypeScript twin of publicArticleSql (articles.embargo-repository.ts).
import type { ArticleStatus } from '../../generated/prisma/enums.js'

/** BCP 47 tags compare case-insensitively; store one form: "en", "pt-BR", "zh-Hant". */
export function normalizeLanguage(tag: string): string {
  return tag
    .split('-')
    .map((part, i) =>
      i === 0
        ? part.toLowerCase()
        : part.length === 2
          ? part.toUpperCase()
          : part.length === 4
            ? part[0]?.toUpperCase() + part.slice(1).toLowerCase()
            : part.toLowerCase(),
    )
    .join('-')
}

/** The status a reader sees: a scheduled article whose time has come is published. */
export function effectiveStatus(row: { status: ArticleStatus; publishedAt: Date | null }, now: Date): ArticleStatus {
  return row.status === 'scheduled' && row.publishedAt && row.publishedAt <= now ? 'published' : row.status
}

type Visibility = {
  status: ArticleStatus
  publishedAt: Date | null
  deletedAt: Date | null
  embargoedUntil: Date | null
}

/** Whether an article is under an embargo at `now` (published or not). */
export function underEmbargo(row: { embargoedUntil: Date | null }, now: Date): boolean {
  return row.embargoedUntil !== null && row.embargoedUntil > now
}

/** Public at `now`: published (or scheduled and due), live, and no embargo still running (see publicArticleSql). */
export function isPublic(row: Visibility, now: Date): boolean {
  return !row.deletedAt && effectiveStatus(row, now) === 'published' && !underEmbargo(row, now)
}

/** Whether the view may read the article at `now`: preview sees every live one, embargoed the published ones. */
export function isVisible(row: Visibility, now: Date, view: { preview?: boolean; embargoed?: boolean }): boolean {
  if (view.preview) return true
  return isPublic(view.embargoed ? { ...row, embargoedUntil: null } : row, now)
}

/** When an article published or scheduled becomes public (its publish time, or its embargo's end if later). */
export function publicFrom(row: Omit<Visibility, 'deletedAt'>): Date | null {
  if ((row.status !== 'published' && row.status !== 'scheduled') || !row.publishedAt) return null
  return row.embargoedUntil && row.embargoedUntil > row.publishedAt ? row.embargoedUntil : row.publishedAt
}

/**
 * When the article was first public, or null if never: a scheduled article whose time has come
 * has no first publish time stored (no write marks that moment).
 */
export function firstPublished(
  row: { status: ArticleStatus; publishedAt: Date | null; firstPublishedAt: Date | null },
  now: Date,
): Date | null {
  return row.firstPublishedAt ?? (effectiveStatus(row, now) === 'published' ? row.publishedAt : null)
}
