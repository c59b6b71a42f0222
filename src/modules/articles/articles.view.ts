// From an article's record to what a caller sees: the API representation (its fields, what it
// embeds), the revision snapshot and the cache keys of the record. Whether a reader may see it at
// all, and the status it sees, are in articles.visibility.ts.

import type { ArticleStatus } from '../../generated/prisma/enums.js'
import type { PublicUrlTemplates } from '../../lib/public-urls.js'
import { toMediaImage, withMediaBase } from '../media/media.embeds.js'
import { toPerson } from '../people/people.mapper.js'
import { toSection } from '../sections/sections.mapper.js'
import { toSource } from '../sources/sources.service.js'
import { storedBodyHtml } from './articles.body.js'
import type { ArticleRecord, Relations } from './articles.record.js'
import { type RightsSnapshot, rightsOf, rightsSnapshot, withholdBody } from './articles.rights.js'
import { type Article, type ArticleField, type ArticleInclude, articleFields } from './articles.schemas.js'
import { publicUrlOf, urlNeedsSection } from './articles.urls.js'
import { effectiveStatus } from './articles.visibility.js'

export interface ViewOptions {
  /** The caller may see drafts and scheduled articles. */
  preview: boolean
  /** The caller (content:embargoed) sees published articles still under embargo; preview implies it. */
  embargoed?: boolean
  fields?: ArticleField[]
  include?: ArticleInclude[]
  /** MEDIA_PUBLIC_URL: the base of rendition URLs (undefined: the API's own /media path). */
  mediaBase?: string
  /** PUBLIC_ARTICLE_URL, PUBLIC_SECTION_URL, PUBLIC_PERSON_URL: the `url` of articles and their embeds. */
  publicUrls?: PublicUrlTemplates
  /** A partner key (content:syndicate alone): bodies of articles that are not syndicatable are withheld. */
  syndication?: boolean
}

/** The full representation, as every write answers. */
export const fullView: ViewOptions = { preview: true }

interface ViewContext {
  status: ArticleStatus
  now: Date
  include: ReadonlySet<ArticleInclude>
  mediaBase?: string
  urls: PublicUrlTemplates
}

/** The lead image columns of an article (its record, a teaser's or a related article's). */
export interface LeadImageColumns {
  leadImageUrl: string | null
  leadImageCaption: string | null
  leadImageCredit: string | null
  leadMedia: ArticleRecord['leadMedia']
}

/**
 * The lead image as reads show it: by URL, or a media record's (its URL the record's largest
 * WebP, the article's caption and credit overriding the record's own, and the record itself).
 */
export function leadImageOf(a: LeadImageColumns, mediaBase: string | undefined): Article['leadImage'] {
  if (a.leadMedia) {
    const media = toMediaImage(a.leadMedia, mediaBase)
    return {
      url: media.url,
      caption: a.leadImageCaption ?? media.caption,
      credit: a.leadImageCredit ?? media.credit,
      media,
    }
  }
  return a.leadImageUrl ? { url: a.leadImageUrl, caption: a.leadImageCaption, credit: a.leadImageCredit } : null
}

/** How each field is read off a record; a view computes only the fields it shows. */
const fieldValues: { [F in ArticleField]-?: (r: ArticleRecord, c: ViewContext) => Article[F] } = {
  slug: (r) => r.slug,
  headline: (r) => r.headline,
  summary: (r) => r.summary,
  body: (r) => r.body,
  // Stored at write time; rendered here only for rows written before the column existed.
  // Stored with the API's own /media paths: MEDIA_PUBLIC_URL is put in front when reading.
  bodyHtml: (r, c) => withMediaBase(r.bodyHtml ?? storedBodyHtml(r.body), c.mediaBase),
  bodyText: (r) => r.bodyText,
  dateline: (r) => r.dateline,
  bylines: (r) => r.bylines,
  language: (r) => r.language,
  status: (_r, c) => c.status,
  publishedAt: (r) => r.publishedAt?.toISOString() ?? null,
  // A scheduled article whose time has come was first published then (no write marks that moment).
  firstPublishedAt: (r, c) =>
    (r.firstPublishedAt ?? (c.status === 'published' ? r.publishedAt : null))?.toISOString() ?? null,
  embargoedUntil: (r) => r.embargoedUntil?.toISOString() ?? null,
  canonicalUrl: (r) => r.canonicalUrl,
  url: (r, c) => publicUrlOf(c.urls, r),
  leadImage: (r, c) => leadImageOf(r, c.mediaBase),
  sourceId: (r) => r.sourceId,
  credits: (r, c) =>
    r.credits.map((credit) => ({
      sourceId: credit.sourceId,
      role: credit.role,
      ...(c.include.has('credits') && credit.source ? { source: toSource(credit.source) } : {}),
    })),
  contributors: (r, c) =>
    r.contributors.map((contributor) => ({
      personId: contributor.personId,
      role: contributor.role,
      ...(c.include.has('contributors') && contributor.person
        ? { person: toPerson(contributor.person, { withEmail: false, mediaBase: c.mediaBase, urls: c.urls }) }
        : {}),
    })),
  sections: (r, c) =>
    r.sections.map((link) => ({
      sectionId: link.sectionId,
      primary: link.primary,
      ...(c.include.has('sections') && link.section ? { section: toSection(link.section, c.urls) } : {}),
    })),
  tags: (r) => r.tags,
  rights: (r, c) => rightsOf(r, c.now),
  corrections: (r) =>
    r.corrections.map((c) => ({ kind: c.kind, text: c.text, at: c.at.toISOString(), version: c.version })),
  version: (r) => r.version,
  createdBy: (r) => r.createdById,
  updatedBy: (r) => r.updatedById,
  createdAt: (r) => r.createdAt.toISOString(),
  updatedAt: (r) => r.updatedAt.toISOString(),
}

