// The conformance test's data: records to call operations on (the seeded content plus records
// made through the API), and for each operation a valid request. Path parameters are given in
// the order the path names them, so a renamed parameter needs no change here.
import type { FastifyInstance } from 'fastify'
import sharp from 'sharp'
import { scopes } from '../src/lib/principal.js'
import { createFsStorage } from '../src/modules/media/media.storage.js'
import { seed } from '../src/seed/seed.js'
import { type BuildOptions, build, createKey, json, mediaDir } from './helper.js'
import { insertMedia, makeImage, multipart } from './modules/media.helpers.js'

export interface Case {
  params?: (string | number)[]
  query?: Record<string, string>
  /** The request body; by default the spec's example for the operation. */
  body?: unknown
  headers?: Record<string, string>
  /** The success status expected; by default the lowest 2xx the operation documents. */
  status?: number
  /** The status of a path parameter its schema refuses; 400 by default (a file path that names no file: 404). */
  invalidStatus?: number
  /** The answer differs on every call (metrics): an ETag just given is no longer current, no 304. */
  changesEveryCall?: boolean
}

/** Records the table calls operations on, and helpers making fresh ones for destructive calls. */
export class Fixtures {
  private n = 0
  source = { id: '', slug: 'panarmenian-net' }
  /** A section below a root: its path has a slash. */
  section = { id: '', path: '' }
  article = { id: '', slug: '' }
  /** An article made through the API and edited once: it has revisions 1 and 2. */
  revised = { id: '' }
  collection = 'top-stories'
  /** A seeded person. */
  person = 'anna-hakobyan'
  teaser = ''
  keyId = ''
  webhook = ''
  delivery = ''
  /** A media record with its original in storage. */
  media = ''

  constructor(
    readonly app: FastifyInstance,
    readonly auth: Record<string, string>,
  ) {}

  unique(prefix: string): string {
    this.n += 1
    return `${prefix}-${this.n}`
  }

