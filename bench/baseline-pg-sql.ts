// The hand-written SQL of baseline (2) (bench/baseline-pg.ts), for the schema the database has: the
// article by slug and the first page, each one statement. The statement-time table
// (bench/statements.ts) runs the same statements beside the API's.
import type pg from 'pg'

export interface BaselineSql {
  articleSql: string
  firstPageSql: string
  hasEmbargo: boolean
  hasRights: boolean
  hasCorrections: boolean
}

interface Schema {
  hasEmbargo: boolean
  hasRights: boolean
  hasCorrections: boolean
  hasBodyHtml: boolean
  hasContributors: boolean
}

/** Which of the columns and tables the statements read this database has (older schemas lack some). */
async function probeSchema(pool: pg.Pool | pg.Client): Promise<Schema> {
  const column = async (name: string) =>
    Boolean(
      (
        await pool.query(
          `SELECT 1 FROM information_schema.columns WHERE table_name = 'articles' AND column_name = $1`,
          [name],
        )
      ).rowCount,
    )
  const hasEmbargo = await column('embargoed_until')
  const hasRights = await column('syndicatable')
  const { rows: noteTables } = await pool.query<{ corrections: boolean }>(
    `SELECT to_regclass('article_corrections') IS NOT NULL AS corrections`,
  )
  const hasCorrections = noteTables[0]?.corrections === true
  const { rows: relationTables } = await pool.query<{ contributors: boolean }>(
    `SELECT to_regclass('article_contributors') IS NOT NULL AS contributors`,
  )
  const hasContributors = relationTables[0]?.contributors === true
  return { hasEmbargo, hasRights, hasCorrections, hasBodyHtml: await column('body_html'), hasContributors }
}

export async function baselineSql(pool: pg.Pool | pg.Client): Promise<BaselineSql> {
  const { hasEmbargo, hasRights, hasCorrections, hasBodyHtml, hasContributors } = await probeSchema(pool)
  const isPublic = `a.deleted_at IS NULL AND a.status IN ('published', 'scheduled') AND a.published_at <= now()
    ${hasEmbargo ? 'AND (a.embargoed_until IS NULL OR a.embargoed_until <= now())' : ''}`
  // Tags looked up per article through the primary key (joined plainly, PostgreSQL hashes the whole
  // tags table for every article: ten times slower on a page).
  const tagSlugs = `coalesce((SELECT json_agg(t.slug ORDER BY t.slug) FROM article_tags x
    CROSS JOIN LATERAL (SELECT slug FROM tags WHERE id = x.tag_id OFFSET 0) t WHERE x.article_id = a.id), '[]')`

  // The stored HTML where the schema has a column for it; otherwise (and for rows stored before it)
  // the Markdown stands in, of about the same size. Never rendered here.
  const bodyHtml = hasBodyHtml ? 'coalesce(a.body_html, a.body)' : 'a.body'
  // Contributors (person ids and roles) and sections (ids, primary flag), where the schema has them.
  const peopleAndSections = hasContributors
    ? `coalesce((SELECT json_agg(json_build_object('personId', x.person_id, 'role', x.role) ORDER BY x.position)
        FROM article_contributors x WHERE x.article_id = a.id), '[]') AS contributors,
      coalesce((SELECT json_agg(json_build_object('sectionId', x.section_id, 'primary', x.is_primary) ORDER BY x.position)
        FROM article_sections x WHERE x.article_id = a.id), '[]') AS sections,`
    : ''

  // Rights: the article's own columns, and each credit's source (name, redistribution, credit line
  // template) for the credit line; correction notes oldest first.
  const rightsColumns = hasRights
    ? `a.usage_terms, a.copyright_holder, a.copyright_notice, a.allow_syndication, a.syndication_override,
      a.syndicatable,`
    : ''
  const embargoColumn = hasEmbargo ? 'a.embargoed_until,' : ''
  const creditSource = hasRights
    ? `, 'name', s.name, 'redistribution', s.redistribution, 'creditLine', s.credit_line`
    : ''
  const creditJoin = hasRights ? 'CROSS JOIN LATERAL (SELECT * FROM sources WHERE id = c.source_id OFFSET 0) s' : ''
  const notes = hasCorrections
    ? `coalesce((SELECT json_agg(json_build_object('kind', k.kind, 'text', k.text, 'at', k.at, 'version', k.version)
        ORDER BY k.at, k.id) FROM article_corrections k WHERE k.article_id = a.id), '[]') AS corrections,`
    : ''

  // One query reads what the default representation shows: the article, its credits (source ids and
  // roles), contributors, sections and tag slugs, as the API's repository does for that view.
  const articleSql = `
    SELECT a.id, a.slug, a.headline, a.summary, a.body, ${bodyHtml} AS body_html, a.body_text, a.dateline, a.bylines,
      a.language, a.status, a.published_at, a.first_published_at, a.canonical_url, a.lead_image_url,
      a.lead_image_caption, a.lead_image_credit, a.source_id, a.version, a.created_by_id, a.updated_by_id,
      a.created_at, a.updated_at, ${rightsColumns} ${embargoColumn}
      coalesce((SELECT json_agg(json_build_object('sourceId', c.source_id, 'role', c.role${creditSource}) ORDER BY c.position)
        FROM article_credits c ${creditJoin} WHERE c.article_id = a.id), '[]') AS credits,
      ${peopleAndSections}
      ${notes}
      ${tagSlugs} AS tags
    FROM articles a
    WHERE a.slug = $1 AND ${isPublic}`

  // Newest first in the (published_at, id) index's own order, one row more than the page to know
  // whether there is a next one.
  const firstPageSql = `
    SELECT a.id, a.slug, a.headline, a.summary, a.dateline, a.bylines, a.language, a.published_at, a.source_id,
      ${tagSlugs} AS tags
    FROM articles a
    WHERE ${isPublic}
    ORDER BY a.published_at DESC, a.id DESC
    LIMIT 21`

  return { articleSql, firstPageSql, hasEmbargo, hasRights, hasCorrections }
}
