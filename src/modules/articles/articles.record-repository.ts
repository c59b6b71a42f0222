// The SQL of an article's record (articles.record.ts): its columns by field, and its relations
// as JSON built by the database. Every read of records (one article, a list page, related
// articles, a change's versioned update) selects recordColumns.

import { Prisma } from '../../generated/prisma/client.js'
import { mediaEmbedJson } from '../media/media.embeds-repository.js'
import type { PersonRow } from '../people/people.mapper.js'
import type { SectionRow } from '../sections/sections.mapper.js'
import { sourceColumns } from '../sources/sources.columns.js'
import type { ArticleColumns, Relations } from './articles.record.js'
import type { ArticleField } from './articles.schemas.js'

/** Every article column by field (alias a). */
const articleColumns = {
  id: 'a.id',
  slug: 'a.slug',
  headline: 'a.headline',
  summary: 'a.summary',
  body: 'a.body',
  bodyText: 'a.body_text',
  bodyHtml: 'a.body_html',
  dateline: 'a.dateline',
  bylines: 'a.bylines',
  bylinesDerived: 'a.bylines_derived',
  language: 'a.language',
  status: 'a.status::text',
  publishedAt: 'a.published_at',
  firstPublishedAt: 'a.first_published_at',
  embargoedUntil: 'a.embargoed_until',
  canonicalUrl: 'a.canonical_url',
  leadImageUrl: 'a.lead_image_url',
  leadImageCaption: 'a.lead_image_caption',
  leadImageCredit: 'a.lead_image_credit',
  leadMediaId: 'a.lead_media_id',
  sourceId: 'a.source_id',
  usageTerms: 'a.usage_terms',
  copyrightHolder: 'a.copyright_holder',
  copyrightNotice: 'a.copyright_notice',
  allowSyndication: 'a.allow_syndication',
  syndicationOverride: 'a.syndication_override',
  syndicatable: 'a.syndicatable',
  version: 'a.version',
  deletedAt: 'a.deleted_at',
  killedAt: 'a.killed_at',
  killReason: 'a.kill_reason',
  killNotice: 'a.kill_notice',
  createdById: 'a.created_by_id',
  updatedById: 'a.updated_by_id',
  createdAt: 'a.created_at',
  updatedAt: 'a.updated_at',
} as const satisfies { [F in keyof ArticleColumns]-?: string }

/** The column of an article field (a write's SET), as the column map names it. */
export function articleColumnOf(field: string): string | undefined {
  const column = (articleColumns as Record<string, string>)[field]
  return column?.slice(2).replace('::text', '')
}

/**
 * The columns only some fields show, by the fields that need them: a read for a view that shows
 * none of them leaves them out (the record then lacks them; the view reads only what it shows).
 * The others are read always: the URL, status, visibility, sort, Last-Modified and surrogate keys
 * of every view need them. Only lists (and related articles) read with `fields`: no article they
 * hold is deleted. pg takes about as long for a column's value, null or not (~0.12 µs): the first
 * page's 21 rows of 28 columns took it 68 µs, the hand-written baseline's 21 rows of 10 took 26.
 */
const shownBy: { [C in keyof ArticleColumns]?: readonly ArticleField[] } = {
  headline: ['headline'],
  summary: ['summary'],
  body: ['body', 'bodyHtml'],
  bodyText: ['bodyText'],
  bodyHtml: ['bodyHtml'],
  dateline: ['dateline'],
  bylines: ['bylines'],
  bylinesDerived: [],
  language: ['language'],
  // A list has no deleted (hence no killed) article: never set in a read with `fields`.
  deletedAt: [],
  killedAt: [],
  killReason: [],
  killNotice: [],
  firstPublishedAt: ['firstPublishedAt', 'url', 'rights'],
  canonicalUrl: ['canonicalUrl', 'url'],
  leadImageUrl: ['leadImage'],
  leadImageCaption: ['leadImage'],
  leadImageCredit: ['leadImage'],
  usageTerms: ['rights'],
  copyrightHolder: ['rights'],
  copyrightNotice: ['rights'],
  allowSyndication: ['rights'],
  syndicationOverride: ['rights'],
  version: ['version'],
  createdById: ['createdBy'],
  updatedById: ['updatedBy'],
  createdAt: ['createdAt'],
}

