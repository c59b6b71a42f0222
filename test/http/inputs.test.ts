// Input values are held to what their columns and PostgreSQL accept, so none reaches the
// database as a bad parameter (a 500): date-times, search queries, numbers, cursors, URLs, slugs,
// and the public URL that absolute links are built on.
import t, { type Test } from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { translateDatabaseError } from '../../src/db/errors.js'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { assertProblem, build, createKey, json, type Page, type Res } from '../helper.js'
import { env } from '../modules/articles.helpers.js'

const { app, db } = await build(t, { env })
const admin = (await createKey(db, ['content:read', 'content:preview', 'content:write', 'keys:manage'])).headers

/** The pointers a 400 validation problem names. */
function rejected(t: Test, res: Res, label: string): string[] {
  const problem = assertProblem(t, res, 400, 'ND_VALIDATION_FAILED')
  t.ok(problem.errors?.length, `${label}: the fields are listed`)
  return (problem.errors ?? []).map((e) => `${e.in} ${e.pointer}`)
}

async function post<T = Record<string, unknown>>(url: string, payload: object): Promise<T> {
  const res = await app.inject({ method: 'POST', url, headers: admin, payload })
  if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
  return json<T>(res)
}

const first = await post<Article>('/v1/articles', { headline: 'First article', body: 'Hello' })
const second = await post<Article>('/v1/articles', { headline: 'Second article', body: 'Hello' })
await post('/v1/collections', { key: 'top-stories', title: 'Top stories' })

t.test('date-times: RFC 3339, years 1000-9999, no leap second', async (t) => {
  const bad = [
    '0000-01-01T00:00:00Z',
    '0999-12-31T23:59:59Z',
    '2016-12-31T23:59:60Z',
    '9999-12-31T23:59:59-01:00',
    '+275760-09-13T00:00:00.000Z',
    '2026-02-30T09:00:00Z',
    '2026-11-26T24:00:00Z',
    '2026-11-26 09:00:00Z',
    '2026-11-26T09:00:00+0100',
    '2026-11-26T09:00:00',
    '2026-11-26',
  ]
  const queries: [string, string][] = [
    ['/v1/articles', 'publishedAfter'],
    ['/v1/articles', 'publishedBefore'],
    ['/v1/articles/deletions', 'since'],
    ['/v1/audit', 'since'],
    ['/v1/audit', 'until'],
    ['/v1/collections/top-stories/teasers', 'at'],
  ]
  const bodies: [string, (value: string) => object, string][] = [
    [`/v1/articles/${first.id}/publish`, (v) => ({ publishAt: v }), '/publishAt'],
    [
      '/v1/collections/top-stories/teasers',
      (v) => ({ text: 'T', url: 'https://a.example/', startsAt: v }),
      '/startsAt',
    ],
    ['/v1/collections/top-stories/teasers', (v) => ({ text: 'T', url: 'https://a.example/', endsAt: v }), '/endsAt'],
    ['/v1/keys', (v) => ({ name: 'K', scopes: ['content:read'], expiresAt: v }), '/expiresAt'],
  ]
  for (const value of bad) {
    for (const [url, name] of queries) {
      const res = await app.inject({ url, query: { [name]: value }, headers: admin })
      t.same(rejected(t, res, `${url} ${name}=${value}`), [`query /${name}`], `${url}?${name}=${value}`)
    }
    for (const [url, payload, pointer] of bodies) {
      const res = await app.inject({ method: 'POST', url, headers: admin, payload: payload(value) })
      t.same(rejected(t, res, `${url} ${value}`), [`body ${pointer}`], `${url} ${pointer} ${value}`)
    }
  }
  for (const value of ['1000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-11-26t09:00:00.123456789+05:30']) {
    for (const [url, name] of queries) {
      const res = await app.inject({ url, query: { [name]: value }, headers: admin })
      t.equal(res.statusCode, 200, `${url}?${name}=${value} is accepted`)
    }
  }
  const far = await app.inject({
    method: 'POST',
    url: `/v1/articles/${second.id}/publish`,
    headers: admin,
    payload: { publishAt: '9999-12-31T23:59:59Z' },
  })
  t.equal(far.statusCode, 200, 'the latest accepted instant is stored')
  t.equal(json<Article>(far).publishedAt, '9999-12-31T23:59:59.000Z', 'and written back in RFC 3339')
})

