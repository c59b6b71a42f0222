// Where articles, sections and people live on the newsroom's own site: URLs rendered from the
// templates PUBLIC_ARTICLE_URL, PUBLIC_SECTION_URL and PUBLIC_PERSON_URL. Feeds, sitemaps, ninjs and
// every read name the same URL; an article's own canonicalUrl wins over its template.

export interface PublicUrlTemplates {
  article?: string
  section?: string
  person?: string
}

export type PublicUrlKind = keyof PublicUrlTemplates

/** The placeholders each template may hold. */
export const urlPlaceholders: Record<PublicUrlKind, readonly string[]> = {
  article: ['slug', 'id', 'yyyy', 'mm', 'dd', 'section'],
  section: ['path', 'slug', 'id'],
  person: ['slug', 'id'],
}

const placeholder = /\{([^{}]*)\}/g

/**
 * Why a template cannot be used (null: it can): not an absolute http(s) URL with a host (no
 * placeholder in it), credentials in it, or an unknown placeholder.
 */
export function templateProblem(kind: PublicUrlKind, template: string): string | null {
  const authority = /^https?:\/\/([^/?#]*)/.exec(template)?.[1]
  if (authority?.includes('@')) return 'a URL without credentials (user:password@)'
  // The host is the site's own: no placeholder in it.
  if (!authority || !/^[^\s{}]+$/.test(authority)) return 'an absolute http or https URL with a host'
  const unknown = [...template.matchAll(placeholder)]
    .map((m) => m[1] as string)
    .filter((name) => !urlPlaceholders[kind].includes(name))
  if (unknown.length > 0) return `only the placeholders ${urlPlaceholders[kind].map((p) => `{${p}}`).join(', ')}`
  try {
    new URL(template.replace(placeholder, 'x'))
  } catch {
    return 'an absolute http or https URL with a host'
  }
  return null
}

/**
 * The template with each placeholder's value, percent-encoded (a section path keeps its slashes);
 * null when a placeholder it uses has no value (a draft's date, an article without a section).
 */
function render(template: string, values: Record<string, string | null | undefined>): string | null {
  let missing = false
  const url = template.replace(placeholder, (whole, name: string) => {
    const value = values[name]
    if (value === null || value === undefined || value === '') {
      missing = true
      return whole
    }
    return value.split('/').map(encodeURIComponent).join('/')
  })
  return missing ? null : url
}

const pad = (n: number) => String(n).padStart(2, '0')

/** What an article's public URL is made of (its record has it). */
export interface ArticleUrlParts {
  id: string
  slug: string
  canonicalUrl: string | null
  /** When it was first published, else its publish time (UTC dates in the URL). */
  firstPublishedAt: Date | null
  publishedAt: Date | null
  /** Its primary section's path ("world/middle-east"), if it has one. */
  sectionPath?: string | null
}

/** What every article URL is made of; its date is given apart, as a Date or as text. */
type ArticleUrlBase = Pick<ArticleUrlParts, 'canonicalUrl' | 'slug' | 'sectionPath'> & { id: string | null }

/** The canonicalUrl, else the template with these date parts (UTC); null when neither gives one. */
function renderArticleUrl(templates: PublicUrlTemplates, a: ArticleUrlBase, date: string[] | null): string | null {
  if (a.canonicalUrl) return a.canonicalUrl
  if (!templates.article) return null
  const [yyyy = null, mm = null, dd = null] = date ?? []
  return render(templates.article, { slug: a.slug, id: a.id, yyyy, mm, dd, section: a.sectionPath })
}

/** The article's public URL: its canonicalUrl, else PUBLIC_ARTICLE_URL rendered; null when neither gives one. */
export function articleUrl(templates: PublicUrlTemplates, a: ArticleUrlParts): string | null {
  const date = a.firstPublishedAt ?? a.publishedAt
  return renderArticleUrl(
    templates,
    a,
    date && [String(date.getUTCFullYear()), pad(date.getUTCMonth() + 1), pad(date.getUTCDate())],
  )
}

/**
 * The same URL from parts a statement gave as text (sitemaps): the URL's date as YYYY-MM-DD in
 * UTC (the first publication's, else the publication's), the id only where the template has {id}.
 */
export function articleUrlFromText(
  templates: PublicUrlTemplates,
  a: ArticleUrlBase & { urlDate: string | null },
): string | null {
  const parts = a.urlDate?.split('-')
  // A year as getUTCFullYear() writes it: no leading zeros (to_char writes 0999).
  return renderArticleUrl(templates, a, parts ? [String(Number(parts[0])), ...parts.slice(1)] : null)
}

/** A section's public URL from PUBLIC_SECTION_URL ({path}, {slug}, {id}); null without one. */
export function sectionUrl(
  templates: PublicUrlTemplates,
  s: { id: string; slug: string; path: string },
): string | null {
  return templates.section ? render(templates.section, { path: s.path, slug: s.slug, id: s.id }) : null
}

/** A person's public URL from PUBLIC_PERSON_URL ({slug}, {id}); null without one. */
export function personUrl(templates: PublicUrlTemplates, p: { id: string; slug: string }): string | null {
  return templates.person ? render(templates.person, { slug: p.slug, id: p.id }) : null
}
