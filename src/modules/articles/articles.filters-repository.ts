// The filters of an article list as SQL: the ids a filter names (looked up before the list's
// statement is planned) and the conditions on the articles (alias a). Every filter has an index
// behind it.

import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { ArticleStatus } from '../../generated/prisma/enums.js'
import { uuidPattern } from '../../lib/uuid.js'
import { publicArticleSql } from './articles.embargo-repository.js'
import type { Relations } from './articles.record.js'
import type { ArticleField } from './articles.schemas.js'

export type ArticleSort = '-publishedAt' | '-updatedAt' | 'relevance'

export interface ArticleListFilter {
  /** Public view at this instant (published and due); null: the preview view (every live article). */
  publicAt: Date | null
  /** With publicAt: published articles still under embargo count (a content:embargoed caller). */
  embargoed?: boolean
  now: Date
  status?: ArticleStatus
  source?: string
  credit?: string
  tags?: string[]
  /** A contributor's id or slug. */
  person?: string
  /** A section's id or path, and whether the sections below it count. */
  section?: { key: string; descendants: boolean }
  language?: string
  /** Only articles that are (or are not) syndicatable: the (syndicatable, published_at, id) index. */
  syndicatable?: boolean
  publishedAfter?: Date
  publishedBefore?: Date
  q?: string
  sort: ArticleSort
  /** Keyset position: the sort value of the last row seen (null for a draft's publish time) and its id. */
  after?: { value: Date | number | null; id: string }
  limit: number
  /**
   * The fields the view shows (undefined: all): the columns only others need are left out (the
   * body columns, the largest: a list page of summaries is then ~20x smaller).
   */
  fields?: readonly ArticleField[]
  relations: Relations
}

function sourceMatch(column: Prisma.Sql, key: string): Prisma.Sql {
  return Prisma.sql`${column} IN (SELECT s.id FROM sources s WHERE s.slug = ${key} OR s.id::text = ${key.toLowerCase()})`
}

/** The text search configuration of a search: the language filter's, or words as written. */
export function searchConfig(filter: ArticleListFilter): Prisma.Sql {
  return filter.language ? Prisma.sql`newsdesk_search_config(${filter.language})` : Prisma.sql`'simple'::regconfig`
}

export function tsQuery(filter: ArticleListFilter): Prisma.Sql {
  return Prisma.sql`websearch_to_tsquery(${searchConfig(filter)}, ${filter.q})`
}

/** Source, tag, person and section ids a filter names, when known before the list's statement is planned. */
interface FilterIds {
  sources?: string[]
  tags?: string[]
  people?: string[]
  sections?: string[]
}

/**
 * Looks up the ids of the source and tags a list filters by (a tag by its slug or a former one).
 * Passed to the list's statement as values, they let PostgreSQL estimate from its statistics how
 * many articles match (a common tag or a rare one), and choose between walking the date index and
 * starting from the tag: named through a join, every tag looked the same and a common one took
 * 360 ms instead of 2 ms.
 */
export async function filterIds(db: Db, filter: ArticleListFilter): Promise<FilterIds> {
  const { source, person, section } = filter
  if (!source && !filter.tags?.length && !person && !section) return {}
  // A key is an id (matched on the primary key) or a slug / path (on its unique index): never
  // id::text, which no index serves.
  const slug = (k: string | undefined) => (k === undefined || uuidPattern.test(k) ? null : k)
  const id = (k: string | undefined) => (k !== undefined && uuidPattern.test(k) ? k.toLowerCase() : null)
  // A section's subtree is the sections whose path starts with its path and a slash (a small
  // table: the filter's cost is in article_sections, read by its (section_id, article_id) index).
  const subtree = section?.descendants ? Prisma.sql`OR starts_with(d.path, s.path || '/')` : Prisma.empty
  const rows = await db.$queryRaw<{ kind: 'source' | 'tag' | 'person' | 'section'; id: string }[]>`
    SELECT 'source' AS kind, s.id FROM sources s WHERE s.slug = ${slug(source)} OR s.id = ${id(source)}::uuid
    UNION ALL
    SELECT 'tag', t.id FROM tags t WHERE t.slug = ANY (${filter.tags ?? []}::text[])
    UNION ALL
    SELECT 'tag', f.tag_id FROM tag_slugs f WHERE f.slug = ANY (${filter.tags ?? []}::text[])
    UNION ALL
    SELECT 'person', p.id FROM people p WHERE p.slug = ${slug(person)} OR p.id = ${id(person)}::uuid
    UNION ALL
    SELECT 'section', d.id FROM sections s JOIN sections d ON d.id = s.id ${subtree}
      WHERE s.path = ${slug(section?.key)} OR s.id = ${id(section?.key)}::uuid`
  const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.id)
  return {
    ...(source ? { sources: of('source') } : {}),
    ...(filter.tags?.length ? { tags: of('tag') } : {}),
    ...(person ? { people: of('person') } : {}),
    ...(section ? { sections: of('section') } : {}),
  }
}

/**
 * A time as a sub-select: PostgreSQL then plans the statement the same way whatever the time,
 * so a named statement runs on its cached generic plan. As a plain parameter, every call was
 * planned again for its value (~0.9 ms of a 2 ms first page) with the same plan as the result.
 */
export function opaque(at: Date): Prisma.Sql {
  return Prisma.sql`(SELECT ${at}::timestamptz)`
}

export function conditions(filter: ArticleListFilter, ids: FilterIds): Prisma.Sql[] {
  const where: Prisma.Sql[] = [Prisma.sql`a.deleted_at IS NULL`]
  if (filter.publicAt) {
    where.push(publicArticleSql('a', opaque(filter.publicAt), { embargoed: filter.embargoed }))
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
  if (filter.source) {
    // One source (a key names at most one) as an equality: PostgreSQL then reads the articles of
    // the source newest first off the (source_id, published_at, id) index; = ANY of an array does
    // not keep that order, and it walked every source's articles by date instead (3x the pages).
    const [only, ...more] = ids.sources ?? []
    where.push(
      only !== undefined && more.length === 0
        ? Prisma.sql`a.source_id = ${only}::uuid`
        : Prisma.sql`a.source_id = ANY (${ids.sources ?? []}::uuid[])`,
    )
  }
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
  if (filter.person) {
    where.push(
      Prisma.sql`EXISTS (SELECT 1 FROM article_contributors x WHERE x.article_id = a.id AND x.person_id = ANY (${ids.people ?? []}::uuid[]))`,
    )
  }
  if (filter.section) {
    where.push(
      Prisma.sql`EXISTS (SELECT 1 FROM article_sections x WHERE x.article_id = a.id AND x.section_id = ANY (${ids.sections ?? []}::uuid[]))`,
    )
  }
  if (filter.language) where.push(Prisma.sql`a.language = ${filter.language}`)
  if (filter.syndicatable !== undefined) where.push(Prisma.sql`a.syndicatable = ${filter.syndicatable}`)
  if (filter.publishedAfter) where.push(Prisma.sql`a.published_at >= ${filter.publishedAfter}`)
  if (filter.publishedBefore) where.push(Prisma.sql`a.published_at < ${filter.publishedBefore}`)
  if (filter.q) where.push(Prisma.sql`a.search_vector @@ ${tsQuery(filter)}`)
  return where
}
