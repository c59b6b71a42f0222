// The public box's read: a collection and its whole line-up, each teaser with its article (and the
// article's source, lead image and primary section), its source and its image, in one statement
// sent straight to the pooled driver. Through the ORM the same read was nine statements, each
// compiled and its rows converted twice: most of the CPU of an uncached box.
import { readDirect } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { mediaEmbedJson } from '../media/media.embeds-repository.js'
import { sourceColumns } from '../sources/sources.columns.js'
import type { ArticleRow, CollectionRow, SourceRow, TeaserRow } from './collections.repository.js'

type Columns<Row> = { [F in keyof Row]-?: string }

const collectionColumns = {
  id: 'id',
  key: 'key',
  title: 'title',
  description: 'description',
  maxItems: 'max_items',
  version: 'version',
  createdById: 'created_by_id',
  updatedById: 'updated_by_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Columns<CollectionRow>

type TeaserColumns = Omit<TeaserRow, 'article' | 'source' | 'imageMedia'>
const teaserColumns = {
  id: 'id',
  collectionId: 'collection_id',
  text: 'text',
  title: 'title',
  articleId: 'article_id',
  url: 'url',
  sourceId: 'source_id',
  imageUrl: 'image_url',
  imageAlt: 'image_alt',
  imageMediaId: 'image_media_id',
  position: 'position',
  pinned: 'pinned',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  version: 'version',
  createdById: 'created_by_id',
  updatedById: 'updated_by_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Columns<TeaserColumns>

type ArticleColumns = Omit<ArticleRow, 'source' | 'leadMedia' | 'sections'>
const articleColumns = {
  id: 'id',
  slug: 'slug',
  headline: 'headline',
  summary: 'summary',
  status: 'status',
  publishedAt: 'published_at',
  firstPublishedAt: 'first_published_at',
  embargoedUntil: 'embargoed_until',
  canonicalUrl: 'canonical_url',
  deletedAt: 'deleted_at',
  leadImageUrl: 'lead_image_url',
  leadImageCaption: 'lead_image_caption',
  leadImageCredit: 'lead_image_credit',
} as const satisfies Columns<ArticleColumns>

/** `alias.column AS "prefix_field"` for each field: a row's columns under names of their own. */
function selectList(alias: string, prefix: string, columns: Record<string, string>): string {
  return Object.entries(columns)
    .map(([field, column]) => `${alias}.${column} AS "${prefix}_${field}"`)
    .join(', ')
}

/** The fields a select list named `prefix_*` back as a record (null when its key column is). */
function pick<T>(row: Record<string, unknown>, prefix: string, columns: Record<string, string>): T | null {
  if (row[`${prefix}_id`] === null) return null
  const record: Record<string, unknown> = {}
  for (const field in columns) record[field] = row[`${prefix}_${field}`]
  return record as T
}

const boxSql = `SELECT ${selectList('c', 'c', collectionColumns)}, ${selectList('t', 't', teaserColumns)},
    ${selectList('a', 'a', articleColumns)}, ${selectList('s', 's', sourceColumns)}, ${selectList('asrc', 'as', sourceColumns)},
    (SELECT sec.path FROM article_sections x JOIN sections sec ON sec.id = x.section_id
      WHERE x.article_id = a.id AND x.is_primary LIMIT 1) AS a_section,
    ${mediaEmbedJson('a.lead_media_id').text} AS a_lead_media,
    ${mediaEmbedJson('t.image_media_id').text} AS t_image_media
  FROM collections c
  LEFT JOIN teasers t ON t.collection_id = c.id
  LEFT JOIN articles a ON a.id = t.article_id
  LEFT JOIN sources asrc ON asrc.id = a.source_id
  LEFT JOIN sources s ON s.id = t.source_id
  WHERE c.key = `

/** The collection with its whole line-up (pinned first, then by position), in one statement. */
export async function findCollectionWithLineup(
  db: Db,
  key: string,
): Promise<(CollectionRow & { teasers: TeaserRow[] }) | null> {
  const rows = await readDirect<Record<string, unknown>>(
    db,
    Prisma.sql`${Prisma.raw(boxSql)}${key} ORDER BY t.pinned DESC, t.position ASC`,
  )
  const collection = rows[0] && pick<CollectionRow>(rows[0], 'c', collectionColumns)
  if (!collection) return null
  const teasers: TeaserRow[] = []
  for (const row of rows) {
    const teaser = pick<TeaserColumns>(row, 't', teaserColumns)
    if (!teaser) continue
    const article = pick<ArticleColumns>(row, 'a', articleColumns)
    const section = row.a_section as string | null
    teasers.push({
      ...teaser,
      article: article && {
        ...article,
        source: pick<SourceRow>(row, 'as', sourceColumns),
        leadMedia: row.a_lead_media as ArticleRow['leadMedia'],
        sections: section === null ? [] : [{ primary: true, section: { path: section } }],
      },
      source: pick<SourceRow>(row, 's', sourceColumns),
      imageMedia: row.t_image_media as TeaserRow['imageMedia'],
    })
  }
  return { ...collection, teasers }
}
