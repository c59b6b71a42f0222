// Feeds' parameters and media types: the article list's filters (a feed is that list, rendered),
// `limit` with the feeds' own default, and `content` (summary or the full body).
import Type, { type Static } from 'typebox'
import { StringEnum } from '../../http/schemas.js'
import { ArticleListQuerySchema } from '../articles/articles.schemas.js'

export const feedFormats = ['rss', 'atom', 'json'] as const
export type FeedFormat = (typeof feedFormats)[number]

/** The Content-Type of each format. */
export const feedMediaTypes: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
}

export const feedNames: Record<FeedFormat, string> = { rss: 'RSS 2.0', atom: 'Atom 1.0', json: 'JSON Feed 1.1' }

export const defaultFeedLimit = 50
export const maxFeedLimit = 100

const ContentSchema = StringEnum(['summary', 'full'], {
  default: 'summary',
  description:
    'summary (default): each item carries the summary; full: also the body HTML (withheld, as in the JSON ' +
    'reads, from partner keys for articles that are not syndicatable)',
})

const filters = ArticleListQuerySchema.properties
export const ArticleFeedQuerySchema = Type.Object(
  {
    limit: Type.Integer({
      minimum: 1,
      maximum: maxFeedLimit,
      format: 'int32',
      default: defaultFeedLimit,
      description: `Items (1-${maxFeedLimit}, default ${defaultFeedLimit}), newest published first`,
    }),
    source: filters.source,
    credit: filters.credit,
    tag: filters.tag,
    section: filters.section,
    person: filters.person,
    language: filters.language,
    q: filters.q,
    content: Type.Optional(ContentSchema),
  },
  { additionalProperties: false },
)
export type ArticleFeedQuery = Static<typeof ArticleFeedQuerySchema>

/** The article list's filters a feed takes (and the list's discovery links carry over). */
export const feedFilters = ['source', 'credit', 'tag', 'section', 'person', 'language', 'q'] as const

export const CollectionFeedQuerySchema = Type.Object(
  { content: Type.Optional(ContentSchema) },
  { additionalProperties: false },
)
export type CollectionFeedQuery = Static<typeof CollectionFeedQuerySchema>

/** What a feed route answers: the document in its media type, documented with an example each. */
export const feedExamples: Record<FeedFormat, string> = {
  rss:
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">\n' +
    '    <channel>\n' +
    '        <title>Newsdesk: articles</title>\n' +
    '        <link>https://news.example.com/</link>\n' +
    '        <description>The newest published articles</description>\n' +
    '        <lastBuildDate>Sun, 27 Sep 2015 12:00:00 GMT</lastBuildDate>\n' +
    '        <atom:link href="https://api.example.com/v1/feeds/articles.rss" rel="self" type="application/rss+xml"/>\n' +
    '        <item>\n' +
    '            <title><![CDATA[Iraq to share intelligence info on IS with Syria, Russia, Iran]]></title>\n' +
    '            <link>https://news.example.com/2015/09/27/iraq-to-share-intelligence-info</link>\n' +
    '            <guid isPermaLink="false">019ac0de-7a1e-7000-8000-00000000c001</guid>\n' +
    '            <pubDate>Sun, 27 Sep 2015 12:00:00 GMT</pubDate>\n' +
    '            <description><![CDATA[Iraq&#39;s military said Sunday it will begin sharing information.]]></description>\n' +
    '            <author>Anna Hakobyan</author>\n' +
    '            <category domain="tag">iraq</category>\n' +
    '        </item>\n' +
    '    </channel>\n' +
    '</rss>',
  atom:
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<feed xmlns="http://www.w3.org/2005/Atom">\n' +
    '    <id>https://api.example.com/v1/feeds/articles.atom</id>\n' +
    '    <title>Newsdesk: articles</title>\n' +
    '    <updated>2015-09-27T12:00:00.000Z</updated>\n' +
    '    <link rel="alternate" href="https://news.example.com/"/>\n' +
    '    <link rel="self" href="https://api.example.com/v1/feeds/articles.atom"/>\n' +
    '    <entry>\n' +
    '        <title type="html"><![CDATA[Iraq to share intelligence info on IS with Syria, Russia, Iran]]></title>\n' +
    '        <id>urn:uuid:019ac0de-7a1e-7000-8000-00000000c001</id>\n' +
    '        <link href="https://news.example.com/2015/09/27/iraq-to-share-intelligence-info"/>\n' +
    '        <updated>2015-09-27T12:00:00.000Z</updated>\n' +
    '        <published>2015-09-27T12:00:00.000Z</published>\n' +
    '    </entry>\n' +
    '</feed>',
  json: JSON.stringify(
    {
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Newsdesk: articles',
      home_page_url: 'https://news.example.com/',
      feed_url: 'https://api.example.com/v1/feeds/articles.json',
      items: [
        {
          id: '019ac0de-7a1e-7000-8000-00000000c001',
          url: 'https://news.example.com/2015/09/27/iraq-to-share-intelligence-info',
          title: 'Iraq to share intelligence info on IS with Syria, Russia, Iran',
          content_html: '<p>Iraq&#39;s military said Sunday it will begin sharing information.</p>',
          date_published: '2015-09-27T12:00:00.000Z',
          date_modified: '2015-09-27T12:00:00.000Z',
          authors: [{ name: 'Anna Hakobyan' }],
          tags: ['iraq'],
        },
      ],
    },
    null,
    2,
  ),
}
