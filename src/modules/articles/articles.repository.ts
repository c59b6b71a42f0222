// Article reads. Those on the hottest read paths of the API are written as SQL: a read is one
// statement. A list is built from fragments (filters, full-text search, keyset position) and
// returns the page's records (their columns: articles.record.ts) with their source, credits and
// tags as JSON; one article is the same record looked up by id or slug. Through the ORM the same
// reads cost one query per relation and twice the time (measured with npm run bench). A read
// selects what its view shows: no body columns for a list of summaries, no source records unless
// embedded. Every filter has an index behind it.

import { type RawDb, readDirect } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere } from '../../lib/pagination.js'
import {
  type ArticleListFilter,
  type ArticleSort,
  conditions,
  filterIds,
  opaque,
  searchConfig,
  tsQuery,
} from './articles.filters-repository.js'
import { type ArticleRecord, allRelations, type RawRecord, type Relations, toArticleRecord } from './articles.record.js'
import { recordColumns } from './articles.record-repository.js'

export interface ListedArticle {
  record: ArticleRecord
  rank: number | null
  snippet: string | null
}

export type { ArticleListFilter, ArticleSort }

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
  // -publishedAt over dated rows only (see listArticles for the list with drafts).
  return datedKeyset(after.value as Date, after.id, 'm')
}

function datedKeyset(v: Date, id: string, alias: 'a' | 'm' = 'a'): Prisma.Sql {
  const c = Prisma.raw(alias)
  const at = opaque(v)
  return Prisma.sql`${c}.published_at <= ${at} AND (${c}.published_at < ${at} OR (${c}.published_at = ${at} AND ${c}.id < ${id}::uuid))`
}

/** The list order; `dated`: no row lacks a publish time, so the order is the indexes' (NULLS FIRST) one. */
function orderBy(sort: ArticleSort, alias: 'm' | 'p', dated = false): Prisma.Sql {
  const column =
    sort === 'relevance'
      ? 'rank DESC'
      : sort === '-updatedAt'
        ? 'updated_at DESC'
        : `published_at DESC${dated ? '' : ' NULLS LAST'}`
  return Prisma.raw(`${alias}.${column}, ${alias}.id DESC`)
}

/**
 * True when every row of the list has a publish time (public views, published and scheduled
 * filters): the order is then exactly the (published_at DESC, id DESC) indexes' order.
 */
function datedOnly(filter: ArticleListFilter): boolean {
  return filter.publicAt !== null || filter.status === 'published' || filter.status === 'scheduled'
}

/** One page of a list: the records in order, with their rank and snippet when searching. */
export async function listArticles(db: Db, filter: ArticleListFilter): Promise<ListedArticle[]> {
  const where = conditions(filter, await filterIds(db, filter))
  const rank = filter.q ? Prisma.sql`ts_rank(a.search_vector, ${tsQuery(filter)})` : Prisma.sql`NULL::real`
  // Snippets are made for the page's rows only, from HTML-escaped text, so that <mark> is the only markup.
  // The text is parsed with the query's configuration: parsed with another (stemmed) one, its words
  // would not be the query's and nothing would be marked. ts_headline picks the passages with the
  // query's words from headline, summary and body alike (finding first whether the body matched
  // parsed every body twice: half the time of a search).
  const snippetText = Prisma.sql`concat_ws(' … ', a.headline, a.summary, nullif(a.body_text, ''))`
  // Only a search selects them (a list without one has neither).
  const searched = filter.q
    ? Prisma.sql`, p.rank::float8 AS rank, ts_headline(${searchConfig(filter)},
        replace(replace(replace(${snippetText}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
        ${tsQuery(filter)}, 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "') AS snippet`
    : Prisma.empty
  // A literal (the schema bounds it to an integer): with LIMIT $n a generic plan would assume
  // a tenth of the table.
  const limit = Prisma.raw(String(Math.trunc(filter.limit) + 1))
  let page: Prisma.Sql
  if (filter.sort !== '-publishedAt' || datedOnly(filter)) {
    const position = keyset(filter)
    page = Prisma.sql`SELECT m.* FROM (SELECT a.id, a.published_at, a.updated_at, ${rank} AS rank
        FROM articles a WHERE ${Prisma.join(where, ' AND ')}) m
      ${position ? Prisma.sql`WHERE ${position}` : Prisma.empty}
      ORDER BY ${orderBy(filter.sort, 'm', true)} LIMIT ${limit}`
  } else {
    // Newest first with drafts (no publish time) last, as two index-ordered parts: the dated rows
    // (published_at DESC, id DESC), then the undated ones by id. One ORDER BY ... NULLS LAST over
    // both would sort every matching row instead of reading the first ones off the index.
    const after = filter.after
    const dated =
      after?.value === null
        ? null
        : Prisma.sql`(SELECT a.id, a.published_at, a.updated_at, NULL::real AS rank FROM articles a
            WHERE ${Prisma.join([...where, Prisma.sql`a.published_at IS NOT NULL`], ' AND ')}
            ${after ? Prisma.sql`AND ${datedKeyset(after.value as Date, after.id)}` : Prisma.empty}
            ORDER BY a.published_at DESC, a.id DESC LIMIT ${limit})`
    const undated = Prisma.sql`(SELECT a.id, a.published_at, a.updated_at, NULL::real AS rank FROM articles a
        WHERE ${Prisma.join([...where, Prisma.sql`a.published_at IS NULL`], ' AND ')}
        ${after?.value === null ? Prisma.sql`AND a.id < ${after.id}::uuid` : Prisma.empty}
        ORDER BY a.id DESC LIMIT ${limit})`
    page = Prisma.sql`SELECT m.* FROM (${dated ? Prisma.sql`${dated} UNION ALL ` : Prisma.empty}${undated}) m
      ORDER BY m.published_at DESC NULLS LAST, m.id DESC LIMIT ${limit}`
  }
  const rows = await readDirect<RawRecord & { rank?: number | null; snippet?: string | null }>(
    db,
    Prisma.sql`
    WITH p AS (${page})
    SELECT ${recordColumns(filter.relations, filter.fields)}${searched}
    FROM p JOIN articles a ON a.id = p.id
    ORDER BY ${orderBy(filter.sort, 'p')}`,
  )
  // The record keeps a search row's rank and snippet as two fields nothing reads: leaving them
  // out (a rest pattern) copied each row on V8's slow path, 2 % of an uncached list's CPU.
  return rows.map((row) => ({ record: toArticleRecord(row), rank: row.rank ?? null, snippet: row.snippet ?? null }))
}

