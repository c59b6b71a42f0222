// An article input's fields as columns: the body rendered (with the media it embeds), the lead
// image, the source and the rights, before and inside the write's transaction.

import type { RawDb } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import { MissingReferenceError, withProblem } from '../../errors.js'
import { findMediaEmbeds, replaceArticleMedia } from '../media/media.embeds-repository.js'
import { resolveImage } from '../media/media.references.js'
import { type KnownSources, resolveSourceReference } from '../sources/sources.service.js'
import { bodyMediaIds, renderBodyHtml, renderBodyText } from './articles.body.js'
import type { ArticleUpdate } from './articles.input.schemas.js'
import { rightsColumns } from './articles.rights.js'
import { normalizeLanguage } from './articles.visibility.js'
import type * as writes from './articles.write-repository.js'

/** A body with its text and HTML, rendered before the write's transaction opens. */
export interface RenderedBody {
  body: string
  bodyText: string
  bodyHtml: string
  /** The media records it embeds (the article's article_media rows). */
  mediaIds: string[]
}

/**
 * Renders a body, if the input has one: up to a few hundred milliseconds of CPU for the largest
 * bodies the budgets allow, spent before the transaction so that no pooled connection or row lock
 * waits on it. The media images it embeds are read in one query. Throws BodyTooComplexError (422),
 * or MissingReferenceError (422) naming the media ids no record has, before anything is written.
 */
export async function renderBody(db: Db, body: string | undefined): Promise<RenderedBody | undefined> {
  if (body === undefined) return undefined
  const bodyText = renderBodyText(body)
  const mediaIds = bodyMediaIds(body)
  const rows = mediaIds.length > 0 ? await findMediaEmbeds(db, mediaIds) : []
  const embeds = new Map(rows.map((row) => [row.id, row]))
  const missing = mediaIds.filter((id) => !embeds.has(id))
  if (missing.length > 0) {
    throw withProblem(
      new MissingReferenceError(`No media matches ${missing.map((id) => `"${id}"`).join(', ')} (body)`),
      {
        field: 'body',
      },
    )
  }
  return { body, bodyText, bodyHtml: renderBodyHtml(body, embeds), mediaIds }
}

/**
 * Keeps the article's article_media rows those of its body, when the write changes the body.
 * With `previousBody` (the body it replaces): nothing to write when neither embeds a media image
 * (a body without `media:` has no rows).
 */
export async function writeBodyMedia(
  tx: RawDb,
  articleId: string,
  rendered: RenderedBody | undefined,
  previousBody?: string,
): Promise<void> {
  if (!rendered) return
  if (rendered.mediaIds.length === 0 && previousBody !== undefined && !previousBody.includes('media:')) return
  await replaceArticleMedia(tx, articleId, rendered.mediaIds)
}

type LeadImageInput = NonNullable<ArticleUpdate['leadImage']>

/** The lead image's columns: a URL, or a media record whose caption and credit these override. */
async function leadImageColumns(tx: RawDb, leadImage: LeadImageInput | null): Promise<writes.ArticleChanges> {
  const { url, mediaId } = await resolveImage(tx, 'leadImage', leadImage)
  return {
    leadImageUrl: url,
    leadMediaId: mediaId,
    leadImageCaption: leadImage?.caption ?? null,
    leadImageCredit: leadImage?.credit ?? null,
  }
}

/** Column values for the editable fields present in the input (its body rendered by renderBody). */
export async function columnsOf(
  tx: RawDb,
  input: ArticleUpdate,
  rendered: RenderedBody | undefined,
  known?: KnownSources,
): Promise<writes.ArticleChanges> {
  const data: writes.ArticleChanges = {}
  if (rendered) Object.assign(data, { body: rendered.body, bodyText: rendered.bodyText, bodyHtml: rendered.bodyHtml })
  if (input.headline !== undefined) data.headline = input.headline
  if (input.summary !== undefined) data.summary = input.summary
  if (input.dateline !== undefined) data.dateline = input.dateline
  if (input.bylines !== undefined) data.bylines = input.bylines
  if (input.language !== undefined) data.language = normalizeLanguage(input.language)
  if (input.canonicalUrl !== undefined) data.canonicalUrl = input.canonicalUrl
  if (input.embargoedUntil !== undefined)
    data.embargoedUntil = input.embargoedUntil === null ? null : new Date(input.embargoedUntil)
  if (input.leadImage !== undefined) Object.assign(data, await leadImageColumns(tx, input.leadImage))
  const sourceId = await resolveSourceReference(tx, input, '', known)
  if (sourceId !== undefined) data.sourceId = sourceId
  Object.assign(data, rightsColumns(input.rights))
  return data
}
