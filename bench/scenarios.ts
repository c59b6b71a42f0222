// What is measured: each scenario is one kind of request a frontend, a CDN or an editor sends,
// with what it needs prepared against the server under test before the load starts.
import http from 'node:http'
import type autocannon from 'autocannon'
import { makeWriteContent } from './content.js'
import type { Fixtures } from './database.js'
import { expectStatus, request } from './http.js'
import { mediaUpload } from './media.js'

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

function headerOf(headers: Record<string, unknown>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name)
  return typeof entry?.[1] === 'string' ? entry[1] : undefined
}

const versionOf = (etag: string | undefined) => Number(/^"v(\d+)"$/.exec(etag ?? '')?.[1] ?? Number.NaN)

/** The version a 412 names; NaN when the body is not the expected problem (an error is counted anyway). */
function currentVersionOf(body: string): number {
  try {
    return Number((JSON.parse(body) as { currentVersion?: unknown }).currentVersion ?? Number.NaN)
  } catch {
    return Number.NaN
  }
}

export interface WriteSetup {
  token: string
  fixtures: Fixtures
  connections: number
  /** Distinguishes this run's headlines from every earlier run's. */
  runId: string
}

function createArticle({ token, fixtures, runId }: WriteSetup): Scenario {
  const content = makeWriteContent(fixtures.writeRefs)
  let n = 0
  return {
    name: 'write-create',
    kind: 'write',
    expectStatus: 201,
    prepare: async () => ({
      label: 'POST /v1/articles (~3 KB Markdown body)',
      requests: async () => [
        {
          method: 'POST',
          path: '/v1/articles',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: content.create(`${runId}-${n}`, n++) }),
        },
      ],
    }),
  }
}

interface Draft {
  id: string
  version: number
}

/**
 * PATCH with If-Match, as an editor saves. autocannon gives each request a context that lasts from
 * setupRequest to onResponse, so a request takes a draft from a pool and returns it with the version
 * its response carries: no two requests edit one draft at once, and none gets a 412.
 */
function patchArticle({ token, fixtures, connections, runId }: WriteSetup): Scenario {
  const content = makeWriteContent(fixtures.writeRefs)
  const auth = { authorization: `Bearer ${token}` }
  let n = 0
  return {
    name: 'write-patch',
    kind: 'write',
    expectStatus: 200,
    async prepare(origin) {
      // Twice the connections: a request lost to a socket error keeps its draft out of the pool.
      const drafts: Draft[] = []
      for (let i = 0; i < connections * 2; i++) {
        const res = await expectStatus(`${origin}/v1/articles`, 201, {
          method: 'POST',
          headers: auth,
          body: content.create(`${runId}-draft-${i}`, i),
        })
        drafts.push({ id: res.json<{ id: string }>().id, version: versionOf(res.headers.etag as string) })
      }
      return {
        label: 'PATCH /v1/articles/{id} with If-Match (a draft per connection)',
        async requests() {
          // The run before may have ended with saves in flight: start from the versions stored now.
          for (const draft of drafts) {
            const res = await request(`${origin}/v1/articles/${draft.id}`, { headers: auth })
            draft.version = versionOf(res.headers.etag as string | undefined)
          }
          const pool = [...drafts]
          return [
            {
              method: 'PATCH',
              headers: { ...auth, 'content-type': 'application/json' },
              setupRequest: (req, context) => {
                const draft = pool.pop() ?? (drafts[0] as Draft)
                ;(context as { draft?: Draft }).draft = draft
                return {
                  ...req,
                  path: `/v1/articles/${draft.id}`,
                  headers: { ...req.headers, 'if-match': `"v${draft.version}"` },
                  body: content.update(n++),
                }
              },
              onResponse: (status, body, context, headers) => {
                const draft = (context as { draft?: Draft }).draft
                if (!draft) return
                const version =
                  status === 412
                    ? currentVersionOf(body)
                    : versionOf(headerOf(headers as Record<string, unknown>, 'etag'))
                if (Number.isInteger(version)) draft.version = version
                pool.push(draft)
              },
            },
          ]
        },
      }
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

/** The uncached pass: every scenario, in this order. */
export function apiScenarios(setup: ScenarioSetup): Scenario[] {
  const { fixtures } = setup
  const list = (params: string) => `/v1/articles?limit=20&${params}&fields=${summaryFields}`
  return [
    firstPage(),
    deepPage(setup.deepPages),
    articleBySlug(fixtures),
    topStories(),
    get('search-common', list(`q=${encodeURIComponent(fixtures.searchCommon.term)}`)),
    get('search-rare', list(`q=${encodeURIComponent(fixtures.searchRare.term)}`)),
    get(
      'filtered',
      list(`source=${encodeURIComponent(fixtures.filter.source)}&tag=${encodeURIComponent(fixtures.filter.tag)}`),
    ),
    related(fixtures),
    // A section front: the root section with the most articles, its subsections' articles included.
    get('section-front', list(`section=${encodeURIComponent(fixtures.sectionFront.section)}`)),
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
