// Every operation of the generated OpenAPI spec, driven with generated input: valid requests,
// requests with one value broken, hostile strings and numbers, forged cursors, deep JSON, garbage
// headers; half with a key holding every scope, half anonymous. Whatever the input: never a 5xx,
// every 4xx a well-formed problem (HEAD: its headers, no body), and the server still answers afterwards. A new route is fuzzed
// without editing this file. FUZZ_RUNS (cases per operation), FUZZ_SEED, FUZZ_OP and FUZZ_PATH
// (to replay one failure) are described in the README's Tests section.
import { Writable } from 'node:stream'
import fc from 'fast-check'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createKey, createTestDatabase, json } from '../helper.js'
import { authorizationValues, headerText, ifMatchValues, type JsonSchema, type Known } from './arbitraries.js'
import { describeRequest, type Operation, requestFor } from './requests.js'

const seed = Number(process.env.FUZZ_SEED ?? 20261129)
const numRuns = Number(process.env.FUZZ_RUNS ?? 100)
const onlyOperation = process.env.FUZZ_OP
const replayPath = process.env.FUZZ_PATH

// Server errors are logged with their stack: kept to explain a 5xx.
const logLines: string[] = []
const stream = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk))
    if (logLines.length > 100) logLines.shift()
    done()
  },
})
const database = await createTestDatabase(t)
const config = loadConfig({
  LOG_LEVEL: 'error',
  RATE_LIMIT_MAX: '1000000',
  RATE_LIMIT_ANONYMOUS_MAX: '1000000',
  // Half the cases send a broken key: the failure budget would answer every later case 429.
  AUTH_FAILURE_MAX: '1000000',
  // Deliveries of test events would go to the generated URLs: the worker stays off.
  WEBHOOK_WORKER: 'false',
})
// Webhook URLs resolve to a public documentation address: generated requests never reach DNS.
const resolveHost = async () => [{ address: '93.184.216.34', family: 4 }]
const app = await buildApp({ config, db: database.db, logger: { level: 'error', stream }, resolveHost })
t.teardown(() => app.close())
await app.ready()
const admin = await createKey(database.db, [
  'content:read',
  'content:preview',
  'content:write',
  'keys:manage',
  'webhooks:manage',
  'metrics:read',
])
const known = await createRecords()

/** Records for generated requests to reach: ids and slugs of every kind, revisions, a tombstone. */
async function createRecords(): Promise<Known> {
  const headers = admin.headers
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers, payload })
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    return json<{ id: string; slug?: string; key?: string }>(res)
  }
  const sources = [
    await post('/v1/sources', { name: 'Fuzz Wire', kind: 'agency', homepageUrl: 'https://wire.example/' }),
    await post('/v1/sources', { name: 'Fuzz Daily', kind: 'publisher' }),
  ]
  const articles = []
  for (const n of [1, 2, 3, 4]) {
    const article = await post('/v1/articles', {
      headline: `Fuzz article ${n}`,
      body: `Fuzz body *${n}*`,
      source: sources[1]?.slug,
      credits: [{ source: sources[0]?.slug ?? '' }],
      tags: ['fuzz', `tag-${n}`],
    })
    articles.push(article)
    if (n <= 3) await post(`/v1/articles/${article.id}/publish`, {})
    await app.inject({ method: 'PATCH', url: `/v1/articles/${article.id}`, headers, payload: { summary: 'Again' } })
  }
  for (const n of [5, 6]) {
    const doomed = await post('/v1/articles', { headline: `Fuzz deleted ${n}` })
    await app.inject({ method: 'DELETE', url: `/v1/articles/${doomed.id}`, headers })
  }
  const box = await post('/v1/collections', { key: 'fuzz-box', title: 'Fuzz box', maxItems: 5 })
  const teasers = [
    await post('/v1/collections/fuzz-box/teasers', { text: 'One', articleId: articles[0]?.id }),
    await post('/v1/collections/fuzz-box/teasers', { text: 'Two', url: 'https://news.example/two' }),
  ]
  // A key the fuzzer may revoke or narrow: never the one it writes with.
  const spare = await createKey(database.db, ['content:read'])
  const records = [...sources, ...articles, box, ...teasers]
  return {
    uuids: [...records.map((r) => r.id), spare.id],
    slugs: [...records.flatMap((r) => [r.slug, r.key]).filter((s): s is string => Boolean(s)), 'fuzz', 'tag-1'],
  }
}

interface OpenApi {
  paths: Record<string, Record<string, OpenApiOperation>>
}
interface OpenApiOperation {
  parameters?: { in: string; name: string; required?: boolean; schema: JsonSchema }[]
  requestBody?: { content?: Record<string, { schema: JsonSchema }> }
}

// Reads first and deletions last: the records every operation reaches stay there for longer.
const methodOrder = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

function operations(): Operation[] {
  const spec = app.swagger() as unknown as OpenApi
  const all = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content?.['application/json']?.schema,
    })),
  )
  const rank = (op: Operation) => methodOrder.indexOf(op.method)
  return all.sort((a, b) => rank(a) - rank(b))
}

