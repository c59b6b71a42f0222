// Sitemaps for search engines: an index, a file per publication month (split in parts of at most
// 50,000 URLs), a Google News sitemap of the last 48 hours, and the sections and people. Every
// <loc> of an article, section or person is its public URL (src/lib/public-urls.ts); the index
// points at the API's own files, which need PUBLIC_URL (the protocol wants absolute URLs).
import { Readable } from 'node:stream'
import type { IndexItem } from 'sitemap'
import type { PrismaClient } from '../../db/database.js'
import { NotFoundError, SitemapsBusyError, SitemapsNotConfiguredError } from '../../errors.js'
import { createLimiter } from '../../lib/limiter.js'
import {
  type ArticleUrlParts,
  articleUrl,
  articleUrlFromText,
  type PublicUrlTemplates,
  personUrl,
  sectionUrl,
} from '../../lib/public-urls.js'
import * as repo from './sitemaps.repository.js'
import { type ArticleFile, newsWindowMs, partFile } from './sitemaps.schemas.js'
import { type UrlEntry, urlsetXml } from './sitemaps.xml.js'

/** What a sitemap route sends: the XML (UTF-8) and its caching headers. */
export interface SitemapRead {
  xml: Buffer
  surrogateKeys: string[]
  lastModified: Date | null
}

export interface SitemapsOptions {
  clock: () => Date
  /** The API's base URL (PUBLIC_URL): the index's <loc>s start with it. */
  publicUrl?: string
  urls: PublicUrlTemplates
  /** The publication name of articles without a source (SITEMAP_NEWS_NAME). */
  newsName?: string
  /** URLs a file holds at most (the protocol's limit; smaller in tests of the split). */
  partSize?: number
}

/**
 * Month files built at once, per instance, and how many wait for a slot at most (past that, 503
 * ND_SITEMAPS_BUSY). A build holds its rows and its XML (~600 KB for 4,000 URLs) until sent and
 * costs ~12 ms of CPU, so ten at once on two cores only added their memory together (V8 promoted
 * what they held across each other's queries). Four keep a query in PostgreSQL while another
 * build runs: with two, a request arriving behind two builds waited a whole one (p99 at half the
 * peak rate 19–36 ms, against 16–23 ms unbounded and 18–20 ms with four).
 */
export const monthBuildSlots = 4
export const maxWaitingMonthBuilds = 100

/** The protocol's limits: 50,000 URLs a file, 1,000 a news sitemap. */
export const sitemapLimit = 50_000
export const newsLimit = 1_000

const articleKeys = ['articles', 'sitemaps']

async function sitemapIndex(items: IndexItem[]): Promise<Buffer> {
  const { SitemapIndexStream, streamToPromise } = await import('sitemap')
  return streamToPromise(Readable.from(items).pipe(new SitemapIndexStream()))
}

const latest = (dates: (Date | null)[]) =>
  dates.reduce<Date | null>((max, d) => (d && (!max || d > max) ? d : max), null)

/**
 * Google News wants an ISO 639 code (2 or 3 letters), zh-cn or zh-tw for Chinese: the primary
 * subtag of the article's BCP 47 language, Traditional (Hant, TW, HK, MO) as zh-tw.
 */
export function newsLanguage(tag: string): string {
  const [primary = 'und', ...rest] = tag.toLowerCase().split('-')
  if (primary !== 'zh') return primary
  return rest.some((sub) => ['hant', 'tw', 'hk', 'mo'].includes(sub)) ? 'zh-tw' : 'zh-cn'
}

/** A month's rows as a <urlset>, with their latest lastmod; null when none has a URL. */
function monthUrlset(rows: repo.MonthRow[], urls: PublicUrlTemplates): { xml: Buffer; last: string } | null {
  const items: UrlEntry[] = []
  // The latest lastmod: the texts have one width and order as their times do.
  let last = ''
  for (const row of rows) {
    const url = articleUrlFromText(urls, row)
    if (url) items.push({ url, lastmod: row.lastmod })
    if (row.lastmod > last) last = row.lastmod
  }
  return items.length === 0 ? null : { xml: urlsetXml(items), last }
}

