// Related articles: the public articles that share the most tags and sections with an article,
// closest to it in time, in one statement. See relatedArticles for the ranking and its bounds.

import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { publicArticleSql } from './articles.embargo-repository.js'
import { type ArticleRecord, type RawRecord, type Relations, toArticleRecord } from './articles.record.js'
import { recordColumns } from './articles.record-repository.js'
import type { ArticleField } from './articles.schemas.js'

/**
 * Candidates per tag or section of the article, on each side of it in time: as many as the list
 * shows, and at least 10 (see neighbours).
 */
const perSideOf = (limit: number) => Math.max(10, Math.trunc(limit))

/** A shared section counts half a shared tag: sections are broad (a whole desk), tags are topics. */
const sectionWeight = 0.5

/** Days apart at which an article's score is halved (two months: a third; a year: 1/13). */
const halfScoreDays = 30

export interface RelatedFilter {
  /** The article, by id, or by slug (current or former). */
  article: { id: string } | { slug: string }
  /** Public view at this instant: the article itself must then be public. Null: the preview view. */
  publicAt: Date | null
  /** With publicAt: the article itself may be published under embargo (a content:embargoed caller). */
  embargoed?: boolean
  now: Date
  limit: number
  /** The fields the view shows (undefined: all): the columns only others need are left out. */
  fields?: readonly ArticleField[]
  relations: Relations
}

export interface Related {
  /** The article when it exists (live) and the view may see it; null otherwise. */
  article: { id: string; updatedAt: Date } | null
  /** Its related articles, best first. */
  related: ArticleRecord[]
}

/** A time as a sub-select: one generic plan whatever its value (see opaque() in articles.repository.ts). */
const at = (time: Date) => Prisma.sql`(SELECT ${time}::timestamptz)`

/** Public at `now`, columns of alias a: what anonymous readers may see (`embargoed`: or under embargo). */
const isPublic = (now: Date, embargoed = false) => publicArticleSql('a', at(now), { embargoed })

/**
 * The articles nearest the article in creation order that share one of its tags (`links` =
 * article_tags, key tag_id) or sections (article_sections, section_id) and are public: `perSide`
 * before and `perSide` after it for each one it has. Ids are UUIDv7, so the (key, article_id)
 * indexes list an article's neighbours in time, and each walk stops after `perSide` public ones
 * however many articles the tag has.
 */
function neighbours(
  links: 'article_tags' | 'article_sections',
  key: 'tag_id' | 'section_id',
  now: Date,
  perSide: number,
) {
  const table = Prisma.raw(links)
  const column = Prisma.raw(key)
  const side = (before: boolean) =>
    Prisma.sql`(SELECT x.article_id AS id, a.published_at FROM ${table} x JOIN articles a ON a.id = x.article_id
      WHERE x.${column} = k.${column} AND x.article_id ${Prisma.raw(before ? '<' : '>')} self.id AND ${isPublic(now)}
      ORDER BY x.article_id ${Prisma.raw(before ? 'DESC' : 'ASC')} LIMIT ${Prisma.raw(String(perSide))})`
  // Joined (not unnested from self's arrays) so that PostgreSQL estimates the few an article has:
  // estimated at ten each, the statement looked costly enough to be JIT-compiled (+100 ms).
  return Prisma.sql`SELECT c.id, c.published_at FROM self JOIN ${table} k ON k.article_id = self.id
    CROSS JOIN LATERAL (${side(true)} UNION ALL ${side(false)}) c`
}

/**
 * The article (found and checked for visibility as a single read does) and its related articles
 * in one statement. Ranking: score = (shared tags + ½ shared sections) / (1 + days apart / 30),
 * days apart counted in whole days between the publish times (the article's own, or now for a
 * draft); ties go to the closest in words — ts_rank of the candidate's search vector against the
 * article's headline and summary words — then to the newest. Never the article itself, never an
 * article that is not public now, whoever asks.
 *
 * The candidates are bounded (see neighbours), then scored exactly: their shared tags and sections
 * counted through the primary keys. Measured on the benchmark's 100,000 synthetic articles (500
 * tags, the most common on 10,778 articles; 27 sections of 4,500–11,000), PostgreSQL 15, warm
 * buffers, 2 shared cores: an article with four tags (the most common among them) and two sections
 * has ~120 candidates at limit 5 — EXPLAIN ANALYZE 4.4 ms; 2.5 ms a call as a prepared statement
 * (the first page of the list: 1.2 ms); 4.8 ms at limit 20 (~240 candidates). Ranking every article
 * that shares a tag or section instead (~19,000 candidates) took 480 ms, 100 ms of it JIT. Under
 * `npm run bench`, related answers 0.82× the requests a second of the first page.
 */