/** Real next-page cursors of every list, with the request they continue, to forge from. */
async function learnCursors(op: Operation): Promise<{ url: string; cursor: string }[]> {
  const names = new Set(op.parameters.map((p) => p.name))
  if (op.method !== 'GET' || !names.has('cursor')) return []
  const sortSchema = op.parameters.find((p) => p.name === 'sort')?.schema
  const sorts = [undefined, ...(sortSchema?.anyOf?.map((s) => s.const) ?? sortSchema?.enum ?? [])]
  const pathParams = op.parameters.filter((p) => p.in === 'path').map((p) => p.name)
  const candidates = pathParams.length === 0 ? [op.path] : [...known.uuids, ...known.slugs].map((v) => fill(op.path, v))
  const learned: { url: string; cursor: string }[] = []
  for (const path of candidates) {
    for (const sort of sorts) {
      const query = new URLSearchParams({ limit: '1' })
      if (sort !== undefined) query.set('sort', String(sort))
      if (names.has('q') && sort === 'relevance') query.set('q', 'fuzz')
      const url = `${path}?${query}`
      const res = await app.inject({ url, headers: admin.headers })
      const cursor = res.statusCode === 200 ? json<{ page?: { nextCursor?: string } }>(res).page?.nextCursor : null
      if (cursor) learned.push({ url, cursor })
    }
    if (learned.length > 0) break
  }
  return learned
}

function fill(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, encodeURIComponent(value))
}

/** Why a response breaks the contract, or undefined. */
function defect(
  method: string,
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
): string | undefined {
  if (res.statusCode >= 500) return `answered ${res.statusCode}`
  if (method === 'HEAD' && res.body !== '') return 'a HEAD answer with a body'
  if (res.statusCode < 400) return undefined
  if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) return 'a 4xx that is not a problem'
  // HEAD: the headers of the problem GET would send, without it.
  if (method === 'HEAD') return undefined
  let body: Record<string, unknown>
  try {
    body = JSON.parse(res.body) as Record<string, unknown>
  } catch {
    return 'a problem that is not JSON'
  }
  if (body.status !== res.statusCode) return 'problem status differs from the response status'
  for (const field of ['code', 'title', 'detail', 'type'] as const) {
    if (typeof body[field] !== 'string') return `problem without ${field}`
  }
  if (!/^https:\/\/newsdesk\.dev\/problems\//.test(String(body.type))) return 'problem type outside newsdesk.dev'
  if (body.requestId !== res.headers['x-request-id']) return 'problem requestId differs from X-Request-Id'
  if (/at .*\.(ts|js):\d+/.test(res.body)) return 'a stack trace in the body'
  return undefined
}

const context = {
  known,
  authorization: authorizationValues(admin.token),
  adminHeaders: admin.headers,
  ifMatch: ifMatchValues,
  idempotencyKey: fc.oneof({ weight: 2, arbitrary: fc.uuid() }, { weight: 1, arbitrary: headerText }),
}

// Learnt before any write: a deleted record has no next page to forge.
const learnedCursors = new Map<Operation, { url: string; cursor: string }[]>()
for (const op of operations()) learnedCursors.set(op, await learnCursors(op))

for (const [op, learned] of learnedCursors) {
  const name = `${op.method} ${op.path}`
  if (onlyOperation && onlyOperation !== name) continue
  t.test(name, async (t) => {
    // How the cases were answered: a suite whose cases all end in 400 would test only validation.
    const statuses: Record<number, number> = {}
    const property = fc.asyncProperty(requestFor(op, context, learned), async (request) => {
      const { method, url, headers, payload } = request
      const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) })
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
      // As a JSON string: a feed or sitemap body spans lines, and a line of it such as `1..0` or
      // `Bail out!` would be read by tap as its own protocol.
      console.log(describeRequest(request), JSON.stringify(res.body.slice(0, 300)))
      const problem = defect(method, res)
      if (!problem) return
      const id = String(res.headers['x-request-id'])
      const log = logLines.filter((line) => line.includes(id)).join('\n')
      throw new Error(
        `${problem}\n${describeRequest(request)}\nresponse: ${res.body.slice(0, 500)}\nserver log: ${log}`,
      )
    })
    try {
      await fc.assert(property, { seed, numRuns, ...(replayPath ? { path: replayPath } : {}) })
      t.pass(`${numRuns} cases: ${JSON.stringify(statuses)}`)
    } catch (err) {
      const cause = (err as Error).cause instanceof Error ? `\n${((err as Error).cause as Error).message}` : ''
      t.fail(
        `replay: FUZZ_OP='${name}' FUZZ_SEED=${seed} (the path is in the message)\n${(err as Error).message}${cause}`,
      )
    }
  })
}

t.test('the server still answers after the run', async (t) => {
  const res = await app.inject('/health/live')
  t.equal(res.statusCode, 200)
})