/**
 * The article as the view shows it: an Article when the view names no `fields` (writes, and
 * reads without them), a SparseArticle otherwise.
 */
export function toArticle(record: ArticleRecord, now: Date, view: ViewOptions, snippet?: string | null): Article {
  const include = new Set(view.include ?? [])
  const { mediaBase, publicUrls: urls = {} } = view
  const context: ViewContext = { status: effectiveStatus(record, now), now, include, mediaBase, urls }
  const out: Record<string, unknown> = { id: record.id }
  for (const field of view.fields ?? articleFields) out[field] = fieldValues[field](record, context)
  // Embedded records come with their fields even when `fields` leaves those out.
  if (include.has('source')) out.source = record.source ? toSource(record.source) : null
  if (include.has('credits') && !('credits' in out)) out.credits = fieldValues.credits(record, context)
  if (include.has('contributors') && !('contributors' in out)) {
    out.contributors = fieldValues.contributors(record, context)
  }
  if (include.has('sections') && !('sections' in out)) out.sections = fieldValues.sections(record, context)
  if (include.has('tags'))
    out.tagDetails = (record.tagRecords ?? []).map((t) => ({ slug: t.slug, name: t.name, type: t.type, uri: t.uri }))
  if (snippet) out.snippet = snippet
  if (view.syndication) withholdBody(out, record)
  return out as Article
}

/** The editable fields, as a revision stores them. */
const snapshotFields = [
  'slug',
  'headline',
  'summary',
  'body',
  'dateline',
  'bylines',
  'language',
  'status',
  'publishedAt',
  'embargoedUntil',
  'canonicalUrl',
  'leadImage',
  'sourceId',
  'credits',
  'contributors',
  'sections',
  'tags',
  // Append-only: shown in a revision as they were at its version; a restore keeps today's.
  'corrections',
] as const satisfies readonly ArticleField[]

/** A revision's lead image, as a write takes it: by URL, or a media record's id with the article's own caption and credit. */
export type SnapshotLeadImage =
  | { url: string; caption: string | null; credit: string | null }
  | { media: string; caption: string | null; credit: string | null }
  | null

/** A revision's fields; contributors and sections are absent from revisions written before they existed. */
export type Snapshot = Omit<
  Pick<Article, (typeof snapshotFields)[number]>,
  'contributors' | 'sections' | 'leadImage' | 'embargoedUntil' | 'body' | 'corrections'
> & {
  body: string
  /** Absent from revisions written before embargoes existed. */
  embargoedUntil?: string | null
  leadImage: SnapshotLeadImage
  credits: { sourceId: string; role: string }[]
  /** Absent from revisions written before rights existed. */
  rights?: RightsSnapshot
  contributors?: Article['contributors']
  sections?: Article['sections']
  /** Absent from revisions written before corrections existed. */
  corrections?: Article['corrections']
}

function snapshotLeadImage(r: ArticleRecord): SnapshotLeadImage {
  if (r.leadMediaId) return { media: r.leadMediaId, caption: r.leadImageCaption, credit: r.leadImageCredit }
  return r.leadImageUrl ? { url: r.leadImageUrl, caption: r.leadImageCaption, credit: r.leadImageCredit } : null
}

/** The editable state of an article as stored in a revision (its stored status, not the reader's). */
export function snapshotOf(record: ArticleRecord): Snapshot {
  const context: ViewContext = { status: record.status, now: record.updatedAt, include: new Set(), urls: {} }
  const fields = Object.fromEntries(
    snapshotFields.filter((f) => f !== 'leadImage').map((f) => [f, fieldValues[f](record, context)]),
  )
  return { ...fields, leadImage: snapshotLeadImage(record), rights: rightsSnapshot(record) } as Snapshot
}

// Module-level helpers, not closures made per call: the bundle names each function it creates
// (keepNames), which cost ~0.5 % of an uncached list's CPU for two closures a request.

/** Whether the view shows a field (a view without `fields` shows every one). */
export function showsField(view: ViewOptions, field: ArticleField): boolean {
  return view.fields === undefined || view.fields.includes(field)
}

/** Whether the view embeds a relation (include=…). */
export function embeds(view: ViewOptions, name: ArticleInclude): boolean {
  return view.include?.includes(name) ?? false
}

/** The related records a view embeds (include=source, credits, contributors, sections). */
export function relationsOf(view: ViewOptions): Relations {
  return {
    source: embeds(view, 'source'),
    creditSources: embeds(view, 'credits'),
    people: embeds(view, 'contributors'),
    sectionRecords: embeds(view, 'sections'),
    tagRecords: embeds(view, 'tags'),
    contributors: showsField(view, 'contributors') || embeds(view, 'contributors'),
    // The primary section's path is {section} of an article's URL.
    sections:
      showsField(view, 'sections') ||
      embeds(view, 'sections') ||
      (view.fields?.includes('url') === true && urlNeedsSection(view.publicUrls)),
  }
}

/** The latest of these times (a response's Last-Modified); null for none. */
export function latest(times: Date[]): Date | null {
  return times.reduce<Date | null>((max, t) => (!max || t > max ? t : max), null)
}
