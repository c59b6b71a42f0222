// The access log goes through a buffered, asynchronous destination (src/logging.ts): lines must
// still reach it within a second on a quiet server, and every line by the time the app has closed.
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pino } from 'pino'
import { test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { bufferedDestination } from '../../src/logging.js'
import { createTestDatabase, mediaDir } from '../helper.js'

const read = (file: string) => readFile(file, 'utf8').catch(() => '')

test("the last request's access line is written when the app closes", async (t) => {
  const { db } = await createTestDatabase(t)
  const file = join(t.testdirName, 'access.log')
  t.testdir({})
  const loggerInstance = pino({ level: 'info' }, bufferedDestination(file))
  const app = await buildApp({ config: loadConfig({ MEDIA_DIR: await mediaDir(t) }), db, loggerInstance })
  await app.ready()

  await app.inject({ url: '/health/live', headers: { 'x-request-id': 'first-request' } })
  // Read in the same tick as the line is logged: the periodic flush (every second since the
  // destination opened) cannot run in between, as it could around an await.
  loggerInstance.info({ requestId: 'probe' }, 'request completed')
  t.notMatch(readFileSync(file, { encoding: 'utf8', flag: 'a+' }), /"probe"/, 'buffered: not written at once')
  let waited = 0
  while (!/first-request/.test(await read(file)) && waited < 3000) {
    await sleep(50)
    waited += 50
  }
  t.ok(waited <= 1500, `a lone line is written within a second or so (${waited} ms)`)

  const res = await app.inject({ url: '/v1/sources', headers: { 'x-request-id': 'last-request' } })
  t.equal(res.statusCode, 200)
  await app.close()
  const lines = (await read(file))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  const last = lines.find((line) => line.requestId === 'last-request')
  t.ok(last, 'the last request is logged once the app has closed')
  t.equal(last?.msg, 'request completed')
  t.match(last, { req: { method: 'GET', url: '/v1/sources' }, res: { statusCode: 200 } })
})
