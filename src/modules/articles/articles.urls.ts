// An article's public URL as every representation shows it (`url`): its record's canonicalUrl,
// else PUBLIC_ARTICLE_URL rendered from its slug, id, first publication date and primary section.

import { type ArticleUrlParts, articleUrl, type PublicUrlTemplates } from '../../lib/public-urls.js'

/** What an article's URL needs of a record (an article's, a teaser's or a related article's). */
export type UrlColumns = Omit<ArticleUrlParts, 'sectionPath'> & {
  sections?: readonly { primary: boolean; path: string }[]
}

/** The article's public URL (see articleUrl); null without a canonicalUrl and a template that renders. */
export function publicUrlOf(templates: PublicUrlTemplates, r: UrlColumns): string | null {
  return articleUrl(templates, {
    id: r.id,
    slug: r.slug,
    canonicalUrl: r.canonicalUrl,
    firstPublishedAt: r.firstPublishedAt,
    publishedAt: r.publishedAt,
    sectionPath: r.sections?.find((s) => s.primary)?.path ?? null,
  })
}

/** Whether a URL from these templates needs the article's sections ({section} in PUBLIC_ARTICLE_URL). */
export function urlNeedsSection(templates: PublicUrlTemplates | undefined): boolean {
  return templates?.article?.includes('{section}') ?? false
}
