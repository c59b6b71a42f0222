// Tracing in the real process (src/server.ts through tsx), exporting to an OTLP/HTTP receiver this
// test runs on loopback: spans are batched, and the last ones are exported at graceful shutdown.
// Without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry SDK, exporter or instrumentation is loaded
// (the API package alone may be: prom-client uses it, and without an SDK it records nothing), and nothing is exported,
// even with the SDK's own OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set. Each server is preloaded with
// loaded-modules.mjs, which lists the CommonJS modules the process loaded when it exits.
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { type Test, test } from 'tap'
import { createTestDatabase } from '../helper.js'
import { freePort, type Running, ready, startServer, waitFor } from '../processes.js'

const onPostgres = Boolean(process.env.TEST_DATABASE_URL)
const preload = pathToFileURL(join(import.meta.dirname, 'loaded-modules.mjs')).href

interface OtlpValue {
  stringValue?: string
  intValue?: number | string
  boolValue?: boolean
}
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes?: { key: string; value: OtlpValue }[]
}
interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] }
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[]
  }[]
}
interface Exported {
  scope: string
  service: unknown
  span: OtlpSpan
  attributes: Record<string, unknown>
}

const attributeValue = (v: OtlpValue) => v.stringValue ?? (v.intValue === undefined ? v.boolValue : Number(v.intValue))
const attributesOf = (list: { key: string; value: OtlpValue }[] = []) =>
  Object.fromEntries(list.map((a) => [a.key, attributeValue(a.value)]))

