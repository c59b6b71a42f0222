// Where feed links point, from the configuration. Feeds need absolute URLs (RSS and Atom links
// are), and a cached feed is served to every reader: the base is never taken from Host.
// - The API's base: PUBLIC_URL; unset, http://localhost:<PORT> (a development setup: set
//   PUBLIC_URL in production).
// - The site a feed is of (RSS <link>, Atom rel="alternate", JSON Feed home_page_url): the origin
//   of PUBLIC_ARTICLE_URL, else the API's base.
import type { Config } from '../../config.js'
import type { ArticlesService } from '../articles/articles.service.js'
import type { CollectionsService } from '../collections/collections.service.js'
import { createFeedsService, type FeedsService } from './feeds.service.js'

export function feedBases(config: Pick<Config, 'publicUrl' | 'publicUrls' | 'port'>) {
  const apiBase = config.publicUrl ?? `http://localhost:${config.port}`
  const template = config.publicUrls.article
  // The template's placeholders are in its path or later (its host is checked to hold none).
  const siteUrl = template ? `${new URL(template.replace(/\{[^{}]*\}/g, 'x')).origin}/` : `${apiBase}/`
  return { apiBase, siteUrl }
}

export function feedsOptions(
  config: Config,
  articles: ArticlesService,
  collections: CollectionsService,
): { feeds: FeedsService; apiBase: string } {
  const { apiBase, siteUrl } = feedBases(config)
  const feeds = createFeedsService({ articles, collections, links: { apiBase, templates: config.publicUrls }, siteUrl })
  return { feeds, apiBase }
}
