// From an article as the single read shows it (with its related records embedded) to NinjsArticle.
import { articleUrl, type PublicUrlTemplates } from '../../lib/public-urls.js'
import type { Article } from '../articles/articles.schemas.js'
import type { NinjsArticle, NinjsParty } from './ninjs.mapper.js'

/** The includes a ninjs document needs: the names and URIs of what the article refers to. */
export const ninjsIncludes = ['source', 'credits', 'contributors', 'sections', 'tags'] as const

/** A URI ninjs accepts (format "uri": absolute), or null. */
export const uriOrNull = (value: string | null | undefined): string | null =>
  value && URL.canParse(value) ? value : null

export const sourceParty = (s: { name: string; slug: string; homepageUrl: string | null }, role?: string) => ({
  name: s.name,
  slug: s.slug,
  uri: uriOrNull(s.homepageUrl),
  ...(role ? { role } : {}),
})

export const personParty = (p: { name: string; slug: string; sameAs: string[] }, role: string): NinjsParty => ({
  name: p.name,
  slug: p.slug,
  uri: uriOrNull(p.sameAs.find((u) => URL.canParse(u))),
  role,
})

export const tagParty = (t: { slug: string; name: string; uri: string | null }): NinjsParty => ({
  name: t.name,
  slug: t.slug,
  uri: uriOrNull(t.uri),
})

const dateOrNull = (value: string | null | undefined) => (value ? new Date(value) : null)

/** The article's public URL (its canonical URL, else PUBLIC_ARTICLE_URL in its primary section). */
export function publicUrlOf(templates: PublicUrlTemplates, a: Article): string | null {
  const primary = a.sections.find((s) => s.primary)?.section
  return articleUrl(templates, {
    id: a.id,
    slug: a.slug,
    canonicalUrl: a.canonicalUrl,
    firstPublishedAt: dateOrNull(a.firstPublishedAt),
    publishedAt: dateOrNull(a.publishedAt),
    sectionPath: primary?.path ?? null,
  })
}

/** An Article read with ninjsIncludes; bodies are null where the view withholds them. */
export function fromArticle(a: Article, url: string | null): NinjsArticle {
  return {
    id: a.id,
    slug: a.slug,
    version: a.version,
    status: a.status,
    canceled: false,
    headline: a.headline,
    summary: a.summary,
    bodyHtml: a.bodyHtml,
    bodyText: a.bodyText,
    dateline: a.dateline,
    bylines: a.bylines,
    language: a.language,
    createdAt: new Date(a.createdAt),
    versionAt: new Date(a.updatedAt),
    firstPublishedAt: dateOrNull(a.firstPublishedAt),
    embargoedUntil: dateOrNull(a.embargoedUntil),
    url,
    publisher: a.source ? sourceParty(a.source) : null,
    originators: a.credits.flatMap((c) => (c.source ? [sourceParty(c.source, c.role)] : [])),
    people: a.contributors.flatMap((c) => (c.person ? [personParty(c.person, c.role)] : [])),
    subjects: (a.tagDetails ?? []).map(tagParty),
    leadImage: a.leadImage,
    rights: a.rights,
  }
}
