// What is measured: each scenario is one kind of request a frontend, a CDN or an editor sends,
// with what it needs prepared against the server under test before the load starts.
import http from 'node:http'
import type autocannon from 'autocannon'
import type { Fixtures } from './database.js'
import { expectStatus } from './http.js'
import { mediaUpload } from './media.js'
import { createArticle, patchArticle, type WriteSetup } from './writes.js'

export type ScenarioKind = 'read' | 'write'

export interface Workload {
  /** Method and path of a representative request, for the report. */
  label: string
  /** The request list of one autocannon run, made afresh for each (warm-up, measured, fixed rate). */
  requests(): Promise<autocannon.Request[]>
}

export interface Scenario {
  name: string
  kind: ScenarioKind
  /** The status every response must have; any other counts as an error. */
  expectStatus: number
  /** Runs once, against the server about to be measured. */
  prepare(origin: string): Promise<Workload>
}

/** The fields a list view shows: no bodies. */
const summaryFields = 'slug,headline,summary,dateline,bylines,language,publishedAt,sourceId,tags'
export const firstPagePath = `/v1/articles?limit=20&fields=${summaryFields}`

const fixed = (label: string, path: string, headers: Record<string, string> = {}): Workload => ({
  label: `GET ${label}`,
  requests: async () => [{ method: 'GET', path, headers }],
})

function get(name: string, path: string): Scenario {
  return { name, kind: 'read', expectStatus: 200, prepare: async () => fixed(path, path) }
}

/** Reads every path once, ten at a time: the working set is warm, in the database's buffers or a response cache. */
async function readEach(origin: string, paths: string[]): Promise<void> {
  const agent = new http.Agent({ keepAlive: true })
  let next = 0
  const reader = async () => {
    while (next < paths.length) await expectStatus(`${origin}${paths[next++]}`, 200, { agent })
  }
  try {
    await Promise.all(Array.from({ length: 10 }, reader))
  } finally {
    agent.destroy()
  }
}

/**
 * GET /v1/articles/{slug} (or a path below it: `suffix`), each request the next of the slugs, so
 * reads spread over the archive.
 */
function bySlug(name: string, slugs: string[], suffix = ''): Scenario {
  let next = 0
  const paths = slugs.map((slug) => `/v1/articles/${slug}${suffix}`)
  const workload: Workload = {
    label: `GET /v1/articles/{slug}${suffix} (${slugs.length} slugs in turn)`,
    requests: async () => [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }),
      },
    ],
  }
  return {
    name,
    kind: 'read',
    expectStatus: 200,
    async prepare(origin) {
      await readEach(origin, paths)
      return workload
    },
  }
}

export const firstPage = (name = 'first-page') => get(name, firstPagePath)
export const articleBySlug = (fixtures: Fixtures, name = 'article-by-slug') => bySlug(name, fixtures.slugs)
/** The related box of an article page: five teasers, for the same slugs in turn. */
const related = (fixtures: Fixtures) =>
  bySlug('related', fixtures.slugs, '/related?limit=5&fields=slug,headline,summary,publishedAt,leadImage')
const topStories = () => get('top-stories', '/v1/collections/top-stories/teasers')

/** The first page's list, `pages` pages on: the cursor is found by following nextCursor from page one. */
function deepPage(pages: number): Scenario {
  return {
    name: 'deep-page',
    kind: 'read',
    expectStatus: 200,
    async prepare(origin) {
      let cursor: string | null = null
      for (let page = 0; page < pages; page++) {
        const path: string = cursor ? `${firstPagePath}&cursor=${cursor}` : firstPagePath
        const res = await expectStatus(`${origin}${path}`, 200)
        cursor = res.json<{ page: { nextCursor: string | null } }>().page.nextCursor
        if (!cursor) throw new Error(`deep-page: the list ends after ${page + 1} pages, fewer than ${pages}`)
      }
      return fixed(`${firstPagePath}&cursor=… (page ${pages + 1})`, `${firstPagePath}&cursor=${cursor}`)
    },
  }
}