  async call(method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) {
    const res = await this.app.inject({
      method: method as 'GET',
      url,
      headers: { ...this.auth, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return json<Record<string, unknown> & { id: string; version: number }>(res)
  }

  async newArticle(publish = false) {
    const article = await this.call('POST', '/v1/articles', {
      headline: this.unique('Conformance article'),
      body: 'A paragraph.',
      source: this.source.slug,
    })
    return publish ? this.call('POST', `/v1/articles/${article.id}/publish`, {}) : article
  }

  newPerson() {
    return this.call('POST', '/v1/people', { name: this.unique('Conformance person'), affiliation: this.source.slug })
  }

  async newTag() {
    return (await this.call('POST', '/v1/tags', { slug: this.unique('conformance-tag'), name: 'Conformance tag' }))
      .slug as string
  }

  newSource() {
    return this.call('POST', '/v1/sources', { name: this.unique('Conformance source'), kind: 'partner' })
  }

  /** A new section under a new root. */
  async newSection() {
    const root = await this.call('POST', '/v1/sections', { name: this.unique('Conformance root') })
    const child = await this.call('POST', '/v1/sections', { name: 'Desk', parentId: root.id })
    return child as unknown as { id: string; path: string }
  }

  async newCollection(): Promise<string> {
    const key = this.unique('conformance')
    await this.call('POST', '/v1/collections', { key, title: key })
    return key
  }

  async newTeaser(key?: string): Promise<string> {
    const collection = key ?? (await this.newCollection())
    return (
      await this.call('POST', `/v1/collections/${collection}/teasers`, {
        text: this.unique('Teaser'),
        articleId: this.article.id,
      })
    ).id
  }

  /** A new image (one colour of its own, so never a duplicate) as a multipart upload. */
  async newUpload(): Promise<Case> {
    const n = this.n++
    const background = { r: n % 256, g: Math.floor(n / 256) % 256, b: 128 }
    const file = await sharp({ create: { width: 32, height: 24, channels: 3, background } })
      .png()
      .toBuffer()
    const body = multipart([
      { name: 'caption', value: 'Conformance' },
      { name: 'file', file },
    ])
    return { body: body.payload, headers: { 'content-type': body.contentType }, status: 201 }
  }

  async newMedia(): Promise<string> {
    const upload = await this.newUpload()
    const res = await this.app.inject({
      method: 'POST',
      url: '/v1/media',
      headers: { ...this.auth, ...upload.headers },
      payload: upload.body as Buffer,
    })
    if (res.statusCode !== 201) throw new Error(`POST /v1/media: ${res.statusCode} ${res.body}`)
    return json<{ id: string }>(res).id
  }

  async newKey(): Promise<string> {
    return (await this.call('POST', '/v1/keys', { name: this.unique('key'), scopes: ['content:read'] })).id
  }

  /** A preview link of the revised article (its token opens it). */
  async newPreviewLink(): Promise<{ id: string; token: string }> {
    const link = await this.call('POST', `/v1/articles/${this.revised.id}/preview-links`, { expiresIn: 3600 })
    return { id: link.id, token: link.token as string }
  }

  async newWebhook(): Promise<string> {
    const url = `https://hooks.example.com/${this.unique('hook')}`
    return (await this.call('POST', '/v1/webhooks', { url, events: ['article.*'] })).id
  }
}

/** Any host name resolves to a public address, so webhooks can be created without DNS. */
const publicResolver: NonNullable<BuildOptions['resolveHost']> = async () => [{ address: '93.184.216.34', family: 4 }]

/** A test app on a seeded database, a key with every scope, and the records the table uses. */
export async function setUp(t: Parameters<typeof build>[0]) {
  const env = {
    // Every operation is called several times in a row by one key and one client address.
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_ANONYMOUS_MAX: '1000000',
    // Deliveries stay pending: nothing is sent anywhere.
    WEBHOOK_WORKER: 'false',
    MEDIA_DIR: await mediaDir(t),
    // Sitemaps list absolute public URLs: without these, they answer 404.
    PUBLIC_URL: 'https://api.example.com',
    PUBLIC_ARTICLE_URL: 'https://www.example.com/news/{yyyy}/{mm}/{slug}',
    PUBLIC_SECTION_URL: 'https://www.example.com/{path}',
    PUBLIC_PERSON_URL: 'https://www.example.com/people/{slug}',
  }
  const { app, db } = await build(t, { env, resolveHost: publicResolver })
  await seed(db.prisma)
  const admin = await createKey(db, [...scopes])
  const reader = await createKey(db, ['content:read'])
  const f = new Fixtures(app, admin.headers)
  f.keyId = admin.id
  f.source.id = (await f.call('GET', `/v1/sources/${f.source.slug}`)).id
  const seeded = (await f.call('GET', `/v1/sources/${f.source.slug}/articles?limit=1`)).data as { id: string }[]
  f.article = (await f.call('GET', `/v1/articles/${seeded[0]?.id}`)) as never
  f.revised.id = (await f.newArticle()).id
  f.section = await f.newSection()
  await f.call('PATCH', `/v1/articles/${f.revised.id}`, { summary: 'Edited once.' })
  f.teaser = ((await f.call('GET', `/v1/collections/${f.collection}/teasers`)).data as { id: string }[])[0]?.id ?? ''
  f.webhook = await f.newWebhook()
  f.delivery = (await f.call('POST', `/v1/webhooks/${f.webhook}/test`)).id
  const image = await makeImage({ width: 400, height: 300 })
  f.media = (await insertMedia(db, createFsStorage(env.MEDIA_DIR), image)).id
  return { app, fixtures: f, reader: reader.headers }
}

type Entry = (f: Fixtures, example: Record<string, unknown>) => Case | Promise<Case>

/** A valid request for every operation, by operationId. */
export const table: Record<string, Entry> = {
  getLiveness: () => ({}),
  getReadiness: () => ({}),
  getMetrics: () => ({ changesEveryCall: true }),

  listSources: () => ({ query: { kind: 'publisher', sort: '-name' } }),
  createSource: (f, example) => ({ body: { ...example, name: f.unique('Conformance Press') } }),
  getSource: (f) => ({ params: [f.source.slug] }),
  updateSource: (f) => ({ params: [f.source.id] }),
  deleteSource: async (f) => ({ params: [(await f.newSource()).id] }),

  listPeople: (f) => ({ query: { affiliation: f.source.slug, q: 'conformance', sort: '-createdAt' } }),
  createPerson: (f, example) => ({ body: { ...example, name: f.unique('Conformance Person') } }),
  getPerson: async (f) => ({ params: [(await f.newPerson()).slug as string] }),
  updatePerson: async (f) => ({ params: [(await f.newPerson()).id] }),
  deletePerson: async (f) => ({ params: [(await f.newPerson()).id] }),
  // A multipart body: the test sends it as given (its `invalid body` variant is for JSON bodies).
  uploadMedia: (f) => f.newUpload(),
  listMedia: () => ({ query: { q: 'conformance', mimeType: 'image/png', sort: 'createdAt' } }),
  getMedia: async (f) => ({ params: [await f.newMedia()] }),
  updateMedia: async (f) => ({ params: [await f.newMedia()], headers: { 'if-match': '"v1"' } }),
  deleteMedia: async (f) => ({ params: [await f.newMedia()] }),

  listArticles: () => ({ query: { include: 'source,credits,tags', count: 'true' } }),
  createArticle: (f, example) => ({ body: { ...example, headline: f.unique('Conformance headline') } }),
  listSourceArticles: (f) => ({ params: [f.source.slug], query: { status: 'published' } }),
  listPersonArticles: (f) => ({ params: [f.person], query: { include: 'contributors,sections' } }),
  listArticleDeletions: () => ({ query: { since: '2020-01-01T00:00:00.000Z' } }),
  getArticle: (f) => ({ params: [f.article.slug], query: { include: 'source,credits,contributors,sections,tags' } }),
  listRelatedArticles: () => ({
    params: ['azerbaijan-192-troops-killed-511-wounded-in-offensive'],
    query: { limit: '3', include: 'source,credits,contributors,sections,tags' },
  }),
  getArticleRights: (f) => ({ params: [f.article.slug] }),
  updateArticle: async (f) => ({ params: [(await f.newArticle()).id] }),
  deleteArticle: async (f) => {
    const article = await f.newArticle()
    return { params: [article.id], headers: { 'if-match': `"v${article.version}"` } }
  },
  publishArticle: async (f) => ({ params: [(await f.newArticle()).id], body: {} }),
  unpublishArticle: async (f) => ({ params: [(await f.newArticle(true)).id] }),
  archiveArticle: async (f) => ({ params: [(await f.newArticle(true)).id] }),
  killArticle: async (f) => ({ params: [(await f.newArticle(true)).id] }),
  getSitemapIndex: () => ({}),
  getNewsSitemap: () => ({}),
  getSectionSitemap: () => ({}),
  getPeopleSitemap: () => ({}),
  getArticleSitemap: (f) => ({
    params: [`${String((f.article as { publishedAt?: string }).publishedAt).slice(0, 7)}.xml`],
  }),
  listCorrections: () => ({ query: { kind: 'correction', since: '2020-01-01T00:00:00.000Z' } }),
  listArticleRevisions: (f) => ({ params: [f.revised.id] }),
  getArticleRevision: (f) => ({ params: [f.revised.id, 1] }),
  restoreArticleRevision: async (f) => {
    const article = await f.newArticle()
    await f.call('PATCH', `/v1/articles/${article.id}`, { summary: 'Edited.' })
    return { params: [article.id, 1] }
  },

  createPreviewLink: (f) => ({ params: [f.revised.id], body: { expiresIn: 3600, pinVersion: 1 } }),
  listPreviewLinks: (f) => ({ params: [f.revised.id] }),
  getPreviewLink: async (f) => ({ params: [(await f.newPreviewLink()).id] }),
  revokePreviewLink: async (f) => ({ params: [(await f.newPreviewLink()).id] }),
  openPreview: async (f) => ({ params: [(await f.newPreviewLink()).token] }),

  listTags: () => ({ query: { type: 'place', q: 'ir' } }),
  createTag: (f, example) => ({ body: { ...example, slug: f.unique('conformance-tag') } }),
  getTag: () => ({ params: ['iraq'] }),
  updateTag: async (f) => ({ params: [await f.newTag()] }),
  deleteTag: async (f) => ({ params: [await f.newTag()] }),
  mergeTag: async (f) => ({ params: [await f.newTag()], body: { into: 'iraq' } }),

  listSections: (f) => ({ query: { parent: f.section.path } }),
  createSection: (f, example) => ({
    body: { ...example, name: f.unique('Conformance section'), parent: f.section.path },
  }),
  getSection: (f) => ({ params: [f.section.path] }),
  updateSection: async (f) => ({ params: [(await f.newSection()).path] }),
  deleteSection: async (f) => ({ params: [(await f.newSection()).id] }),

  listCollections: () => ({}),
  createCollection: (f, example) => ({ body: { ...example, key: f.unique('conformance') } }),
  getCollection: (f) => ({ params: [f.collection] }),
  updateCollection: async (f) => ({ params: [await f.newCollection()] }),
  deleteCollection: async (f) => ({ params: [await f.newCollection()] }),
  listCollectionTeasers: (f) => ({ params: [f.collection] }),

  getArticlesFeedRss: () => ({ query: { tag: 'iraq', content: 'full' } }),
  getArticlesFeedAtom: () => ({ query: { limit: '10' } }),
  getArticlesFeedJson: () => ({ query: { content: 'full' } }),
  getCollectionFeedRss: (f) => ({ params: [f.collection] }),
  getCollectionFeedAtom: (f) => ({ params: [f.collection] }),
  getCollectionFeedJson: (f) => ({ params: [f.collection], query: { content: 'full' } }),
  addTeaser: async (f, example) => ({
    params: [await f.newCollection()],
    body: { ...example, url: undefined, articleId: f.article.id },
  }),
  reorderTeasers: async (f) => {
    const key = await f.newCollection()
    const first = await f.newTeaser(key)
    const second = await f.newTeaser(key)
    return { params: [key], body: { teaserIds: [second, first] } }
  },
  listCollectionHistory: (f) => ({ params: [f.collection] }),
  getTeaser: (f) => ({ params: [f.teaser] }),
  updateTeaser: async (f) => ({ params: [await f.newTeaser()] }),
  deleteTeaser: async (f) => ({ params: [await f.newTeaser()] }),

  createApiKey: () => ({}),
  listApiKeys: () => ({}),
  getApiKey: (f) => ({ params: [f.keyId] }),
  updateApiKey: async (f) => ({ params: [await f.newKey()] }),
  revokeApiKey: async (f) => ({ params: [await f.newKey()] }),

  listAuditEntries: () => ({ query: { resourceType: 'article' } }),
  listChanges: () => ({ query: { resource: 'article' } }),

  listWebhooks: () => ({}),
  createWebhook: () => ({}),
  getWebhook: (f) => ({ params: [f.webhook] }),
  updateWebhook: async (f) => ({ params: [await f.newWebhook()] }),
  deleteWebhook: async (f) => ({ params: [await f.newWebhook()] }),
  rotateWebhookSecret: async (f) => ({ params: [await f.newWebhook()] }),
  testWebhook: (f) => ({ params: [f.webhook] }),
  listWebhookDeliveries: (f) => ({ params: [f.webhook] }),
  getWebhookDelivery: (f) => ({ params: [f.webhook, f.delivery] }),
  redeliverWebhookDelivery: (f) => ({ params: [f.webhook, f.delivery] }),

  getMediaRendition: (f) => ({ params: [f.media, 'w320.webp'], invalidStatus: 404 }),
  getMediaOriginal: (f) => ({ params: [f.media] }),
}
