// Every query of the sitemaps: the index (one statement: articles grouped by publication month,
// and the sections and people files), a month's articles (one keyset-ordered range of the
// (published_at, id) index), the news sitemap's last 48 hours, and the sections and people.
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { publicArticleSql } from '../articles/articles.embargo-repository.js'

/**
 * The last public change of an article public at `at`: its last write (updated_at), or the
 * instant it became public without one (a scheduled publication falling due, an embargo lifting),
 * never later than `at`.
 */
const lastmodSql = (at: Prisma.Sql) =>
  Prisma.sql`LEAST(GREATEST(a.updated_at, a.published_at, a.embargoed_until), ${at})`

/** Public at `at`, and with a public URL when no article template gives every article one. */
function listable(at: Prisma.Sql, withTemplate: boolean): Prisma.Sql {
  return withTemplate
    ? publicArticleSql('a', at)
    : Prisma.sql`${publicArticleSql('a', at)} AND a.canonical_url IS NOT NULL`
}

export interface IndexRow {
  /** `yyyy-mm`, or 'news', 'sections', 'people'. */
  file: string
  count: number
  lastmod: Date | null
}

/** The index's files in one statement: months oldest first, then news (since `since`), sections and people. */
export function indexRows(db: Db, now: Date, withTemplate: boolean, since: Date): Promise<IndexRow[]> {
  const at = Prisma.sql`${now}::timestamptz`
  return db.$queryRaw<IndexRow[]>`
    SELECT * FROM (
      SELECT to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM') AS file, count(*)::int AS count,
        max(${lastmodSql(at)}) AS lastmod
      FROM articles a WHERE ${listable(at, withTemplate)}
      GROUP BY 1 ORDER BY 1) months
    UNION ALL SELECT 'news', count(*)::int, max(${lastmodSql(at)}) FROM articles a
      WHERE a.published_at >= ${since}::timestamptz AND ${listable(at, withTemplate)}
    UNION ALL SELECT 'sections', count(*)::int, max(updated_at) FROM sections
    UNION ALL SELECT 'people', count(*)::int, max(updated_at) FROM people`
}

export interface ArticleUrlRow {
  id: string
  slug: string
  canonicalUrl: string | null
  firstPublishedAt: Date | null
  publishedAt: Date
  sectionPath: string | null
  lastmod: Date
}

const articleColumns = (at: Prisma.Sql) => Prisma.sql`a.id, a.slug, a.canonical_url AS "canonicalUrl",
  a.first_published_at AS "firstPublishedAt", a.published_at AS "publishedAt", p.path AS "sectionPath",
  ${lastmodSql(at)} AS lastmod`

// The primary section's path, for templates with {section}: one primary-key lookup a row.
const primarySection = Prisma.sql`LEFT JOIN LATERAL (SELECT s.path FROM article_sections x
  JOIN sections s ON s.id = x.section_id WHERE x.article_id = a.id AND x.is_primary LIMIT 1) p ON true`

export interface MonthRange {
  from: Date
  to: Date
  offset: number
  limit: number
}

/**
 * A month's public articles, oldest first, from the `offset`-th: one range scan of the
 * (published_at, id) index (backwards), so a part costs its rows plus those it skips.
 */
export function monthArticles(db: Db, now: Date, withTemplate: boolean, r: MonthRange): Promise<ArticleUrlRow[]> {
  const at = Prisma.sql`${now}::timestamptz`
  return db.$queryRaw<ArticleUrlRow[]>`
    SELECT ${articleColumns(at)} FROM articles a ${primarySection}
    WHERE a.published_at >= ${r.from}::timestamptz AND a.published_at < ${r.to}::timestamptz
      AND ${listable(at, withTemplate)}
    ORDER BY a.published_at, a.id OFFSET ${r.offset} LIMIT ${r.limit}`
}

export interface NewsRow extends ArticleUrlRow {
  headline: string
  language: string
  sourceName: string | null
}

/** Public articles published since `since`, newest first (at most `limit`). */
export function newsArticles(db: Db, now: Date, withTemplate: boolean, since: Date, limit: number): Promise<NewsRow[]> {
  const at = Prisma.sql`${now}::timestamptz`
  return db.$queryRaw<NewsRow[]>`
    SELECT ${articleColumns(at)}, a.headline, a.language, src.name AS "sourceName"
    FROM articles a ${primarySection} LEFT JOIN sources src ON src.id = a.source_id
    WHERE a.published_at >= ${since}::timestamptz AND ${listable(at, withTemplate)}
    ORDER BY a.published_at DESC, a.id DESC LIMIT ${limit}`
}

export interface RecordRow {
  id: string
  slug: string
  path: string
  updatedAt: Date
}

/** Sections by path (at most `limit`). */
export function sections(db: Db, limit: number): Promise<RecordRow[]> {
  return db.$queryRaw<RecordRow[]>`
    SELECT id, slug, path, updated_at AS "updatedAt" FROM sections ORDER BY path LIMIT ${limit}`
}

/** People by name (at most `limit`). */
export function people(db: Db, limit: number): Promise<RecordRow[]> {
  return db.$queryRaw<RecordRow[]>`
    SELECT id, slug, slug AS path, updated_at AS "updatedAt" FROM people ORDER BY name_key, id LIMIT ${limit}`
}