/** An OTLP/HTTP receiver: the exporter posts JSON (optionally gzipped) to /v1/traces. */
async function receiver(t: Test) {
  const posts: { path: string; contentType: string }[] = []
  const spans: Exported[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      posts.push({ path: String(req.url), contentType: String(req.headers['content-type']) })
      let body = Buffer.concat(chunks)
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
      const request = JSON.parse(body.toString()) as ExportRequest
      for (const rs of request.resourceSpans) {
        const service = attributesOf(rs.resource.attributes)['service.name']
        for (const ss of rs.scopeSpans) {
          for (const span of ss.spans) {
            spans.push({ scope: ss.scope.name, service, span, attributes: attributesOf(span.attributes) })
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, spans }
}

/** Starts the server, sends one request, stops it with SIGTERM; the modules it had loaded. */
async function oneRequest(t: Test, env: NodeJS.ProcessEnv, requestId: string, before?: () => void) {
  const modulesFile = join(t.testdirName, 'modules.json')
  t.testdir({})
  const database = onPostgres ? { DATABASE_URL: (await createTestDatabase(t)).url } : { DATA_DIR: 'memory://' }
  const server: Running = startServer(
    { ...database, NODE_OPTIONS: `--import=${preload}`, LOADED_MODULES_FILE: modulesFile, ...env },
    await freePort(),
  )
  t.teardown(() => server.child.kill('SIGKILL'))
  await waitFor(() => ready(server) || server.child.exitCode !== null, 'the server to start')
  t.ok(ready(server), `ready ${server.stderr()}`)
  const res = await fetch(`${server.base}/v1/articles`, { headers: { 'x-request-id': requestId } })
  t.equal(res.status, 200)
  await res.arrayBuffer()
  await waitFor(() => server.lines.some((l) => l.requestId === requestId), 'the access-log line')
  before?.()
  server.child.kill('SIGTERM')
  t.same(await server.exited, { code: 0, signal: null }, 'exits cleanly')
  const modules = JSON.parse(await readFile(modulesFile, 'utf8')) as string[]
  const access = server.lines.find((l) => l.requestId === requestId && l.msg === 'request completed')
  const tracingOn = server.lines.some((l) => String(l.msg).startsWith('tracing on'))
  return { modules, access, tracingOn, lines: server.lines }
}

const otel = /[\\/]node_modules[\\/](@opentelemetry|@fastify[\\/]otel)[\\/]/
/** What tracing loads: everything of OpenTelemetry but its API, a no-op facade without an SDK (prom-client loads it). */
const tracingModule = (m: string) => otel.test(m) && !/[\\/]node_modules[\\/]@opentelemetry[\\/]api[\\/]/.test(m)

test('on: the request span and its SQL are exported to the collector, the last ones at shutdown', async (t) => {
  const collector = await receiver(t)
  const { modules, access, lines } = await oneRequest(
    t,
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'newsdesk-export-test',
      // Nothing leaves before shutdown: what the collector gets was flushed by it.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    },
    'export-request-1',
    () => t.equal(collector.posts.length, 0, 'nothing exported before shutdown'),
  )
  t.ok(modules.some(tracingModule), 'the OpenTelemetry SDK and instrumentations were loaded')
  t.ok(
    lines.some((l) => String(l.msg).startsWith('tracing on') && l.endpoint === collector.url),
    'start-up says tracing is on, and where to',
  )
  t.ok(collector.posts.length >= 1, 'exported at shutdown')
  t.ok(
    collector.posts.every((p) => p.path === '/v1/traces' && p.contentType === 'application/json'),
    'OTLP/HTTP JSON on /v1/traces',
  )

  const servers = collector.spans.filter(
    (s) => s.span.kind === 2 && s.attributes['newsdesk.request_id'] === 'export-request-1',
  )
  t.equal(servers.length, 1, 'one SERVER span for the request')
  const server = servers[0] as Exported
  t.equal(server.scope, '@opentelemetry/instrumentation-http')
  t.equal(server.service, 'newsdesk-export-test')
  t.equal(server.span.name, 'GET /v1/articles')
  t.equal(server.attributes['http.route'], '/v1/articles')
  t.equal(access?.traceId, server.span.traceId, 'the access-log line names the trace')

  const trace = collector.spans.filter((s) => s.span.traceId === server.span.traceId)
  const byId = new Map(trace.map((s) => [s.span.spanId, s]))
  const reachesServer = (s: Exported) => {
    let parent = s.span.parentSpanId
    for (let hops = 0; parent && hops < 50; hops++) {
      if (parent === server.span.spanId) return true
      parent = byId.get(parent)?.span.parentSpanId
    }
    return false
  }
  const sql = collector.spans.filter((s) => s.scope === '@opentelemetry/instrumentation-pg')
  if (onPostgres) {
    t.ok(sql.length >= 1, `SQL spans (${sql.length})`)
    for (const s of sql) {
      t.equal(s.span.traceId, server.span.traceId, 'in the request trace')
      t.ok(reachesServer(s), 'below the SERVER span')
      t.match(String(s.attributes['db.query.text']), /^\s*(SELECT|WITH)\b/i, 'with its statement')
      t.notOk('db.postgresql.values' in s.attributes, 'without parameter values')
    }
  } else {
    t.equal(sql.length, 0, 'embedded PGlite: no SQL spans')
  }
})

test('a bad endpoint stops the process with one line naming the variable', async (t) => {
  const server = startServer({ DATA_DIR: 'memory://', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 0)
  t.equal((await server.exited).code, 1)
  t.match(server.stderr().trim(), /^Invalid configuration: OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318" — expected/)
  t.equal(server.stderr().trim().split('\n').length, 1, 'one line')
})

test('off by default: no OpenTelemetry module is loaded and nothing is exported', async (t) => {
  const collector = await receiver(t)
  const { modules, access, tracingOn } = await oneRequest(
    t,
    // The SDK's own variable does not turn tracing on.
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`, OTEL_BSP_SCHEDULE_DELAY: '100' },
    'export-off-1',
  )
  t.ok(
    modules.some((m) => /[\\/]node_modules[\\/]fastify[\\/]/.test(m)),
    'the module list is read',
  )
  t.same(modules.filter(tracingModule), [], 'no OpenTelemetry SDK, exporter or instrumentation')
  t.equal(collector.posts.length, 0, 'nothing exported')
  t.notOk(tracingOn, 'start-up says nothing of tracing')
  t.ok(access && !('traceId' in access), 'no trace id in the access-log line')
})