export async function relatedArticles(db: Db, filter: RelatedFilter): Promise<Related> {
  const match =
    'id' in filter.article
      ? Prisma.sql`a.id = ${filter.article.id}::uuid`
      : Prisma.sql`a.id = coalesce((SELECT id FROM articles WHERE slug = ${filter.article.slug}),
          (SELECT article_id FROM article_slugs WHERE slug = ${filter.article.slug}))`
  // The article's headline and summary words (weights A and B of its search vector), as a query
  // any of them matches: lexemes quoted, their quotes and backslashes doubled.
  const words = Prisma.sql`(SELECT string_agg('''' || replace(replace(w, chr(92), chr(92) || chr(92)), '''', '''''') || '''', ' | ')::tsquery
      FROM unnest(tsvector_to_array(ts_filter(a.search_vector, '{a,b}'))) AS w)`
  // Literals (the schema bounds the limit), as in the lists. Words only decide between equal
  // scores: they are ranked for the candidates scoring at least as much as the last one listed
  // (about `limit` of them; the score of the `last`-th best), not for every candidate.
  const limit = Prisma.raw(String(Math.trunc(filter.limit)))
  const last = Prisma.raw(String(Math.trunc(filter.limit) - 1))
  const rows = await db.$queryRaw<(RawRecord & { articleId: string; articleUpdatedAt: Date })[]>`
    WITH self AS MATERIALIZED (
      SELECT a.id, a.updated_at, coalesce(a.published_at, ${at(filter.now)}) AS at,
        ARRAY(SELECT tag_id FROM article_tags WHERE article_id = a.id) AS tag_ids,
        ARRAY(SELECT section_id FROM article_sections WHERE article_id = a.id) AS section_ids,
        ${words} AS words
      FROM articles a
      WHERE ${match} AND ${filter.publicAt ? isPublic(filter.publicAt, filter.embargoed) : Prisma.sql`a.deleted_at IS NULL`}
    ),
    near AS (
      ${neighbours('article_tags', 'tag_id', filter.now, perSideOf(filter.limit))}
      UNION
      ${neighbours('article_sections', 'section_id', filter.now, perSideOf(filter.limit))}
    ),
    scored AS MATERIALIZED (
      SELECT n.id, n.published_at,
        ((SELECT count(*) FROM article_tags x WHERE x.article_id = n.id AND x.tag_id = ANY (self.tag_ids))
          + ${Prisma.raw(String(sectionWeight))} * (SELECT count(*) FROM article_sections x
            WHERE x.article_id = n.id AND x.section_id = ANY (self.section_ids)))
          / (1 + floor(abs(extract(epoch FROM n.published_at - self.at)) / 86400) / ${Prisma.raw(String(halfScoreDays))}) AS score
      FROM near n CROSS JOIN self
    ),
    ranked AS (
      SELECT s.id, s.published_at, s.score, coalesce(ts_rank(a.search_vector, self.words), 0) AS similarity
      FROM scored s JOIN articles a ON a.id = s.id CROSS JOIN self
      WHERE s.score >= coalesce((SELECT score FROM scored ORDER BY score DESC OFFSET ${last} LIMIT 1), 0)
      ORDER BY s.score DESC, similarity DESC, s.published_at DESC, s.id DESC
      LIMIT ${limit}
    )
    SELECT self.id AS "articleId", self.updated_at AS "articleUpdatedAt",
      ${recordColumns(filter.relations, filter.fields)}
    FROM self LEFT JOIN ranked r ON true LEFT JOIN articles a ON a.id = r.id
    ORDER BY r.score DESC, r.similarity DESC, r.published_at DESC, r.id DESC`
  const [first] = rows
  if (!first) return { article: null, related: [] }
  return {
    article: { id: first.articleId, updatedAt: first.articleUpdatedAt },
    related: rows.filter((r) => r.id !== null).map(({ articleId, articleUpdatedAt, ...r }) => toArticleRecord(r)),
  }
}
