import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'

export interface TagCountRow {
  slug: string
  name: string
  articleCount: number
}

export interface TagListFilter {
  /** Count (and list) only the articles public at this instant; null: every live article, every tag. */
  publicAt: Date | null
  /** Keyset position: the slug of the last tag seen (slugs are unique). */
  afterSlug?: string
  limit: number
}

/**
 * Tags by slug with their article counts (`limit + 1` rows, for toPage), in one statement: the
 * tags are walked in slug order off their unique index and each one's articles counted off the
 * (tag_id, article_id) index, so a page costs its own tags' counts, not a count of every tag.
 * The public view lists only the tags that counted at least one article: a tag of drafts alone
 * would tell what is being written.
 */
export async function listTagCounts(db: Db, filter: TagListFilter): Promise<TagCountRow[]> {
  const visible = filter.publicAt
    ? Prisma.sql`AND a.status IN ('published', 'scheduled') AND a.published_at <= (SELECT ${filter.publicAt}::timestamptz)`
    : Prisma.empty
  const conditions = [
    ...(filter.publicAt ? [Prisma.sql`c.n > 0`] : []),
    ...(filter.afterSlug !== undefined ? [Prisma.sql`t.slug > ${filter.afterSlug}`] : []),
  ]
  // A literal (the schema bounds it to an integer): with LIMIT $n a generic plan would assume a tenth of the table.
  const limit = Prisma.raw(String(Math.trunc(filter.limit) + 1))
  return db.$queryRaw<TagCountRow[]>`
    SELECT t.slug, t.name, c.n AS "articleCount"
    FROM tags t CROSS JOIN LATERAL (
      SELECT count(*)::int AS n FROM article_tags x JOIN articles a ON a.id = x.article_id
      WHERE x.tag_id = t.id AND a.deleted_at IS NULL ${visible}) c
    ${conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty}
    ORDER BY t.slug LIMIT ${limit}`
}

/** The ids of the tags with these slugs, creating those that do not exist yet (named after their slug). */
export async function ensureTags(tx: Db, slugs: string[]): Promise<Map<string, string>> {
  // Sorted, so two writers adding the same new tags take their locks in the same order.
  await tx.tag.createMany({
    data: [...slugs]
      .sort()
      .map((slug) => ({ slug, name: slug.replace(/-/g, ' ').replace(/^\w/, (c) => c.toUpperCase()) })),
    skipDuplicates: true,
  })
  const rows = await tx.tag.findMany({ where: { slug: { in: slugs } }, select: { id: true, slug: true } })
  return new Map(rows.map((r) => [r.slug, r.id]))
}
