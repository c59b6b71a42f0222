// Article queries. Lists run as one SQL statement built from fragments (filters, full-text
// search, keyset position) returning the page's ids in order; the page's records and their
// relations then come in one Prisma query. Every filter has an index behind it.

import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { ArticleStatus } from '../../generated/prisma/enums.js'

export const articleInclude = {
  source: true,
  credits: { orderBy: { position: 'asc' }, include: { source: true } },
  tags: { include: { tag: true }, orderBy: { tag: { slug: 'asc' } } },
} satisfies Prisma.ArticleInclude

export type ArticleRow = Prisma.ArticleGetPayload<{ include: typeof articleInclude }>

export type ArticleSort = '-publishedAt' | '-updatedAt' | 'relevance'

export interface ArticleListFilter {
  /** Public view at this instant (published and due); null: the preview view (every live article). */
  publicAt: Date | null
  now: Date
  status?: ArticleStatus
  source?: string
  credit?: string
  tags?: string[]
  language?: string
  publishedAfter?: Date
  publishedBefore?: Date
  q?: string
  sort: ArticleSort
  /** Keyset position: the sort value of the last row seen (null for a draft's publish time) and its id. */
  after?: { value: Date | number | null; id: string }
  limit: number
}

export interface ListedId {
  id: string
  publishedAt: Date | null
  updatedAt: Date
  rank: number | null
  snippet: string | null
}

function sourceMatch(column: Prisma.Sql, key: string): Prisma.Sql {
  return Prisma.sql`${column} IN (SELECT s.id FROM sources s WHERE s.slug = ${key} OR s.id::text = ${key.toLowerCase()})`
}

/** The text search configuration of a search: the language filter's, or words as written. */
function searchConfig(filter: ArticleListFilter): Prisma.Sql {
  return filter.language ? Prisma.sql`newsdesk_search_config(${filter.language})` : Prisma.sql`'simple'::regconfig`
}

function tsQuery(filter: ArticleListFilter): Prisma.Sql {
  return Prisma.sql`websearch_to_tsquery(${searchConfig(filter)}, ${filter.q})`
}

function conditions(filter: ArticleListFilter): Prisma.Sql[] {
  const where: Prisma.Sql[] = [Prisma.sql`a.deleted_at IS NULL`]
  if (filter.publicAt) {
    where.push(Prisma.sql`a.status IN ('published', 'scheduled') AND a.published_at <= ${filter.publicAt}`)
  }
  switch (filter.status) {
    case 'published':
      where.push(Prisma.sql`a.status IN ('published', 'scheduled') AND a.published_at <= ${filter.now}`)
      break
    case 'scheduled':
      where.push(Prisma.sql`a.status = 'scheduled' AND a.published_at > ${filter.now}`)
      break
    case 'draft':
    case 'archived':
      where.push(Prisma.sql`a.status = ${filter.status}::article_status`)
      break
  }
  if (filter.source) where.push(sourceMatch(Prisma.sql`a.source_id`, filter.source))
  if (filter.credit) {
    where.push(
      Prisma.sql`EXISTS (SELECT 1 FROM article_credits c WHERE c.article_id = a.id AND ${sourceMatch(Prisma.sql`c.source_id`, filter.credit)})`,
    )
  }
  if (filter.tags?.length) {
    where.push(
      Prisma.sql`EXISTS (SELECT 1 FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id AND t.slug IN (${Prisma.join(filter.tags)}))`,
    )
  }
  if (filter.language) where.push(Prisma.sql`a.language = ${filter.language}`)
  if (filter.publishedAfter) where.push(Prisma.sql`a.published_at >= ${filter.publishedAfter}`)
  if (filter.publishedBefore) where.push(Prisma.sql`a.published_at < ${filter.publishedBefore}`)
  if (filter.q) where.push(Prisma.sql`a.search_vector @@ ${tsQuery(filter)}`)
  return where
}