export async function countArticles(db: Db, filter: ArticleListFilter): Promise<number> {
  const rows = await db.$queryRaw<{ total: bigint }[]>`
    SELECT count(*) AS total FROM articles a WHERE ${Prisma.join(conditions(filter, await filterIds(db, filter)), ' AND ')}`
  return Number(rows[0]?.total ?? 0)
}

/** A live article by id, slug or former slug (deleted articles are not found), in one statement. */
export async function findArticle(
  db: RawDb,
  idOrSlug: string,
  isId: boolean,
  relations: Relations = allRelations,
): Promise<ArticleRecord | null> {
  const match = isId
    ? Prisma.sql`a.id = ${idOrSlug}::uuid`
    : Prisma.sql`a.id = coalesce((SELECT id FROM articles WHERE slug = ${idOrSlug}),
        (SELECT article_id FROM article_slugs WHERE slug = ${idOrSlug}))`
  const rows = await readDirect<RawRecord>(
    db,
    Prisma.sql`SELECT ${recordColumns(relations)} FROM articles a WHERE ${match} AND a.deleted_at IS NULL`,
  )
  return rows[0] ? toArticleRecord(rows[0]) : null
}

export interface DeletionFilter {
  since?: Date
  /** Keyset position: the deletion time and id of the last tombstone seen. */
  after?: { value: Date; id: string }
  limit: number
  /** Only articles that were public at some time: the public tombstone list. */
  oncePublic: boolean
}

export interface Tombstone {
  id: string
  slug: string
  deletedAt: Date
  /** Set for a killed article, with its public notice and internal reason. */
  killedAt: Date | null
  killNotice: string | null
  killReason: string | null
}

/** Deleted articles (tombstones), oldest deletion first (`limit + 1` rows, for toPage). */
export async function listDeletions(db: Db, filter: DeletionFilter): Promise<Tombstone[]> {
  // Once public: published at some time (first_published_at is set when an article is published
  // or unpublished, archived after being public), or due when deleted (a scheduled article whose
  // time had come has no first publish time stored) — and not deleted before its embargo lifted
  // (publishing under embargo stores the first publish time, but the public never saw the article).
  const oncePublic: Prisma.ArticleWhereInput = {
    AND: [
      {
        OR: [
          { firstPublishedAt: { not: null } },
          { status: { in: ['published', 'scheduled'] }, publishedAt: { lte: db.article.fields.deletedAt } },
        ],
      },
      { OR: [{ embargoedUntil: null }, { embargoedUntil: { lte: db.article.fields.deletedAt } }] },
    ],
  }
  const rows = await db.article.findMany({
    where: {
      deletedAt: { not: null, ...(filter.since ? { gte: filter.since } : {}) },
      ...(filter.oncePublic ? oncePublic : {}),
      ...(filter.after ? keysetWhere('deletedAt', 'asc', filter.after.value, filter.after.id) : {}),
    },
    orderBy: [{ deletedAt: 'asc' }, { id: 'asc' }],
    select: { id: true, slug: true, deletedAt: true, killedAt: true, killNotice: true, killReason: true },
    take: filter.limit + 1,
  })
  return rows.map((r) => ({ ...r, deletedAt: r.deletedAt as Date }))
}