t.test('search: bounded in the schema, and a query PostgreSQL cannot parse is a 400', async (t) => {
  for (const q of ['-'.repeat(60), '- '.repeat(40), `${'-'.repeat(17)}word`, 'word '.repeat(33).trim()]) {
    const res = await app.inject({ url: '/v1/articles', query: { q } })
    t.same(rejected(t, res, q), ['query /q'], `q=${q.slice(0, 30)}…`)
  }
  for (const q of [`${'-'.repeat(16)}word`, 'word '.repeat(32).trim(), 'al-Assad so-called "a phrase" or -not']) {
    const res = await app.inject({ url: '/v1/articles', query: { q, sort: 'relevance' } })
    t.equal(res.statusCode, 200, `q=${q.slice(0, 30)}… is accepted`)
  }
  // What slips past the schema still never reaches a client as a 500.
  const cases: [string, () => Promise<unknown>][] = [
    [
      'tsquery stack too small (XX000)',
      () => db.prisma.$queryRaw`SELECT websearch_to_tsquery('simple', repeat('-', 60))`,
    ],
    ['integer out of range (22003)', () => db.prisma.$queryRaw`SELECT 99999999999::int4`],
    ['date-time out of range (22008)', () => db.prisma.$queryRaw`SELECT make_timestamptz(0, 1, 1, 0, 0, 0, 'UTC')`],
    [
      'time zone out of range (22009)',
      () => db.prisma.$queryRaw`SELECT ${'-271821-04-20 00:00:00'}::text::timestamptz`,
    ],
  ]
  for (const [label, query] of cases) {
    const err = await query().then(
      () => undefined,
      (e: unknown) => e,
    )
    t.match(translateDatabaseError(err), { code: 'ND_VALIDATION_FAILED', statusCode: 400 }, label)
  }
})

t.test('numbers beyond a PostgreSQL integer are a 400', async (t) => {
  for (const version of ['99999999999', '2147483648', '1e308', '-0', 'NaN']) {
    const res = await app.inject({ url: `/v1/articles/${first.id}/revisions/${version}`, headers: admin })
    t.same(rejected(t, res, version), ['path /version'], `revision ${version}`)
    const restore = await app.inject({
      method: 'POST',
      url: `/v1/articles/${first.id}/revisions/${version}/restore`,
      headers: admin,
    })
    t.same(rejected(t, restore, version), ['path /version'], `restore ${version}`)
  }
  const largest = await app.inject({ url: `/v1/articles/${first.id}/revisions/2147483647`, headers: admin })
  assertProblem(t, largest, 404, 'ND_NOT_FOUND')
})

function forge(cursor: string, value: unknown): string {
  const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { s: string; v: unknown[] }
  return Buffer.from(JSON.stringify({ ...payload, v: [value, ...payload.v.slice(1)] })).toString('base64url')
}

/** Forged first values of a real cursor of the list: each must be a 400 ND_INVALID_CURSOR. */
async function forgedCursors(t: Test, url: string, values: unknown[]) {
  const page = await app.inject({ url: `${url}${url.includes('?') ? '&' : '?'}limit=1`, headers: admin })
  const cursor = json<Page<unknown>>(page).page.nextCursor
  t.type(cursor, 'string', `${url} has a second page`)
  for (const value of values) {
    const res = await app.inject({ url, query: { cursor: forge(String(cursor), value) }, headers: admin })
    t.comment(`${url} with ${JSON.stringify(value)}`)
    assertProblem(t, res, 400, 'ND_INVALID_CURSOR')
  }
}

const outOfRange = ['0000-01-01T00:00:00.000Z', '2016-12-31T23:59:60Z', '+275760-09-13T00:00:00.000Z', 1e308, '1e400']

t.test('cursors: values out of their column range are a 400', async (t) => {
  await post('/v1/sources', { name: 'Source one', kind: 'agency' })
  await post('/v1/sources', { name: 'Source two', kind: 'agency' })
  for (const title of ['Deleted one', 'Deleted two']) {
    const doomed = await post<Article>('/v1/articles', { headline: title })
    await app.inject({ method: 'DELETE', url: `/v1/articles/${doomed.id}`, headers: admin })
  }
  for (const url of [
    '/v1/articles?sort=-updatedAt',
    '/v1/sources?sort=-createdAt',
    '/v1/keys',
    '/v1/audit',
    '/v1/articles/deletions',
  ]) {
    await forgedCursors(t, url, outOfRange)
  }
  // Lists whose first cursor value the articles service decodes itself (as text).
  await forgedCursors(t, '/v1/articles', outOfRange)
  await forgedCursors(t, '/v1/articles?q=article&sort=relevance', ['1e308', 1e308, '-1e39', '1e400'])
  await app.inject({ method: 'PATCH', url: `/v1/articles/${first.id}`, headers: admin, payload: { body: 'Again' } })
  await forgedCursors(t, `/v1/articles/${first.id}/revisions`, ['1e400', '99999999999', 99999999999])
})

