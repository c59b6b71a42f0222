// The SQL of a new article: its row and every link it starts with (credits, tags, contributors,
// sections, the media its body embeds) in one statement, on the create's transaction. A new
// article has no links to replace: nothing is deleted first.

import type { RawDb } from '../../db/direct.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { ContributorRole } from '../../generated/prisma/enums.js'
import { articleColumnOf } from './articles.record-repository.js'
import type { ArticleChanges } from './articles.write-repository.js'

export interface NewArticle {
  id: string
  slug: string
  /** The input's columns (articles.columns.ts), its headline among them. */
  columns: ArticleChanges
  keyId: string | null
  at: Date
  credits: { sourceId: string; role: string }[]
  tagIds: string[]
  contributors?: { personId: string; role: ContributorRole }[]
  sections?: { sectionId: string; primary: boolean }[]
  mediaIds: string[]
}

/**
 * The stored syndicatable flag of the new article (articles.rights-repository.ts computes it for
 * an existing one): its own setting, and no credited source forbids redistribution unless an
 * editor overrode it.
 */
function syndicatable(a: NewArticle): Prisma.Sql {
  const allow = a.columns.allowSyndication ?? true
  const override = a.columns.syndicationOverride ?? null
  const sourceIds = a.credits.map((c) => c.sourceId)
  return Prisma.sql`(${allow}::boolean AND (${override}::text IS NOT NULL OR NOT EXISTS (
    SELECT 1 FROM sources s WHERE s.id = ANY (${sourceIds}::uuid[]) AND s.redistribution = 'forbidden')))`
}

function linkInserts(a: NewArticle): Prisma.Sql[] {
  const id = Prisma.sql`${a.id}::uuid`
  const links: Prisma.Sql[] = []
  if (a.credits.length > 0) {
    links.push(Prisma.sql`INSERT INTO article_credits (article_id, source_id, role, position)
      SELECT ${id}, c.id, c.role, c.n - 1
      FROM unnest(${a.credits.map((c) => c.sourceId)}::uuid[], ${a.credits.map((c) => c.role)}::text[])
        WITH ORDINALITY AS c(id, role, n)`)
  }
  if (a.tagIds.length > 0) {
    links.push(Prisma.sql`INSERT INTO article_tags (article_id, tag_id) SELECT ${id}, unnest(${a.tagIds}::uuid[])`)
  }
  const contributors = a.contributors ?? []
  if (contributors.length > 0) {
    links.push(Prisma.sql`INSERT INTO article_contributors (article_id, person_id, role, position)
      SELECT ${id}, c.id, c.role::contributor_role, c.n - 1
      FROM unnest(${contributors.map((c) => c.personId)}::uuid[], ${contributors.map((c) => c.role)}::text[])
        WITH ORDINALITY AS c(id, role, n)`)
  }
  const sections = a.sections ?? []
  if (sections.length > 0) {
    links.push(Prisma.sql`INSERT INTO article_sections (article_id, section_id, is_primary, position)
      SELECT ${id}, s.id, s.is_primary, s.n - 1
      FROM unnest(${sections.map((s) => s.sectionId)}::uuid[], ${sections.map((s) => s.primary)}::boolean[])
        WITH ORDINALITY AS s(id, is_primary, n)`)
  }
  if (a.mediaIds.length > 0) {
    links.push(Prisma.sql`INSERT INTO article_media (article_id, media_id) SELECT ${id}, unnest(${a.mediaIds}::uuid[])`)
  }
  return links
}

const concat = (parts: Prisma.Sql[]) => (parts.length > 0 ? Prisma.join(parts, '') : Prisma.empty)

/**
 * Inserts the article and its links in one statement (the links' keys are checked at its end,
 * when the article's row is there; the triggers then store its tag and credit lists).
 */
export async function insertNewArticle(tx: RawDb, a: NewArticle): Promise<void> {
  const given = Object.entries(a.columns).filter(([, value]) => value !== undefined)
  const columns = given.map(([field]) => {
    const column = articleColumnOf(field)
    if (!column) throw new Error(`No article column for ${field}`)
    return Prisma.raw(column)
  })
  const values = given.map(([, value]) => Prisma.sql`${value}`)
  const links = linkInserts(a).map((insert, i) => Prisma.sql`, ${Prisma.raw(`link_${i}`)} AS (${insert})`)
  await tx.$executeRaw`
    WITH article AS (
      INSERT INTO articles (id, slug, created_by_id, updated_by_id, created_at, updated_at, syndicatable
        ${concat(columns.map((c) => Prisma.sql`, ${c}`))})
      VALUES (${a.id}::uuid, ${a.slug}, ${a.keyId}::uuid, ${a.keyId}::uuid, ${a.at}, ${a.at}, ${syndicatable(a)}
        ${concat(values.map((v) => Prisma.sql`, ${v}`))})
      RETURNING id
    )${concat(links)}
    SELECT id FROM article`
}
