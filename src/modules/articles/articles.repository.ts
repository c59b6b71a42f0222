// Article queries, on the hottest read paths of the API, written as SQL: a read is one statement.
// A list is built from fragments (filters, full-text search, keyset position) and returns the
// page's records with their source, credits and tags as JSON; one article is the same record
// looked up by id or slug. Through the ORM the same reads cost one query per relation and twice
// the time (measured with npm run bench). A read selects what its view shows: no body columns for
// a list of summaries, no source records unless embedded. Every filter has an index behind it.

import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { ArticleStatus } from '../../generated/prisma/enums.js'

type SourceRow = Prisma.SourceGetPayload<object>

/** What the records of a read carry besides the article's own columns. */
export interface Relations {
  /** The publishing source's record (otherwise `source` is null and only sourceId is set). */
  source: boolean
  /** The credited sources' records (otherwise credits carry their sourceId only). */
  creditSources: boolean
}

export const allRelations: Relations = { source: true, creditSources: true }

/** An article's columns, its credits in order and its tags by slug. */
export interface ArticleRow extends Prisma.ArticleGetPayload<object> {
  source: SourceRow | null
  credits: { sourceId: string; role: string; position: number; source?: SourceRow }[]
  tags: { tag: { id: string; slug: string; name: string } }[]
}

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
  /** Leave the body columns out (a view that does not show them): a list page is then ~20x smaller. */
  withoutBody?: boolean
  relations: Relations
}

export interface ListedArticle {
  row: ArticleRow
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

/** Source and tag ids a filter names, when known before the list's statement is planned. */
interface FilterIds {
  sources?: string[]
  tags?: string[]
}

/**
 * Looks up the ids of the source and tags a list filters by. Passed to the list's statement as
 * values, they let PostgreSQL estimate from its statistics how many articles match (a common tag
 * or a rare one), and choose between walking the date index and starting from the tag: named
 * through a join, every tag looked the same and a common one took 360 ms instead of 2 ms.
 */
async function filterIds(db: Db, filter: ArticleListFilter): Promise<FilterIds> {
  if (!filter.source && !filter.tags?.length) return {}
  const rows = await db.$queryRaw<{ kind: 'source' | 'tag'; id: string }[]>`
    SELECT 'source' AS kind, s.id FROM sources s
      WHERE ${filter.source ?? null}::text IS NOT NULL AND (s.slug = ${filter.source ?? ''} OR s.id::text = ${(filter.source ?? '').toLowerCase()})
    UNION ALL
    SELECT 'tag', t.id FROM tags t WHERE t.slug = ANY (${filter.tags ?? []}::text[])`
  const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.id)
  return {
    ...(filter.source ? { sources: of('source') } : {}),
    ...(filter.tags?.length ? { tags: of('tag') } : {}),
  }
}

/**
 * A time as a sub-select: PostgreSQL then plans the statement the same way whatever the time,
 * so a named statement runs on its cached generic plan. As a plain parameter, every call was
 * planned again for its value (~0.9 ms of a 2 ms first page) with the same plan as the result.
 */
function opaque(at: Date): Prisma.Sql {
  return Prisma.sql`(SELECT ${at}::timestamptz)`
}

