// Every query of the sitemaps: the index (one statement: the months' figures kept in
// article_months, and the sections and people files), a month's articles (one keyset-ordered range of the
// (published_at, id) index), the news sitemap's last 48 hours, and the sections and people.
import { readDirect } from '../../db/direct.js'
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

/** A month of article_months as `yyyy-mm`: its candidates, and the latest of their values. */
const monthFile = (month: Prisma.Sql) => Prisma.sql`to_char(${month}, 'YYYY-MM')`

/** The bounds of a month (a date, its first day) as instants in UTC. */
const monthStart = (month: Prisma.Sql) => Prisma.sql`(${month}::timestamp AT TIME ZONE 'UTC')`
const monthEnd = (month: Prisma.Sql) => Prisma.sql`((${month} + interval '1 month')::timestamp AT TIME ZONE 'UTC')`

const candidate = Prisma.sql`a.deleted_at IS NULL AND a.status IN ('published', 'scheduled')`
const monthOf = Prisma.sql`date_trunc('month', min(a.published_at) AT TIME ZONE 'UTC')::date`

/**
 * The months holding a candidate not yet public at `at`: scheduled later (a loose scan of the
 * published_at index, one probe a month), or under embargo (the embargo index). Few, in practice
 * the current month and the next.
 */
const pendingMonths = (at: Prisma.Sql) => Prisma.sql`
  scheduled(month) AS (
    SELECT ${monthOf} FROM articles a WHERE a.published_at > ${at} AND ${candidate}
    UNION ALL
    SELECT (SELECT ${monthOf} FROM articles a WHERE a.published_at >= ${monthEnd(Prisma.sql`s.month`)} AND ${candidate})
    FROM scheduled s WHERE s.month IS NOT NULL),
  pending AS (
    SELECT month FROM scheduled WHERE month IS NOT NULL
    UNION SELECT date_trunc('month', a.published_at AT TIME ZONE 'UTC')::date FROM articles a
    WHERE a.embargoed_until > ${at} AND ${candidate})`

/**
 * The index's files in one statement, months oldest first, then news (published since `since`),
 * sections and people. A month is read from article_months (one row, kept by the write path's
 * trigger) unless it holds a candidate not yet public at `at`; those few months are counted from
 * their articles, one range of the published_at index each. 100,000 articles over 25 months, 5,000
 * of them scheduled in the next weeks: ~15 ms, where grouping every public article took 150 ms.
 */
