// From what the JSON reads return to feed entries: an article (as the list shows it, with its
// contributors, sections and tags embedded) or a box's teaser that links out. Format-neutral: the
// renderer (feeds.render.ts) writes each entry in RSS, Atom or JSON Feed.
import { articleUrl, type PublicUrlTemplates } from '../../lib/public-urls.js'
import type { Article } from '../articles/articles.schemas.js'
import type { Teaser } from '../collections/collections.schemas.js'

export interface FeedImage {
  url: string
  caption: string | null
  credit: string | null
}

export interface FeedCategory {
  /** Where it comes from: a tag (term: its slug) or a section (term: its path). */
  domain: 'tag' | 'section'
  term: string
  label: string
}

export interface FeedEntry {
  /** The article's id (or an external teaser's): stable across edits. */
  id: string
  title: string
  link: string
  published: Date
  updated: Date
  /** Plain text. */
  summary: string | null
  /** Sanitised body HTML: only with content=full, and never a withheld body. */
  contentHtml: string | null
  authors: string[]
  categories: FeedCategory[]
  creditLine: string | null
  image: FeedImage | null
}

/** Where links go: the API's base (PUBLIC_URL, see feeds.routes.ts) and the public URL templates. */
export interface FeedLinks {
  apiBase: string
  templates: PublicUrlTemplates
}

/** An article as a list returns it with include=contributors,sections,tags (every field present). */
type ListedArticle = Partial<Article> & { id: string }

/** The article's public URL, else the API's own read of it (an absolute URL either way). */
export function articleLink(links: FeedLinks, a: ListedArticle): string {
  const primary = a.sections?.find((s) => s.primary)?.section
  const url = articleUrl(links.templates, {
    id: a.id,
    slug: a.slug ?? a.id,
    canonicalUrl: a.canonicalUrl ?? null,
    firstPublishedAt: a.firstPublishedAt ? new Date(a.firstPublishedAt) : null,
    publishedAt: a.publishedAt ? new Date(a.publishedAt) : null,
    sectionPath: primary?.path ?? null,
  })
  return absolute(links, url ?? `/v1/articles/${encodeURIComponent(a.slug ?? a.id)}`)
}

/** A relative URL (a media rendition without MEDIA_PUBLIC_URL, the API's article read) under the API's base. */
export function absolute(links: FeedLinks, url: string): string {
  return /^https?:\/\//i.test(url) ? url : `${links.apiBase}${url.startsWith('/') ? '' : '/'}${url}`
}

/** Its authors (contributors in the author role), else its bylines. */
function authorsOf(a: ListedArticle): string[] {
  const named = (a.contributors ?? [])
    .filter((c) => c.role === 'author' && c.person)
    .map((c) => c.person?.name as string)
  return named.length > 0 ? named : (a.bylines ?? [])
}

function categoriesOf(a: ListedArticle): FeedCategory[] {
  const tagNames = new Map((a.tagDetails ?? []).map((t) => [t.slug, t.name]))
  const sections = (a.sections ?? []).flatMap((s) =>
    s.section ? [{ domain: 'section' as const, term: s.section.path, label: s.section.name }] : [],
  )
  const tags = (a.tags ?? []).map((slug) => ({ domain: 'tag' as const, term: slug, label: tagNames.get(slug) ?? slug }))
  return [...sections, ...tags]
}

export function articleEntry(links: FeedLinks, a: ListedArticle, full: boolean): FeedEntry {
  const published = a.firstPublishedAt ?? a.publishedAt ?? a.updatedAt
  const lead = a.leadImage
  return {
    id: a.id,
    title: a.headline ?? '',
    link: articleLink(links, a),
    published: new Date(published ?? 0),
    updated: new Date(a.updatedAt ?? published ?? 0),
    summary: a.summary ?? null,
    // A partner key's view withholds the body of an article that is not syndicatable (bodyHtml null).
    contentHtml: full && !a.bodyWithheld ? (a.bodyHtml ?? null) : null,
    authors: authorsOf(a),
    categories: categoriesOf(a),
    creditLine: a.rights?.creditLine ?? null,
    image: lead ? { url: absolute(links, lead.url), caption: lead.caption, credit: lead.credit } : null,
  }
}

/** A teaser that links out (a partner's story): its text, its URL, its source as the credit. */
export function externalEntry(links: FeedLinks, t: Teaser): FeedEntry {
  return {
    id: t.id,
    title: t.title ?? t.text,
    link: t.url ?? links.apiBase,
    published: new Date(t.startsAt ?? t.createdAt),
    updated: new Date(t.updatedAt),
    summary: t.title ? t.text : null,
    contentHtml: null,
    authors: [],
    categories: [],
    creditLine: t.source?.name ?? null,
    image: t.image ? { url: absolute(links, t.image.url), caption: t.image.alt, credit: null } : null,
  }
}