export function createSitemapsService(db: PrismaClient, options: SitemapsOptions) {
  const { clock, urls } = options
  const partSize = options.partSize ?? sitemapLimit
  const withTemplate = urls.article !== undefined
  const needs = {
    withTemplate,
    withSection: urls.article?.includes('{section}') ?? false,
    withId: urls.article?.includes('{id}') ?? false,
  }
  const base = () => {
    if (!options.publicUrl) throw new SitemapsNotConfiguredError('PUBLIC_URL')
    return `${options.publicUrl}/v1/sitemaps`
  }
  const urlOf = (row: ArticleUrlParts) => articleUrl(urls, row)
  // A section's move changes the URLs of its articles when the template names {section}.
  const keys = needs.withSection ? [...articleKeys, 'sections'] : articleKeys
  const limit = createLimiter(monthBuildSlots, maxWaitingMonthBuilds, () => new SitemapsBusyError())

  async function buildMonth(file: ArticleFile): Promise<SitemapRead> {
    const rows = await repo.monthArticles(db, clock(), needs, {
      from: new Date(Date.UTC(file.year, file.month - 1, 1)),
      to: new Date(Date.UTC(file.year, file.month, 1)),
      offset: (file.part - 1) * partSize,
      limit: partSize,
    })
    const urlset = monthUrlset(rows, urls)
    if (!urlset) throw new NotFoundError('sitemap', file.name)
    return { xml: urlset.xml, surrogateKeys: keys, lastModified: new Date(urlset.last) }
  }

  return {
    /** The sitemap index: every month part, news.xml, sections.xml and people.xml when they hold URLs. */
    async index(): Promise<SitemapRead> {
      const root = base()
      const now = clock()
      const rows = await repo.indexRows(db, now, withTemplate, new Date(now.getTime() - newsWindowMs))
      const items: IndexItem[] = []
      for (const row of rows) {
        const lastmod = row.lastmod?.toISOString()
        // Always listed: its content changes as time passes, the index only with content.
        if (row.file === 'news') items.push({ url: `${root}/news.xml`, lastmod })
        else if (row.count === 0) continue
        else if (row.file === 'sections' || row.file === 'people') {
          if (urls[row.file === 'sections' ? 'section' : 'person'])
            items.push({ url: `${root}/${row.file}.xml`, lastmod })
        } else {
          for (let part = 1; part <= Math.ceil(row.count / partSize); part++) {
            items.push({ url: `${root}/articles/${partFile(row.file, part)}`, lastmod })
          }
        }
      }
      return {
        xml: await sitemapIndex(items),
        surrogateKeys: [...articleKeys, 'sections', 'people'],
        lastModified: latest(rows.map((r) => r.lastmod)),
      }
    },

    /**
     * A month's part: its public articles oldest first; 404 when it holds none. At most
     * monthBuildSlots are built at once; 503 ND_SITEMAPS_BUSY when maxWaitingMonthBuilds wait.
     */
    month(file: ArticleFile): Promise<SitemapRead> {
      return limit(() => buildMonth(file))
    },

    /** Google News: public articles of the last 48 hours, newest first, at most 1,000. */
    async news(): Promise<SitemapRead> {
      const now = clock()
      const rows = await repo.newsArticles(db, now, needs, new Date(now.getTime() - newsWindowMs), newsLimit)
      const items = rows.flatMap((row): UrlEntry[] => {
        const url = urlOf(row)
        const name = row.sourceName ?? options.newsName
        if (!url || !name) return []
        const news = {
          publication: { name, language: newsLanguage(row.language) },
          publicationDate: (row.firstPublishedAt ?? row.publishedAt).toISOString(),
          title: row.headline,
        }
        return [{ url, lastmod: row.lastmod.toISOString(), news }]
      })
      // A quiet 48 hours is an empty <urlset> (the XSD wants a <url>), which Google reads as
      // "nothing new"; a 404 would be reported as a broken sitemap.
      return {
        xml: urlsetXml(items, true),
        surrogateKeys: keys,
        lastModified: latest(rows.map((r) => r.lastmod)),
      }
    },

    /** Sections (PUBLIC_SECTION_URL) or people (PUBLIC_PERSON_URL), at most 50,000. */
    async records(kind: 'sections' | 'people'): Promise<SitemapRead> {
      const template = kind === 'sections' ? 'section' : 'person'
      if (!urls[template]) throw new SitemapsNotConfiguredError(`PUBLIC_${template.toUpperCase()}_URL`)
      const rows = await (kind === 'sections' ? repo.sections : repo.people)(db, partSize)
      const items = rows.flatMap((row) => {
        const url = kind === 'sections' ? sectionUrl(urls, row) : personUrl(urls, row)
        return url ? [{ url, lastmod: row.updatedAt.toISOString() }] : []
      })
      if (items.length === 0) throw new NotFoundError('sitemap', `${kind}.xml`)
      return {
        xml: urlsetXml(items),
        surrogateKeys: ['sitemaps', kind],
        lastModified: latest(rows.map((r) => r.updatedAt)),
      }
    },
  }
}

export type SitemapsService = ReturnType<typeof createSitemapsService>