export function indexRows(db: Db, now: Date, withTemplate: boolean, since: Date): Promise<IndexRow[]> {
  const at = Prisma.sql`${now}::timestamptz`
  const count = withTemplate ? Prisma.sql`m.articles` : Prisma.sql`m.canonical_articles`
  const last = withTemplate ? Prisma.sql`m.last_value` : Prisma.sql`m.canonical_last_value`
  return db.$queryRaw<IndexRow[]>`
    WITH RECURSIVE ${pendingMonths(at)}
    SELECT * FROM (
      SELECT ${monthFile(Prisma.sql`m.month`)} AS file, ${count} AS count, LEAST(${last}, ${at}) AS lastmod
      FROM article_months m
      WHERE ${count} > 0 AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.month = m.month)
      UNION ALL
      SELECT ${monthFile(Prisma.sql`p.month`)}, x.count, x.lastmod FROM pending p CROSS JOIN LATERAL (
        SELECT count(*)::int AS count, max(${lastmodSql(at)}) AS lastmod FROM articles a
        WHERE a.published_at >= ${monthStart(Prisma.sql`p.month`)} AND a.published_at < ${monthEnd(Prisma.sql`p.month`)}
          AND ${listable(at, withTemplate)}) x
      WHERE x.count > 0 ORDER BY 1) months
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

/**
 * The primary section's path, only for a template with {section}: the article's rows of
 * article_sections by its primary key, then the section's. (A join of the two let the planner
 * probe the key once for every section: 3x the time of a month of 4,000 articles.)
 */
const sectionPathSql = (withSection: boolean) =>
  withSection
    ? Prisma.sql`(SELECT (SELECT s.path FROM sections s WHERE s.id = x.section_id) FROM article_sections x
        WHERE x.article_id = a.id AND x.is_primary LIMIT 1)`
    : Prisma.sql`NULL::text`

const articleColumns = (at: Prisma.Sql, withSection: boolean) => Prisma.sql`a.id, a.slug,
  a.canonical_url AS "canonicalUrl", a.first_published_at AS "firstPublishedAt", a.published_at AS "publishedAt",
  ${sectionPathSql(withSection)} AS "sectionPath", ${lastmodSql(at)} AS lastmod`

/** What the article URLs need: a template (else only canonical URLs), with {section} or {id} or not. */
export interface UrlNeeds {
  withTemplate: boolean
  withSection: boolean
  withId: boolean
}

export interface MonthRange {
  from: Date
  to: Date
  offset: number
  limit: number
}

/**
 * A month's row, all text: the URL's parts (the id only for a template with {id}, the URL's date
 * as YYYY-MM-DD in UTC) and its lastmod (toISOString's form, in UTC).
 */
export interface MonthRow {
  id: string | null
  slug: string
  canonicalUrl: string | null
  urlDate: string | null
  sectionPath: string | null
  lastmod: string
}

/** What only a template's URL needs (an article without a canonical URL): NULL for the others. */
const forTemplate = (sql: Prisma.Sql) => Prisma.sql`CASE WHEN a.canonical_url IS NULL THEN ${sql} END`

/**
 * A month's columns, as cheap to read as they can be: text only, and what only a template's URL
 * needs for the rows whose URL is rendered from it. Parsing two timestamps and a UUID a row, and
 * formatting lastmod, was a fifth of the CPU of a month's file.
 */
const monthColumns = (at: Prisma.Sql, needs: UrlNeeds) => Prisma.sql`a.slug, a.canonical_url AS "canonicalUrl",
  ${needs.withId ? forTemplate(Prisma.sql`a.id::text`) : Prisma.sql`NULL::text`} AS id,
  ${forTemplate(Prisma.sql`to_char(COALESCE(a.first_published_at, a.published_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`)} AS "urlDate",
  ${needs.withSection ? forTemplate(sectionPathSql(true)) : Prisma.sql`NULL::text`} AS "sectionPath",
  to_char(${lastmodSql(at)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS lastmod`

/**
 * A month's public articles, oldest first, from the `offset`-th: an index-only scan of the
 * covering index on (published_at, id) of the live published and scheduled articles (a month of
 * 4,000 articles of 100,000 in 5 ms, where the (status, published_at, id) index, its heap rows
 * and a sort took 30 ms), so a part costs its rows plus those it skips.
 */
export function monthArticles(db: Db, now: Date, needs: UrlNeeds, r: MonthRange): Promise<MonthRow[]> {
  const at = Prisma.sql`${now}::timestamptz`
  return readDirect<MonthRow>(
    db,
    Prisma.sql`
    SELECT ${monthColumns(at, needs)} FROM articles a
    WHERE a.published_at >= ${r.from}::timestamptz AND a.published_at < ${r.to}::timestamptz
      AND ${listable(at, needs.withTemplate)}
    ORDER BY a.published_at, a.id OFFSET ${r.offset} LIMIT ${r.limit}`,
  )
}

export interface NewsRow extends ArticleUrlRow {
  headline: string
  language: string
  sourceName: string | null
}

/** Public articles published since `since`, newest first (at most `limit`). */
export function newsArticles(db: Db, now: Date, needs: UrlNeeds, since: Date, limit: number): Promise<NewsRow[]> {
  const at = Prisma.sql`${now}::timestamptz`
  return readDirect<NewsRow>(
    db,
    Prisma.sql`
    SELECT ${articleColumns(at, needs.withSection)}, a.headline, a.language, src.name AS "sourceName"
    FROM articles a LEFT JOIN sources src ON src.id = a.source_id
    WHERE a.published_at >= ${since}::timestamptz AND ${listable(at, needs.withTemplate)}
    ORDER BY a.published_at DESC, a.id DESC LIMIT ${limit}`,
  )
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