t.test('URLs: absolute http(s) with a host, no user info', async (t) => {
  const bad = ['http://', 'http:///x', 'https://', 'https://user:secret@a.example/', 'http://:80/', 'ftp://a.example/']
  const targets: [string, (url: string) => object, string][] = [
    ['/v1/sources', (u) => ({ name: 'S', kind: 'agency', homepageUrl: u }), '/homepageUrl'],
    ['/v1/articles', (u) => ({ headline: 'H', canonicalUrl: u }), '/canonicalUrl'],
    ['/v1/articles', (u) => ({ headline: 'H', leadImage: { url: u } }), '/leadImage/url'],
    ['/v1/collections/top-stories/teasers', (u) => ({ text: 'T', url: u }), '/url'],
    [
      '/v1/collections/top-stories/teasers',
      (u) => ({ text: 'T', articleId: first.id, image: { url: u } }),
      '/image/url',
    ],
  ]
  for (const [url, payload, pointer] of targets) {
    for (const value of bad) {
      const res = await app.inject({ method: 'POST', url, headers: admin, payload: payload(value) })
      t.ok(rejected(t, res, value).includes(`body ${pointer}`), `${url} ${pointer}=${value}`)
    }
    const good = await app.inject({
      method: 'POST',
      url,
      headers: admin,
      payload: payload('https://news.example:8443/a/b?c=d#e'),
    })
    t.equal(good.statusCode, 201, `${url} ${pointer} takes an absolute URL`)
  }
})

t.test('slugs are never shaped like a UUID', async (t) => {
  const cases: [string, string, object, string][] = [
    ['POST', '/v1/articles', { headline: 'H', slug: second.id }, '/slug'],
    ['PATCH', `/v1/articles/${first.id}`, { slug: second.id }, '/slug'],
    ['POST', '/v1/articles', { headline: 'H', tags: [second.id] }, '/tags/0'],
    ['POST', '/v1/sources', { name: 'S', kind: 'agency', slug: first.id }, '/slug'],
    ['POST', '/v1/collections', { key: first.id, title: 'C' }, '/key'],
  ]
  for (const [method, url, payload, pointer] of cases) {
    const res = await app.inject({ method: method as 'POST', url, headers: admin, payload })
    t.same(rejected(t, res, url), [`body ${pointer}`], `${method} ${url} ${pointer}`)
  }
  const bySlug = await app.inject({ url: `/v1/articles/${second.slug}` })
  t.equal(bySlug.statusCode, 404, 'drafts stay hidden')
  const stillTheirs = await app.inject({ url: `/v1/articles/${second.id}`, headers: admin })
  t.equal(json<Article>(stillTheirs).id, second.id, 'the id still names its own article')
})

t.test('URLs Fastify refuses before routing are problems; 200-character slugs are reachable', async (t) => {
  for (const url of ['/v1/articles/%ZZ', '/v1/sources/%C0%AF', '/v1/nothing/%']) {
    assertProblem(t, await app.inject({ url }), 400, 'ND_BAD_URL')
  }
  // Up to the router's limit (256) a long segment is the schema's 400; past it, the router's 414.
  assertProblem(t, await app.inject({ url: `/v1/sources/${'b'.repeat(201)}` }), 400, 'ND_VALIDATION_FAILED')
  assertProblem(t, await app.inject({ url: `/v1/sources/${'b'.repeat(257)}` }), 414, 'ND_URI_TOO_LONG')
  const slug = 'a'.repeat(200)
  await post('/v1/articles', { headline: 'Long slug', slug })
  const res = await app.inject({ url: `/v1/articles/${slug}`, headers: admin })
  t.equal(res.statusCode, 200, 'an article is read by its longest slug')
})

t.test('deeply nested JSON is refused, not a stack overflow', async (t) => {
  for (const payload of [
    `${'['.repeat(100000)}${']'.repeat(100000)}`,
    `${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}`,
  ]) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: { ...admin, 'content-type': 'application/json' },
      payload,
    })
    assertProblem(t, res, 400, 'ND_JSON_TOO_DEEP')
  }
  const nested = {
    headline: 'H',
    bylines: ['ok', 'a\u0000b'],
    leadImage: { url: 'https://a.example/', caption: '\u0000' },
  }
  const res = await app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: nested })
  t.same(rejected(t, res, 'NUL'), ['body /bylines/1', 'body /leadImage/caption'], 'every NUL, in document order')
})

t.test('PUBLIC_URL: an absolute http(s) base URL', async (t) => {
  t.equal(loadConfig({}).publicUrl, undefined, 'unset by default')
  const read = (value: string) => loadConfig({ PUBLIC_URL: value }).publicUrl
  t.equal(read('https://api.news.example'), 'https://api.news.example')
  t.equal(read('https://api.news.example/'), 'https://api.news.example', 'no trailing slash')
  t.equal(read('http://news.example:8080/api/'), 'http://news.example:8080/api', 'a path is kept')
  for (const value of [
    'api.news.example',
    'ftp://a.example',
    'http://',
    'http:///x',
    'https://u:p@a.example',
    'https://a.example/?x',
    'https://a.example/#x',
  ]) {
    const err = (() => {
      try {
        read(value)
      } catch (e) {
        return e
      }
    })()
    t.ok(err instanceof ConfigError && err.variable === 'PUBLIC_URL', `${value} is refused`)
  }
})
