// Feeds: the article list and the box, as the JSON reads answer them (the same queries, the same
// visibility: published and public only), turned into feed entries and rendered. Nothing here
// queries the database itself.
import { NotFoundError } from '../../errors.js'
import type { ArticlesService, ViewOptions } from '../articles/articles.service.js'
import type { CollectionsService } from '../collections/collections.service.js'
import { articleEntry, externalEntry, type FeedEntry, type FeedLinks } from './feeds.mapper.js'
import { renderFeed } from './feeds.render.js'
import type { ArticleFeedQuery, CollectionFeedQuery, FeedFormat } from './feeds.schemas.js'

/** A rendered feed and what its caching headers say. */
export interface RenderedFeed {
  body: string
  surrogateKeys: string[]
  lastModified: Date | null
  /** Seconds until the feed changes by itself (a box's window turns); null: not known to. */
  changesIn: number | null
}

/** What a feed read shows: never drafts or scheduled articles, whatever the key may preview. */
export type FeedView = Pick<ViewOptions, 'embargoed' | 'syndication'>

/** What a feed embeds of its articles: names of authors, sections and tags. */
const include: ViewOptions['include'] = ['contributors', 'sections', 'tags']

export interface FeedsServiceOptions {
  articles: ArticlesService
  collections: CollectionsService
  links: FeedLinks
  /** The site the feeds are of (see feeds.routes.ts). */
  siteUrl: string
}

function filterTitle(query: ArticleFeedQuery): string {
  const parts = [
    query.section && `section ${query.section}`,
    query.tag && `tag ${query.tag.join(' or ')}`,
    query.source && `source ${query.source}`,
    query.credit && `credit ${query.credit}`,
    query.person && `person ${query.person}`,
    query.language && `language ${query.language}`,
    query.q && `search "${query.q}"`,
  ].filter(Boolean)
  return parts.length > 0 ? `Articles (${parts.join(', ')})` : 'Articles'
}

const latestOf = (entries: FeedEntry[]) => new Date(Math.max(0, ...entries.map((e) => e.updated.getTime())))

export function createFeedsService({ articles, collections, links, siteUrl }: FeedsServiceOptions) {
  return {
    /** The newest published articles matching the list's filters. */
    async articles(format: FeedFormat, query: ArticleFeedQuery, view: FeedView, self: string): Promise<RenderedFeed> {
      const { content, ...filters } = query
      const list = await articles.list(filters, { ...view, preview: false, include })
      const entries = list.body.data.map((a) => articleEntry(links, a, content === 'full'))
      const title = filterTitle(query)
      const body = renderFeed(
        format,
        { title, description: `${title}, newest published first`, link: siteUrl, self, updated: latestOf(entries) },
        entries,
      )
      return { body, surrogateKeys: list.surrogateKeys, lastModified: list.lastModified, changesIn: null }
    },

    /** A box (a collection's visible teasers) in order: articles and teasers that link out. */
    async collection(
      format: FeedFormat,
      key: string,
      query: CollectionFeedQuery,
      view: FeedView,
      self: string,
    ): Promise<RenderedFeed> {
      const collection = await collections.get(key)
      const box = await collections.box(key, { preview: false })
      const entries: FeedEntry[] = []
      // What the items show beyond the box's teasers (authors, sections, tags): purged with them too.
      const keys = new Set(box.surrogateKeys)
      for (const teaser of box.teasers) {
        if (!teaser.article) {
          if (teaser.url) entries.push(externalEntry(links, teaser))
          continue
        }
        // The box showed it public a moment ago; gone since (a kill), it is left out.
        const read = await articles
          .get(teaser.article.id, { ...view, preview: false, embargoed: false, include })
          .catch((err: unknown) => {
            if (err instanceof NotFoundError) return null
            throw err
          })
        if (!read) continue
        for (const key of read.surrogateKeys) keys.add(key)
        const entry = articleEntry(links, read.body, query.content === 'full')
        entries.push(teaser.title ? { ...entry, title: teaser.title } : entry)
      }
      const body = renderFeed(
        format,
        {
          title: collection.title,
          description: collection.description ?? collection.title,
          link: siteUrl,
          self,
          updated: new Date(Math.max(latestOf(entries).getTime(), box.lastModified.getTime())),
        },
        entries,
      )
      return { body, surrogateKeys: [...keys], lastModified: box.lastModified, changesIn: box.changesIn }
    },
  }
}

export type FeedsService = ReturnType<typeof createFeedsService>