// The position after the last row seen. The redundant bound on the sort column alone lets
// PostgreSQL use the (column, id) index as a range; the OR alone is not recognised as one.
function keyset(filter: ArticleListFilter): Prisma.Sql | null {
  const after = filter.after
  if (!after) return null
  if (filter.sort === 'relevance') {
    return Prisma.sql`(m.rank < ${after.value} OR (m.rank = ${after.value} AND m.id < ${after.id}::uuid))`
  }
  if (filter.sort === '-updatedAt') {
    const v = after.value as Date
    return Prisma.sql`m.updated_at <= ${v} AND (m.updated_at < ${v} OR (m.updated_at = ${v} AND m.id < ${after.id}::uuid))`
  }
  // -publishedAt, drafts (no publish time) last.
  if (after.value === null) return Prisma.sql`m.published_at IS NULL AND m.id < ${after.id}::uuid`
  const v = after.value as Date
  return Prisma.sql`(m.published_at IS NULL OR (m.published_at <= ${v} AND (m.published_at < ${v} OR (m.published_at = ${v} AND m.id < ${after.id}::uuid))))`
}

function orderBy(sort: ArticleSort, alias: 'm' | 'p'): Prisma.Sql {
  const column =
    sort === 'relevance' ? 'rank DESC' : sort === '-updatedAt' ? 'updated_at DESC' : 'published_at DESC NULLS LAST'
  return Prisma.raw(`${alias}.${column}, ${alias}.id DESC`)
}

export async function listArticleIds(db: Db, filter: ArticleListFilter): Promise<ListedId[]> {
  const where = Prisma.join(conditions(filter), ' AND ')
  const rank = filter.q ? Prisma.sql`ts_rank(a.search_vector, ${tsQuery(filter)})` : Prisma.sql`NULL::real`
  const position = keyset(filter)
  // Snippets are made for the page's rows only, from HTML-escaped text, so that <mark> is the only markup.
  // The text is parsed with the query's configuration: parsed with another (stemmed) one, its words
  // would not be the query's and nothing would be marked. A passage of the body when the body matches;
  // otherwise the match is in the headline or summary, so the snippet is taken from them (and the body).
  const snippetText = Prisma.sql`CASE WHEN to_tsvector(${searchConfig(filter)}, a.body_text) @@ ${tsQuery(filter)}
    THEN a.body_text ELSE concat_ws(' … ', a.headline, a.summary, nullif(a.body_text, '')) END`
  const snippet = filter.q
    ? Prisma.sql`ts_headline(${searchConfig(filter)},
        replace(replace(replace(${snippetText}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
        ${tsQuery(filter)}, 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "')`
    : Prisma.sql`NULL`
  return db.$queryRaw<ListedId[]>`
    WITH m AS (
      SELECT a.id, a.published_at, a.updated_at, ${rank} AS rank
      FROM articles a WHERE ${where}
    ), p AS (
      SELECT m.* FROM m ${position ? Prisma.sql`WHERE ${position}` : Prisma.empty}
      ORDER BY ${orderBy(filter.sort, 'm')} LIMIT ${filter.limit + 1}
    )
    SELECT p.id, p.published_at AS "publishedAt", p.updated_at AS "updatedAt", p.rank::float8 AS rank,
      ${snippet} AS snippet
    FROM p JOIN articles a ON a.id = p.id
    ORDER BY ${orderBy(filter.sort, 'p')}`
}

export async function countArticles(db: Db, filter: ArticleListFilter): Promise<number> {
  const rows = await db.$queryRaw<{ total: bigint }[]>`
    SELECT count(*) AS total FROM articles a WHERE ${Prisma.join(conditions(filter), ' AND ')}`
  return Number(rows[0]?.total ?? 0)
}

export function findArticlesByIds(db: Db, ids: string[]): Promise<ArticleRow[]> {
  return db.article.findMany({ where: { id: { in: ids } }, include: articleInclude })
}

/** A live article by id, slug or former slug (deleted articles are not found). */
export async function findArticle(db: Db, idOrSlug: string, isId: boolean): Promise<ArticleRow | null> {
  if (isId) return db.article.findFirst({ where: { id: idOrSlug, deletedAt: null }, include: articleInclude })
  return db.article.findFirst({
    where: { deletedAt: null, OR: [{ slug: idOrSlug }, { oldSlugs: { some: { slug: idOrSlug } } }] },
    include: articleInclude,
  })
}
