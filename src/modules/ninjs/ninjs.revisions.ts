// From a revision (an article as it was at one version) to NinjsArticle: the change feed's
// documents "as of that event". A revision stores the editable fields; the names and URIs of the
// sources, people, tags and media it refers to are read as they are now (ninjs.repository.ts).
import { articleUrl, type PublicUrlTemplates } from '../../lib/public-urls.js'
import { bodyMediaIds, renderBodyHtml, renderBodyText, storedBodyHtml } from '../articles/articles.body.js'
import type { Snapshot } from '../articles/articles.view.js'
import { effectiveStatus } from '../articles/articles.visibility.js'
import { toMediaImage, withMediaBase } from '../media/media.embeds.js'
import { personParty, sourceParty, tagParty } from './ninjs.article.js'
import type { NinjsArticle, NinjsLeadImage, NinjsParty } from './ninjs.mapper.js'
import type { ArticleFacts, Related, RevisionAt } from './ninjs.repository.js'

/** The ids a page of snapshots refers to, to read each kind once. */
export function referencedIds(snapshots: Snapshot[]) {
  const unique = (values: string[]) => [...new Set(values)]
  return {
    sources: unique(
      snapshots.flatMap((s) => [...(s.sourceId ? [s.sourceId] : []), ...s.credits.map((c) => c.sourceId)]),
    ),
    people: unique(snapshots.flatMap((s) => (s.contributors ?? []).map((c) => c.personId))),
    tags: unique(snapshots.flatMap((s) => s.tags)),
    media: unique(
      snapshots.flatMap((s) => [
        ...(s.leadImage && 'media' in s.leadImage ? [s.leadImage.media] : []),
        ...bodyMediaIds(s.body),
      ]),
    ),
  }
}

/** Related records by id (tags by slug), and the media base of rendition URLs. */
export interface Lookup {
  sources: Map<string, Related['sources'][number]>
  people: Map<string, Related['people'][number]>
  tags: Map<string, Related['tags'][number]>
  media: Map<string, Related['media'][number]>
  mediaBase?: string
  publicUrls: PublicUrlTemplates
}

export function lookupOf(related: Related, options: { mediaBase?: string; publicUrls: PublicUrlTemplates }): Lookup {
  return {
    sources: new Map(related.sources.map((s) => [s.id, s])),
    people: new Map(related.people.map((p) => [p.id, p])),
    tags: new Map(related.tags.map((t) => [t.slug, t])),
    media: new Map(related.media.map((m) => [m.id, m])),
    ...options,
  }
}

/** The body as HTML the way the write rendered it (its images from the media records as they are now). */
function htmlOf(body: string, lookup: Lookup): string {
  try {
    return withMediaBase(renderBodyHtml(body, lookup.media), lookup.mediaBase)
  } catch {
    // A body with an image removed since, or past today's rendering budgets: rendered without embeds.
    return storedBodyHtml(body)
  }
}

function leadImageOf(s: Snapshot, lookup: Lookup): NinjsLeadImage | null {
  const image = s.leadImage
  if (!image) return null
  if ('url' in image) return image
  const row = lookup.media.get(image.media)
  if (!row) return null
  const media = toMediaImage(row, lookup.mediaBase)
  return { url: media.url, caption: image.caption ?? media.caption, credit: image.credit ?? media.credit, media }
}

const defined = <T>(values: (T | null | undefined)[]): T[] =>
  values.filter((v): v is T => v !== null && v !== undefined)

function partiesOf(s: Snapshot, lookup: Lookup) {
  const publisherRow = s.sourceId ? lookup.sources.get(s.sourceId) : undefined
  return {
    publisher: publisherRow ? sourceParty(publisherRow) : null,
    originators: defined(
      s.credits.map((c) => {
        const row = lookup.sources.get(c.sourceId)
        return row ? sourceParty(row, c.role) : null
      }),
    ),
    people: defined<NinjsParty>(
      (s.contributors ?? []).map((c) => {
        const row = lookup.people.get(c.personId)
        return row ? personParty(row, c.role) : null
      }),
    ),
    subjects: defined(s.tags.map((slug) => lookup.tags.get(slug))).map(tagParty),
  }
}

/** The article at the revision's version, as the event at `at` saw it; `withholdBody` for partner keys. */
export function fromRevision(
  revision: RevisionAt,
  facts: ArticleFacts,
  at: Date,
  lookup: Lookup,
  withholdBody: boolean,
): NinjsArticle {
  const s = revision.snapshot as Snapshot
  const publishedAt = s.publishedAt ? new Date(s.publishedAt) : null
  const status = effectiveStatus({ status: s.status, publishedAt }, at)
  const firstPublished = facts.firstPublishedAt && facts.firstPublishedAt <= at ? facts.firstPublishedAt : null
  const firstPublishedAt = firstPublished ?? (status === 'published' ? publishedAt : null)
  // A partner key reads no body of an article that is not syndicatable now, or was not by its own setting then.
  const withheld = withholdBody && (!facts.syndicatable || s.rights?.allowSyndication === false)
  return {
    id: revision.articleId,
    slug: s.slug,
    version: revision.version,
    status,
    canceled: false,
    headline: s.headline,
    summary: s.summary,
    bodyHtml: withheld ? null : htmlOf(s.body, lookup),
    bodyText: withheld ? null : renderBodyText(s.body),
    dateline: s.dateline,
    bylines: s.bylines,
    language: s.language,
    createdAt: facts.createdAt,
    versionAt: revision.createdAt,
    firstPublishedAt,
    embargoedUntil: s.embargoedUntil ? new Date(s.embargoedUntil) : null,
    url: articleUrl(lookup.publicUrls, {
      id: revision.articleId,
      slug: s.slug,
      canonicalUrl: s.canonicalUrl,
      firstPublishedAt,
      publishedAt,
    }),
    ...partiesOf(s, lookup),
    leadImage: leadImageOf(s, lookup),
    rights: {
      usageTerms: s.rights?.usageTerms ?? null,
      copyrightHolder: s.rights?.copyrightHolder ?? null,
      copyrightNotice: s.rights?.copyrightNotice ?? null,
    },
  }
}