function conditions(filter: ArticleListFilter, ids: FilterIds): Prisma.Sql[] {
  const where: Prisma.Sql[] = [Prisma.sql`a.deleted_at IS NULL`]
  if (filter.publicAt) {
    where.push(Prisma.sql`a.status IN ('published', 'scheduled') AND a.published_at <= ${opaque(filter.publicAt)}`)
  }
  switch (filter.status) {
    case 'published':
      where.push(Prisma.sql`a.status IN ('published', 'scheduled') AND a.published_at <= ${opaque(filter.now)}`)
      break
    case 'scheduled':
      where.push(Prisma.sql`a.status = 'scheduled' AND a.published_at > ${opaque(filter.now)}`)
      break
    case 'draft':
    case 'archived':
      where.push(Prisma.sql`a.status = ${filter.status}::article_status`)
      break
  }
  if (filter.source) where.push(Prisma.sql`a.source_id = ANY (${ids.sources ?? []}::uuid[])`)
  if (filter.credit) {
    where.push(
      Prisma.sql`EXISTS (SELECT 1 FROM article_credits c WHERE c.article_id = a.id AND ${sourceMatch(Prisma.sql`c.source_id`, filter.credit)})`,
    )
  }
  if (filter.tags?.length) {
    where.push(
      Prisma.sql`EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = a.id AND x.tag_id = ANY (${ids.tags ?? []}::uuid[]))`,
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

// The record of an article (alias a): its columns, and its source, credits (with their sources)
// and tags as JSON built by the database, each from a primary-key or index lookup. The OFFSET 0
// fences keep the lookups per row: joined plainly, the planner hashes the whole tags table for
// each article (10x slower for a page of 20).
const sourceJson = (alias: string) =>
  Prisma.raw(`json_build_object('id', ${alias}.id, 'slug', ${alias}.slug, 'name', ${alias}.name,
    'nameKey', ${alias}.name_key, 'kind', ${alias}.kind, 'homepageUrl', ${alias}.homepage_url,
    'description', ${alias}.description, 'createdAt', ${alias}.created_at, 'updatedAt', ${alias}.updated_at,
    'createdById', ${alias}.created_by_id, 'updatedById', ${alias}.updated_by_id)`)

function recordColumns(relations: Relations, withoutBody = false): Prisma.Sql {
  const body = withoutBody
    ? Prisma.raw(`'' AS body, '' AS body_text, NULL::text AS body_html`)
    : Prisma.raw('a.body, a.body_text, a.body_html')
  const source = relations.source
    ? Prisma.sql`(SELECT ${sourceJson('s')} FROM sources s WHERE s.id = a.source_id)`
    : Prisma.sql`NULL::json`
  const creditSource = relations.creditSources ? Prisma.sql`, 'source', ${sourceJson('cs')}` : Prisma.empty
  const creditJoin = relations.creditSources
    ? Prisma.sql`CROSS JOIN LATERAL (SELECT * FROM sources WHERE id = c.source_id OFFSET 0) cs`
    : Prisma.empty
  return Prisma.sql`a.id, a.slug, a.headline, a.summary, ${body}, a.dateline, a.bylines, a.language,
    a.status::text AS status, a.published_at, a.first_published_at, a.canonical_url, a.lead_image_url,
    a.lead_image_caption, a.lead_image_credit, a.source_id, a.version, a.deleted_at, a.created_by_id,
    a.updated_by_id, a.created_at, a.updated_at, ${source} AS source,
    (SELECT coalesce(json_agg(json_build_object('sourceId', c.source_id, 'role', c.role, 'position', c.position
        ${creditSource}) ORDER BY c.position), '[]')
      FROM article_credits c ${creditJoin} WHERE c.article_id = a.id) AS credits,
    (SELECT coalesce(json_agg(json_build_object('id', t.id, 'slug', t.slug, 'name', t.name) ORDER BY t.slug), '[]')
      FROM article_tags x CROSS JOIN LATERAL (SELECT * FROM tags WHERE id = x.tag_id OFFSET 0) t
      WHERE x.article_id = a.id) AS tags`
}

interface SourceJson extends Omit<SourceRow, 'createdAt' | 'updatedAt'> {
  createdAt: string
  updatedAt: string
}

interface RecordRow {
  id: string
  slug: string
  headline: string
  summary: string | null
  body: string
  body_text: string
  body_html: string | null
  dateline: string | null
  bylines: string[]
  language: string
  status: ArticleStatus
  published_at: Date | null
  first_published_at: Date | null
  canonical_url: string | null
  lead_image_url: string | null
  lead_image_caption: string | null
  lead_image_credit: string | null
  source_id: string | null
  version: number
  deleted_at: Date | null
  created_by_id: string | null
  updated_by_id: string | null
  created_at: Date
  updated_at: Date
  source: SourceJson | null
  credits: { sourceId: string; role: string; position: number; source?: SourceJson }[]
  tags: { id: string; slug: string; name: string }[]
}

function toSourceRow(s: SourceJson): SourceRow {
  return { ...s, createdAt: new Date(s.createdAt), updatedAt: new Date(s.updatedAt) }
}

function toArticleRow(r: RecordRow): ArticleRow {
  return {
    id: r.id,
    slug: r.slug,
    headline: r.headline,
    summary: r.summary,
    body: r.body,
    bodyText: r.body_text,
    bodyHtml: r.body_html,
    dateline: r.dateline,
    bylines: r.bylines,
    language: r.language,
    status: r.status,
    publishedAt: r.published_at,
    firstPublishedAt: r.first_published_at,
    canonicalUrl: r.canonical_url,
    leadImageUrl: r.lead_image_url,
    leadImageCaption: r.lead_image_caption,
    leadImageCredit: r.lead_image_credit,
    sourceId: r.source_id,
    version: r.version,
    deletedAt: r.deleted_at,
    createdById: r.created_by_id,
    updatedById: r.updated_by_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    source: r.source ? toSourceRow(r.source) : null,
    credits: r.credits.map((c) => ({
      sourceId: c.sourceId,
      role: c.role,
      position: c.position,
      ...(c.source ? { source: toSourceRow(c.source) } : {}),
    })),
    tags: r.tags.map((t) => ({ tag: t })),
  }
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
  const snippet = filter.q
    ? Prisma.sql`ts_headline(${searchConfig(filter)},
        replace(replace(replace(${snippetText}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
        ${tsQuery(filter)}, 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "')`
    : Prisma.sql`NULL`
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
  const rows = await db.$queryRaw<(RecordRow & { rank: number | null; snippet: string | null })[]>`
    WITH p AS (${page})
    SELECT ${recordColumns(filter.relations, filter.withoutBody)}, p.rank::float8 AS rank, ${snippet} AS snippet
    FROM p JOIN articles a ON a.id = p.id
    ORDER BY ${orderBy(filter.sort, 'p')}`
  return rows.map((r) => ({ row: toArticleRow(r), rank: r.rank, snippet: r.snippet }))
}

export async function countArticles(db: Db, filter: ArticleListFilter): Promise<number> {
  const rows = await db.$queryRaw<{ total: bigint }[]>`
    SELECT count(*) AS total FROM articles a WHERE ${Prisma.join(conditions(filter, await filterIds(db, filter)), ' AND ')}`
  return Number(rows[0]?.total ?? 0)
}

/** A live article by id, slug or former slug (deleted articles are not found), in one statement. */
export async function findArticle(
  db: Db,
  idOrSlug: string,
  isId: boolean,
  relations: Relations = allRelations,
): Promise<ArticleRow | null> {
  const match = isId
    ? Prisma.sql`a.id = ${idOrSlug}::uuid`
    : Prisma.sql`a.id = coalesce((SELECT id FROM articles WHERE slug = ${idOrSlug}),
        (SELECT article_id FROM article_slugs WHERE slug = ${idOrSlug}))`
  const rows = await db.$queryRaw<RecordRow[]>`
    SELECT ${recordColumns(relations)} FROM articles a WHERE ${match} AND a.deleted_at IS NULL`
  return rows[0] ? toArticleRow(rows[0]) : null
}