/** The first page again, as a CDN or browser revalidates it: If-None-Match with its ETag, 304 expected. */
function revalidate(): Scenario {
  return {
    name: 'revalidate-304',
    kind: 'read',
    expectStatus: 304,
    async prepare(origin) {
      const etag = (await expectStatus(`${origin}${firstPagePath}`, 200)).headers.etag
      if (!etag) throw new Error('revalidate-304: the first page has no ETag')
      return fixed(`${firstPagePath} with If-None-Match`, firstPagePath, { 'if-none-match': etag })
    },
  }
}

export interface ScenarioSetup extends WriteSetup {
  deepPages: number
}

/** A media record with an original in the servers' media folder, and one of its rendition files. */
export interface BenchMedia {
  id: string
  file: string
}

/**
 * An image rendition already generated and stored, as a browser or a CDN fetches it: public, not
 * rate limited, streamed from the media folder, its record remembered while content is unchanged
 * (with the response cache on). Its first request (in prepare) generates it.
 */
function renditionHit(media: BenchMedia): Scenario {
  const path = `/media/${media.id}/${media.file}`
  return {
    name: 'rendition-hit',
    kind: 'read',
    expectStatus: 200,
    async prepare(origin) {
      await expectStatus(`${origin}${path}`, 200)
      return fixed(`/media/{id}/${media.file} (generated, from storage)`, path)
    },
  }
}

/**
 * The sitemap index (one grouped query over the archive), and the month file of the index's
 * busiest-looking month: the middle of its article months (a full month of the synthetic archive).
 * The servers run with PUBLIC_URL and PUBLIC_ARTICLE_URL set (bench/servers.ts).
 */
const sitemapIndex = () => get('sitemap-index', '/v1/sitemaps/index.xml')

function sitemapMonth(): Scenario {
  return {
    name: 'sitemap-month',
    kind: 'read',
    expectStatus: 200,
    async prepare(origin) {
      const index = (await expectStatus(`${origin}/v1/sitemaps/index.xml`, 200)).body.toString('utf8')
      const months = [...index.matchAll(/<loc>[^<]*(\/v1\/sitemaps\/articles\/[0-9-]+\.xml)<\/loc>/g)].map((m) => m[1])
      const path = months[Math.floor(months.length / 2)]
      if (!path) throw new Error('the sitemap index lists no month')
      await expectStatus(`${origin}${path}`, 200)
      return fixed(`${path} (a month of the archive)`, path)
    },
  }
}

const list = (params: string) => `/v1/articles?limit=20&${params}&fields=${summaryFields}`

/** The list variants: a common search term, a publisher and tag filter, a section front. */
export function listVariants(fixtures: Fixtures): { name: string; path: string }[] {
  return [
    { name: 'search-common', path: list(`q=${encodeURIComponent(fixtures.searchCommon.term)}`) },
    {
      name: 'filtered',
      path: list(`source=${encodeURIComponent(fixtures.filter.source)}&tag=${encodeURIComponent(fixtures.filter.tag)}`),
    },
    // A section front: the root section with the most articles, its subsections' articles included.
    { name: 'section-front', path: list(`section=${encodeURIComponent(fixtures.sectionFront.section)}`) },
  ]
}

/** The uncached pass: every scenario, in this order. */
export function apiScenarios(setup: ScenarioSetup): Scenario[] {
  const { fixtures } = setup
  const variant = (name: string) => {
    const found = listVariants(fixtures).find((v) => v.name === name) as { name: string; path: string }
    return get(found.name, found.path)
  }
  return [
    firstPage(),
    deepPage(setup.deepPages),
    articleBySlug(fixtures),
    topStories(),
    variant('search-common'),
    get('search-rare', list(`q=${encodeURIComponent(fixtures.searchRare.term)}`)),
    variant('filtered'),
    related(fixtures),
    variant('section-front'),
    revalidate(),
    sitemapIndex(),
    sitemapMonth(),
    createArticle(setup),
    patchArticle(setup),
    mediaUpload(setup),
  ]
}

/** The cached pass: the hot reads a response cache is for, and image renditions. */
export function cachedScenarios(fixtures: Fixtures, media: BenchMedia): Scenario[] {
  return [firstPage(), articleBySlug(fixtures), topStories(), renditionHit(media), sitemapIndex(), sitemapMonth()]
}
