// Baseline (stack), the middleware floor: bare Fastify 5 with the production stack the API runs
// — its configuration read from the same environment (loadConfig), a JSON access log line per
// request through the API's logger (src/logging.ts; stdout: /dev/null in the benchmark), request ids, @fastify/rate-limit with
// the API's budgets and options, the API's own security and CORS headers (src/http/security.ts)
// and problem handler — answering GET /v1/articles with the bytes baseline-static serves (the
// API's real first page). Its distance to baseline-static is what the middleware costs; the API's
// distance to it is what Newsdesk's own code costs.
//   node dist/bench/baseline-stack.js --port <port> --body <file with the response body>
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import rateLimit from '@fastify/rate-limit'
import Fastify, { LogController } from 'fastify'
import { loadConfig } from '../src/config.js'
import problem from '../src/http/problem.js'
import security, { createBrowserHeaders } from '../src/http/security.js'
import { createLogger } from '../src/logging.js'

const { values } = parseArgs({ options: { port: { type: 'string' }, body: { type: 'string' } } })
if (!values.port || !values.body) {
  process.stderr.write('Usage: baseline-stack.js --port <port> --body <file>\n')
  process.exit(1)
}
const body = readFileSync(values.body, 'utf8')
const config = loadConfig()

const app = Fastify({
  loggerInstance: createLogger(config),
  keepAliveTimeout: config.keepAliveTimeoutMs,
  requestTimeout: config.requestTimeoutMs,
  connectionTimeout: config.requestTimeoutMs,
  genReqId: () => randomUUID(),
  requestIdHeader: false,
  logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
})
app.addHook('onRequest', async (request, reply) => {
  reply.header('x-request-id', request.id)
})
// The API's access log line (src/app.ts).
app.addHook('onResponse', async (request, reply) => {
  request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
})
await app.register(problem)
await app.register(security, { headers: createBrowserHeaders(config.corsOrigins) })
// As src/http/rate-limit.ts registers it for an anonymous reader (in memory: no REDIS_URL).
await app.register(rateLimit, {
  global: true,
  hook: 'onRequest',
  timeWindow: config.rateLimit.windowMs,
  keyGenerator: (request) => `ip:${request.ip}`,
  max: async () => config.rateLimit.anonymousMax,
  enableDraftSpec: true,
  skipOnError: true,
})
app.get('/v1/articles', (_request, reply) => {
  reply.header('content-type', 'application/json; charset=utf-8').send(body)
})
await app.listen({ host: '127.0.0.1', port: Number(values.port) })
