// A pinned preview: the article as one of its revisions stored it, in the same representation as
// a read of the article now. The revision's fields are laid over the current record and the
// result goes through the articles' own view, so both answers have one shape; what a revision
// does not store (id, creation, who created it) is the article's.

import type { Db } from '../../db/types.js'
import { BodyTooComplexError } from '../../errors.js'
import { bodyMediaIds, renderBodyHtml, renderBodyText, storedBodyHtml } from '../articles/articles.body.js'
import type { ArticleRecord } from '../articles/articles.record.js'
import type { RevisionRow } from '../articles/articles.revisions-repository.js'
import { decisionOf } from '../articles/articles.rights.js'
import type { Article } from '../articles/articles.schemas.js'
import { type Snapshot, toArticle, type ViewOptions } from '../articles/articles.view.js'
import { findMediaEmbeds, type MediaEmbedRow } from '../media/media.embeds-repository.js'
import { sectionPaths } from '../sections/sections.repository.js'
import { findCreditRights } from '../sources/sources.repository.js'

/** The body as HTML with its media images; a body outside the rendering budgets as escaped text. */
function bodyHtmlOf(body: string, embeds: ReadonlyMap<string, MediaEmbedRow>): string {
  try {
    return renderBodyHtml(body, embeds)
  } catch (err) {
    if (!(err instanceof BodyTooComplexError)) throw err
    return storedBodyHtml(body)
  }
}

function bodyTextOf(body: string): string {
  try {
    return renderBodyText(body)
  } catch (err) {
    if (!(err instanceof BodyTooComplexError)) throw err
    return body
  }
}

/** The revision's lead image as record columns (a media record deleted since: no image). */
function leadImageColumns(s: Snapshot, media: ReadonlyMap<string, MediaEmbedRow>) {
  const image = s.leadImage
  if (!image)
    return { leadImageUrl: null, leadImageCaption: null, leadImageCredit: null, leadMediaId: null, leadMedia: null }
  const caption = { leadImageCaption: image.caption, leadImageCredit: image.credit }
  if ('url' in image) return { ...caption, leadImageUrl: image.url, leadMediaId: null, leadMedia: null }
  const record = media.get(image.media) ?? null
  return { ...caption, leadImageUrl: null, leadMediaId: record ? image.media : null, leadMedia: record }
}

/** The record the revision describes, the current record supplying what it does not store. */
async function pinnedRecord(db: Db, current: ArticleRecord, revision: RevisionRow): Promise<ArticleRecord> {
  const s = revision.snapshot as unknown as Snapshot
  const leadMediaId = s.leadImage && 'media' in s.leadImage ? [s.leadImage.media] : []
  const media = new Map(
    (await findMediaEmbeds(db, [...new Set([...bodyMediaIds(s.body), ...leadMediaId])])).map((m) => [m.id, m]),
  )
  // Credits name their sources' rights as they are now (a credit line, redistribution).
  const sources = await findCreditRights(db, [...new Set(s.credits.map((c) => c.sourceId))])
  // The sections' paths as they are now: the primary one is {section} of the article's URL.
  const paths = await sectionPaths(
    db,
    (s.sections ?? []).map((x) => x.sectionId),
  )
  const credits = s.credits.flatMap((c, position) => {
    const rights = sources.get(c.sourceId)
    return rights ? [{ sourceId: c.sourceId, role: c.role, position, rights }] : []
  })
  const record: ArticleRecord = {
    ...current,
    ...leadImageColumns(s, media),
    slug: s.slug,
    headline: s.headline,
    summary: s.summary,
    body: s.body,
    bodyHtml: bodyHtmlOf(s.body, media),
    bodyText: bodyTextOf(s.body),
    dateline: s.dateline,
    bylines: s.bylines,
    language: s.language,
    status: s.status,
    publishedAt: s.publishedAt ? new Date(s.publishedAt) : null,
    canonicalUrl: s.canonicalUrl,
    sourceId: s.sourceId,
    source: null,
    credits,
    // Revisions written before contributors and sections existed: the article's own.
    contributors: s.contributors
      ? s.contributors.map((c) => ({ personId: c.personId, role: c.role, name: '' }))
      : current.contributors,
    sections: s.sections
      ? s.sections.map((x) => ({ sectionId: x.sectionId, primary: x.primary, path: paths.get(x.sectionId) ?? '' }))
      : current.sections,
    tags: s.tags,
    tagRecords: s.tags.map((slug) => ({ id: '', slug, name: slug, type: 'subject' as const, uri: null })),
    version: revision.version,
    updatedById: revision.keyId,
    updatedAt: revision.createdAt,
    // Revisions written before embargoes and rights existed: the article's own.
    ...(s.embargoedUntil === undefined ? {} : { embargoedUntil: s.embargoedUntil ? new Date(s.embargoedUntil) : null }),
    ...(s.rights
      ? {
          usageTerms: s.rights.usageTerms,
          copyrightHolder: s.rights.copyrightHolder,
          copyrightNotice: s.rights.copyrightNotice,
          allowSyndication: s.rights.allowSyndication,
          syndicationOverride: s.rights.override?.reason ?? null,
        }
      : {}),
  }
  const rule = decisionOf(record).rule
  return { ...record, syndicatable: rule === 'allowed' || rule === 'override' }
}

/** The article as the revision stored it, in the full representation. */
export async function pinnedArticle(
  db: Db,
  current: ArticleRecord,
  revision: RevisionRow,
  view: ViewOptions,
  now: Date,
): Promise<Article> {
  return toArticle(await pinnedRecord(db, current, revision), now, view)
}
