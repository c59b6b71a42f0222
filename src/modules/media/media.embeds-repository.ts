// The media records other resources embed (an article's lead image and body images, a teaser's
// image, a person's picture): the columns an embedded image shows, read by ids in one query or
// as JSON inside another resource's statement, and the article_media links of article bodies.
import type { RawDb } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'

/** The columns an embedded image is built from (MediaImage, and the renditions' URLs). */
export const mediaEmbedSelect = {
  id: true,
  sha256: true,
  mimeType: true,
  width: true,
  height: true,
  focalX: true,
  focalY: true,
  alt: true,
  caption: true,
  credit: true,
  copyrightHolder: true,
  placeholder: true,
} as const satisfies Prisma.MediaSelect

export type MediaEmbedRow = Prisma.MediaGetPayload<{ select: typeof mediaEmbedSelect }>

const embedColumns = {
  id: 'id',
  sha256: 'sha256',
  mimeType: 'mime_type',
  width: 'width',
  height: 'height',
  focalX: 'focal_x',
  focalY: 'focal_y',
  alt: 'alt',
  caption: 'caption',
  credit: 'credit',
  copyrightHolder: 'copyright_holder',
  placeholder: 'placeholder',
} as const satisfies { [F in keyof MediaEmbedRow]-?: string }

const embedJson = `json_build_object(${Object.entries(embedColumns)
  .map(([field, column]) => `'${field}', m.${column}`)
  .join(', ')})`

/**
 * The embedded media a column names, as JSON inside another statement (null when the column is):
 * a primary-key lookup per row, skipped for rows without one, so a page of records reads its
 * images in its own statement.
 */
export function mediaEmbedJson(column: string): Prisma.Sql {
  return Prisma.raw(
    `CASE WHEN ${column} IS NULL THEN NULL ELSE (SELECT ${embedJson} FROM media m WHERE m.id = ${column}) END`,
  )
}

/** The media records with these ids (absent ones are left out), in one query. */
export function findMediaEmbeds(db: Db, ids: string[]): Promise<MediaEmbedRow[]> {
  return db.media.findMany({ where: { id: { in: ids } }, select: mediaEmbedSelect })
}

/** Whether a media record has this id. */
export async function mediaExists(db: RawDb, id: string): Promise<boolean> {
  const rows = await db.$queryRaw<
    { found: boolean }[]
  >`SELECT EXISTS (SELECT 1 FROM media WHERE id = ${id}::uuid) AS found`
  return rows[0]?.found === true
}

/** The images an article's body embeds: replaced with the body, in the write's transaction. */
export async function replaceArticleMedia(tx: RawDb, articleId: string, mediaIds: string[]): Promise<void> {
  await tx.$executeRaw`DELETE FROM article_media WHERE article_id = ${articleId}::uuid`
  if (mediaIds.length > 0) {
    await tx.$executeRaw`INSERT INTO article_media (article_id, media_id) SELECT ${articleId}::uuid, unnest(${mediaIds}::uuid[])`
  }
}
