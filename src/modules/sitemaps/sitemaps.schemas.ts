// The sitemaps' parameters and responses: XML bodies, documented with an example each.
import Type from 'typebox'
import { empty, file, type HeaderName } from '../../http/responses.js'

/** The news sitemap's window: articles published in the last 48 hours. */
export const newsWindowMs = 48 * 3600 * 1000

/**
 * `yyyy-mm.xml` (a month's first part) or `yyyy-mm-n.xml` (its n-th, from 2): years 1900-9999,
 * months 01-12, parts 2-9999.
 */
export const articleFilePattern = '^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])(-([2-9]|[1-9][0-9]{1,3}))?\\.xml$'

export const ArticleFileParamsSchema = Type.Object({
  file: Type.String({
    maxLength: 17,
    pattern: articleFilePattern,
    description:
      'The month (UTC, by publication time) and part: `2026-11.xml`, then `2026-11-2.xml`… when the month holds ' +
      'more than 50,000 articles (the index lists every part)',
    examples: ['2026-11.xml'],
  }),
})

export interface ArticleFile {
  name: string
  year: number
  month: number
  part: number
}

/** The parts of a file name the pattern accepted. */
export function parseArticleFile(name: string): ArticleFile {
  const [year, month, part] = name.slice(0, -'.xml'.length).split('-').map(Number)
  return { name, year: year as number, month: month as number, part: part ?? 1 }
}

/** The file name of a month's part (`yyyy-mm` and the part, from 1). */
export const partFile = (month: string, part: number) => (part === 1 ? `${month}.xml` : `${month}-${part}.xml`)

const head = '<?xml version="1.0" encoding="UTF-8"?>'
const ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

export const indexExample =
  `${head}<sitemapindex ${ns}><sitemap><loc>https://api.example.com/v1/sitemaps/news.xml</loc>` +
  '<lastmod>2026-11-30T08:12:00.000Z</lastmod></sitemap><sitemap>' +
  '<loc>https://api.example.com/v1/sitemaps/articles/2026-11.xml</loc><lastmod>2026-11-30T08:12:00.000Z</lastmod>' +
  '</sitemap></sitemapindex>'

export const monthExample =
  `${head}<urlset ${ns}><url><loc>https://www.example.com/news/2026/11/ceasefire-talks</loc>` +
  '<lastmod>2026-11-12T09:30:00.000Z</lastmod></url></urlset>'

export const newsExample =
  `${head}<urlset ${ns} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>` +
  '<loc>https://www.example.com/news/2026/11/ceasefire-talks</loc><lastmod>2026-11-30T08:12:00.000Z</lastmod>' +
  '<news:news><news:publication><news:name>The Example Times</news:name><news:language>en</news:language>' +
  '</news:publication><news:publication_date>2026-11-30T07:55:00.000Z</news:publication_date>' +
  '<news:title>Ceasefire talks resume</news:title></news:news></url></urlset>'

export const sectionsExample =
  `${head}<urlset ${ns}><url><loc>https://www.example.com/world/middle-east</loc>` +
  '<lastmod>2026-11-02T10:00:00.000Z</lastmod></url></urlset>'

export const sitemapMediaType = 'application/xml'

const revalidated: readonly HeaderName[] = ['ETag', 'Cache-Control', 'Last-Modified', 'Vary', 'Surrogate-Key']
const headers: HeaderName[] = ['Cache-Control', 'Vary', 'Surrogate-Key', 'Last-Modified']

/** A 200 with an XML body and the headers of a read, and the 304 of a revalidation (as readResponses). */
export function xmlRead(description: string, example: string) {
  const ok = file(description, [sitemapMediaType], headers)
  const schema = { type: 'string', contentMediaType: sitemapMediaType }
  return {
    200: { ...ok, content: { [sitemapMediaType]: { schema, example } } },
    304: empty('Not modified: the ETag given in If-None-Match is still current (no body)', revalidated),
  }
}
