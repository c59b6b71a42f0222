// GET /v1/sitemaps/…: XML for search engines, cached and revalidated like the JSON reads. Errors
// stay problem+json.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { read } from '../../http/access.js'
import { setCacheHeaders } from '../../http/caching.js'
import { describedProblems, problemResponses } from '../../http/schemas.js'
import {
  ArticleFileParamsSchema,
  indexExample,
  monthExample,
  newsExample,
  parseArticleFile,
  sectionsExample,
  xmlRead,
} from './sitemaps.schemas.js'
import type { SitemapRead, SitemapsService } from './sitemaps.service.js'

const visibility =
  'Only articles public now are listed: never drafts, scheduled articles before their time, embargoed ones ' +
  'before the lift, killed or deleted ones (whatever the credentials: a sitemap is for the public). '
const lastmod =
  '`lastmod` is the last public change: the last write, or the moment the article became public without ' +
  'one (a scheduled publication falling due, an embargo lifting). '
const locs =
  "Each `<loc>` is the article's public URL: its canonicalUrl, else PUBLIC_ARTICLE_URL rendered; an " +
  'article without one is left out. '

/** Problem responses of a month's file: its 503 also when too many files wait to be built. */
function monthProblems() {
  return describedProblems(problemResponses(404), {
    503:
      'Too many sitemap files are waiting to be built (ND_SITEMAPS_BUSY), or the database is not available; ' +
      'retry after the number of seconds in Retry-After',
  })
}

/** The XML with the read's caching headers (shared: a sitemap is the same for every caller). */
function send(reply: FastifyReply, file: SitemapRead): Buffer {
  setCacheHeaders(reply, { shared: true, surrogateKeys: file.surrogateKeys, lastModified: file.lastModified })
  reply.type('application/xml; charset=utf-8')
  return file.xml
}

export const sitemapsRoutes: FastifyPluginAsyncTypebox<{ sitemaps: SitemapsService }> = async (app, { sitemaps }) => {
  const common = { config: read, tags: ['Sitemaps'] }
  app.get(
    '/sitemaps/index.xml',
    {
      config: common.config,
      schema: {
        operationId: 'getSitemapIndex',
        tags: common.tags,
        summary: 'Get the sitemap index',
        description:
          'A sitemap index (sitemaps.org) naming every sitemap file with its `lastmod`: `news.xml`, a file per ' +
          'publication month (UTC) holding public articles ' +
          '(`articles/2026-11.xml`, then `-2`, `-3`… parts of at most 50,000 URLs), `sections.xml` and ' +
          '`people.xml` when PUBLIC_SECTION_URL / PUBLIC_PERSON_URL are set. The URLs are absolute: 404 unless ' +
          'PUBLIC_URL is set. ' +
          visibility,
        response: { ...xmlRead('The sitemap index', indexExample), ...problemResponses(404) },
      },
    },
    async (_request, reply) => send(reply, await sitemaps.index()),
  )
  app.get(
    '/sitemaps/articles/:file',
    {
      config: common.config,
      schema: {
        operationId: 'getArticleSitemap',
        tags: common.tags,
        summary: "Get a month's article sitemap",
        description:
          'Every public article published in the month (UTC, by publication time), oldest first, at most 50,000 ' +
          'a file: a larger month is split in parts (`2026-11.xml`, `2026-11-2.xml`…), each listed in the index. ' +
          '404 for a month (or part) without public articles. Each instance builds four files at once and ' +
          'queues 100 more: past that, 503 ND_SITEMAPS_BUSY with Retry-After. ' +
          locs +
          lastmod +
          visibility,
        params: ArticleFileParamsSchema,
        response: { ...xmlRead("The month's sitemap", monthExample), ...monthProblems() },
      },
    },
    async (request, reply) => send(reply, await sitemaps.month(parseArticleFile(request.params.file))),
  )
  app.get(
    '/sitemaps/news.xml',
    {
      // Not from the response cache: articles leave the 48 hours as time passes, with no change
      // to end a cache generation (shared caches keep it for max-age only).
      config: { access: read.access },
      schema: {
        operationId: 'getNewsSitemap',
        tags: common.tags,
        summary: 'Get the Google News sitemap',
        description:
          'Public articles published in the last 48 hours, newest first, at most 1,000, with `news:publication` ' +
          "(name: the article's source, else SITEMAP_NEWS_NAME — without either the article is left out; " +
          "language: the article's, as an ISO 639 code), `news:publication_date` (first publication) and " +
          '`news:title` (the headline). Without any, an empty `urlset`. Always listed in the index. ' +
          locs +
          lastmod +
          visibility,
        response: { ...xmlRead('The news sitemap', newsExample), ...problemResponses(404) },
      },
    },
    async (_request, reply) => send(reply, await sitemaps.news()),
  )
  for (const kind of ['sections', 'people'] as const) {
    const variable = kind === 'sections' ? 'PUBLIC_SECTION_URL' : 'PUBLIC_PERSON_URL'
    app.get(
      `/sitemaps/${kind}.xml`,
      {
        config: common.config,
        schema: {
          operationId: kind === 'sections' ? 'getSectionSitemap' : 'getPeopleSitemap',
          tags: common.tags,
          summary: `Get the ${kind === 'sections' ? 'sections' : 'people'} sitemap`,
          description:
            `The public URL (${variable}) of every ${kind === 'sections' ? 'section, by path' : 'person, by name'}, ` +
            `at most 50,000, with \`lastmod\` the record's last change. 404 while ${variable} is unset or there ` +
            'are none.',
          response: { ...xmlRead(`The ${kind} sitemap`, sectionsExample), ...problemResponses(404) },
        },
      },
      async (_request, reply) => send(reply, await sitemaps.records(kind)),
    )
  }
}