/** The article columns a view showing `fields` (undefined: every field) reads. */
function columnsShowing(fields: readonly ArticleField[] | undefined): Record<string, string> {
  if (!fields) return articleColumns
  const shown = new Set(fields)
  return Object.fromEntries(
    Object.entries(articleColumns).filter(([column]) => {
      const needs = shownBy[column as keyof ArticleColumns]
      return !needs || needs.some((f) => shown.has(f))
    }),
  )
}

/** Every person column by field, for the JSON of an embedded person. */
const personColumns = {
  id: 'id',
  slug: 'slug',
  name: 'name',
  nameKey: 'name_key',
  bio: 'bio',
  bioHtml: 'bio_html',
  jobTitle: 'job_title',
  email: 'email',
  imageUrl: 'image_url',
  imageMediaId: 'image_media_id',
  sameAs: 'same_as',
  affiliationId: 'affiliation_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  createdById: 'created_by_id',
  updatedById: 'updated_by_id',
} as const satisfies { [F in keyof PersonRow]-?: string }

/** Every section column by field, for the JSON of an embedded section. */
const sectionColumns = {
  id: 'id',
  slug: 'slug',
  name: 'name',
  description: 'description',
  parentId: 'parent_id',
  path: 'path',
  depth: 'depth',
  position: 'position',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  createdById: 'created_by_id',
  updatedById: 'updated_by_id',
} as const satisfies { [F in keyof SectionRow]-?: string }

function selectList(columns: Record<string, string>): string {
  return Object.entries(columns)
    .map(([field, sql]) => `${sql} AS "${field}"`)
    .join(', ')
}

// Built once: the same relations give the same statement text, hence the same prepared statement.
// The lead image's media record, when it is one: a primary-key lookup, only for the rows that have one.
const leadMedia = mediaEmbedJson('a.lead_media_id')
/** The correction notes, oldest first. */
const corrections = Prisma.sql`(SELECT coalesce(json_agg(json_build_object('kind', k.kind, 'text', k.text, 'at', k.at, 'version', k.version)
        ORDER BY k.at, k.id), '[]')
      FROM article_corrections k WHERE k.article_id = a.id)`

const jsonPairs = (columns: Record<string, string>, alias: string) =>
  Object.entries(columns)
    .map(([field, column]) => `'${field}', ${alias}.${column}`)
    .join(', ')
const jsonOf = (columns: Record<string, string>) => (alias: string) =>
  Prisma.raw(`json_build_object(${jsonPairs(columns, alias)})`)
const sourceJson = jsonOf(sourceColumns)
// Every read has what a credit line and the rights need of the credited sources (a credit's
// source is one primary-key lookup, made anyway with include=credits).
const creditRights = Prisma.raw(
  `json_build_object('slug', cs.slug, 'name', cs.name, 'redistribution', cs.redistribution, 'creditLine', cs.credit_line)`,
)
/** An embedded person, with their picture's media record. */
const personJson = (alias: string) =>
  Prisma.sql`json_build_object(${Prisma.raw(jsonPairs(personColumns, alias))}, 'imageMedia', ${mediaEmbedJson(`${alias}.image_media_id`)})`
const sectionJson = jsonOf(sectionColumns)

function contributorsJson(relations: Relations): Prisma.Sql {
  return Prisma.sql`(SELECT coalesce(json_agg(json_build_object('personId', p.id, 'role', x.role, 'name', p.name
        ${relations.people ? Prisma.sql`, 'person', ${personJson('p')}` : Prisma.empty}) ORDER BY x.position), '[]')
      FROM article_contributors x CROSS JOIN LATERAL (SELECT * FROM people WHERE id = x.person_id OFFSET 0) p
      WHERE x.article_id = a.id)`
}

