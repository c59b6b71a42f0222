// Baseline (1), the HTTP ceiling: bare Fastify 5 with one route and no plugins, answering every
// GET /v1/articles with the API's real first page, byte for byte, as a pre-serialised string.
// Whatever the API does beyond moving those bytes (auth, rate limits, headers, logging, the
// database, serialisation) is the distance to this.
//   node dist/bench/baseline-static.js --port <port> --body <file with the response body>
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import Fastify from 'fastify'

const { values } = parseArgs({ options: { port: { type: 'string' }, body: { type: 'string' } } })
if (!values.port || !values.body) {
  process.stderr.write('Usage: baseline-static.js --port <port> --body <file>\n')
  process.exit(1)
}
const body = readFileSync(values.body, 'utf8')

const app = Fastify()
app.get('/v1/articles', (_request, reply) => {
  reply.header('content-type', 'application/json; charset=utf-8').send(body)
})
await app.listen({ host: '127.0.0.1', port: Number(values.port) })