function sectionsJson(relations: Relations): Prisma.Sql {
  return Prisma.sql`(SELECT coalesce(json_agg(json_build_object('sectionId', s.id, 'primary', x.is_primary, 'path', s.path
        ${relations.sectionRecords ? Prisma.sql`, 'section', ${sectionJson('s')}` : Prisma.empty}) ORDER BY x.position), '[]')
      FROM article_sections x CROSS JOIN LATERAL (SELECT * FROM sections WHERE id = x.section_id OFFSET 0) s
      WHERE x.article_id = a.id)`
}

// The credits with their sources' records (include=credits): one primary-key lookup each.
function creditsWithSources(): Prisma.Sql {
  return Prisma.sql`(SELECT coalesce(json_agg(json_build_object('sourceId', c.source_id, 'role', c.role,
        'position', c.position, 'rights', ${creditRights}, 'source', ${sourceJson('cs')}) ORDER BY c.position), '[]')
      FROM article_credits c CROSS JOIN LATERAL (SELECT * FROM sources WHERE id = c.source_id OFFSET 0) cs
      WHERE c.article_id = a.id)`
}

// The article's columns (alias a), its tags and credits as stored on its row (tag_list,
// credit_list: kept by the database; the tags' slugs alone unless the read wants their records),
// and its source, credits' sources, contributors (with their people), sections and corrections
// as JSON built by the database, each from a primary-key or index lookup. The OFFSET 0 fences
// keep the lookups per row: joined plainly, the planner hashes the whole table for each article
// (10x slower for a page of 20). `fields`: the fields the view shows (undefined: all); what only
// other fields need is not read (a page of summaries reads a third of the columns, and neither
// the lead image's media record nor the corrections).
export function recordColumns(relations: Relations, fields?: readonly ArticleField[]): Prisma.Sql {
  const r = relations
  const key = `${+r.source}${+r.creditSources}${+r.people}${+r.sectionRecords}${r.contributors}${r.sections}${r.tagRecords} ${fields?.join() ?? '*'}`
  let built = builtColumns.get(key)
  if (!built) {
    const shows = (field: ArticleField) => !fields || fields.includes(field)
    built = buildColumns(relations, columnsShowing(fields), {
      leadMedia: shows('leadImage'),
      corrections: shows('corrections'),
    })
    // The views in use are few; a client varying `fields` at will starts the map afresh.
    if (builtColumns.size >= maxBuilt) builtColumns.clear()
    builtColumns.set(key, built)
  }
  return built
}

/** recordColumns by relations and fields: the same few combinations on every read, built once each. */
const builtColumns = new Map<string, Prisma.Sql>()
const maxBuilt = 256

// The relations a read does not embed are not selected as constants (NULL, '[]'): the record
// gets its empty value (toArticleRecord).
function buildColumns(
  relations: Relations,
  columns: Record<string, string>,
  embeds: { leadMedia: boolean; corrections: boolean },
): Prisma.Sql {
  const select = [
    Prisma.raw(selectList(columns)),
    relations.creditSources ? Prisma.sql`${creditsWithSources()} AS credits` : Prisma.sql`a.credit_list AS credits`,
    Prisma.sql`jsonb_path_query_array(a.tag_list, '$[*].slug') AS tags`,
  ]
  if (embeds.leadMedia) select.push(Prisma.sql`${leadMedia} AS "leadMedia"`)
  if (relations.source)
    select.push(Prisma.sql`(SELECT ${sourceJson('s')} FROM sources s WHERE s.id = a.source_id) AS source`)
  if (relations.contributors !== false) select.push(Prisma.sql`${contributorsJson(relations)} AS contributors`)
  if (relations.sections !== false) select.push(Prisma.sql`${sectionsJson(relations)} AS sections`)
  if (relations.tagRecords) select.push(Prisma.sql`a.tag_list AS "tagRecords"`)
  if (embeds.corrections) select.push(Prisma.sql`${corrections} AS corrections`)
  return Prisma.join(select, ', ')
}
