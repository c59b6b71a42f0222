// What a preview link must withstand: guessed and malformed tokens, out-of-range input, floods,
// and the token reaching the database, the audit log or the server log.
import { createHash, randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import {
  assertProblem,
  createKey,
  createTestDatabase,
  freshIp,
  json,
  type Problem,
  pointers,
  testClock,
} from '../helper.js'
import { client, env } from './articles.helpers.js'
import { assertPreviewHeaders, type CreatedLink, setup } from './previews.helpers.js'

const randomToken = () => `ndp_${randomBytes(32).toString('base64url')}`

test('guessed, expired, revoked and deleted tokens get one and the same answer', async (t) => {
  const clock = testClock()
  const { articles, link, open, revoke } = await setup(t, { clock })
  const draft = await articles.draft({ headline: 'Guess me' })
  const doomed = await articles.draft({ headline: 'Deleted' })
  const expired = await link(draft.id, { expiresIn: 60 })
  const revoked = await link(draft.id, { expiresIn: 600 })
  const deleted = await link(doomed.id, { expiresIn: 600 })
  await revoke(revoked.id)
  await articles.remove(doomed.id)
  clock.advance(61_000)

  const answers: Problem[] = []
  for (const token of [randomToken(), randomToken(), expired.token, revoked.token, deleted.token]) {
    const res = await open(token)
    answers.push(assertProblem(t, res, 404, 'ND_NOT_FOUND'))
    assertPreviewHeaders(t, res, 'a 404')
    t.notMatch(res.body, /Guess me|Deleted|"draft"/, 'nothing of the article')
  }
  const constant = (p: Problem) => ({ ...p, requestId: undefined, instance: undefined })
  for (const answer of answers.slice(1)) t.same(constant(answer), constant(answers[0] as Problem), 'the same body')
})

test('malformed tokens are a 400 or a 404 problem, never a 500', async (t) => {
  const { open, app } = await setup(t)
  const cases = [
    '',
    'x',
    'ndp_',
    `ndp_${'A'.repeat(42)}`,
    `ndp_${'A'.repeat(44)}`,
    `nd_${'A'.repeat(43)}`,
    'A'.repeat(5000),
    "ndp_' OR '1'='1' --",
    'ndp_%27%3B%20DROP%20TABLE%20preview_links%3B--',
    '..%2F..%2Fetc%2Fpasswd',
    '../../etc/passwd', // path-check: not a file path
    'ndp_AAAA/../../v1/keys', // path-check: not a file path
    '%00',
    `ndp_%E2%80%AE${'A'.repeat(40)}`,
    '%zz',
    `${randomToken()}?token=${randomToken()}`,
  ]
  for (const token of cases) {
    const res = await open(token)
    const what = JSON.stringify(token.slice(0, 40))
    t.ok([400, 404, 414].includes(res.statusCode), `${what}: ${res.statusCode}`)
    t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: a problem`)
    // A path with dot segments is resolved before it is routed: it no longer names a preview.
    const resolvedAway = token.includes('../') // path-check: not a file path
    if (!resolvedAway && token !== '%zz') assertPreviewHeaders(t, res, what)
  }
  t.same(pointers(t, await open(`ndp_${'A'.repeat(42)}!`)), ['/token'])
  const head = await app.inject({ method: 'HEAD', url: `/v1/preview/${randomToken()}` })
  t.equal(head.statusCode, 404)
  assertPreviewHeaders(t, head, 'HEAD')
})

test('expiresIn and pinVersion are bounded', async (t) => {
  const { articles, createLink } = await setup(t)
  const draft = await articles.draft({ headline: 'Bounds' })
  const bad: [object, string][] = [
    [{ expiresIn: 59 }, '/expiresIn'],
    [{ expiresIn: 2592001 }, '/expiresIn'],
    [{ expiresIn: 2 ** 31 }, '/expiresIn'],
    [{ expiresIn: -1 }, '/expiresIn'],
    [{ expiresIn: 60.5 }, '/expiresIn'],
    [{ expiresIn: '3600' }, '/expiresIn'],
    [{ expiresIn: null }, '/expiresIn'],
    [{ expiresIn: 600, pinVersion: 0 }, '/pinVersion'],
    [{ expiresIn: 600, pinVersion: 2 ** 31 }, '/pinVersion'],
    [{ expiresIn: 600, pinVersion: '1 OR 1=1' }, '/pinVersion'],
    [{ expiresIn: 600, token: 'ndp_chosen' }, '/token'],
  ]
  for (const [payload, pointer] of bad) {
    const res = await createLink(draft.id, payload)
    t.same(pointers(t, res), [pointer], JSON.stringify(payload))
  }
  t.equal((await createLink(draft.id, { expiresIn: 60 })).statusCode, 201)
  t.equal((await createLink(draft.id, { expiresIn: 2592000 })).statusCode, 201)
  assertProblem(t, await createLink(draft.id, { expiresIn: 600, pinVersion: 99 }), 422, 'ND_REFERENCE_MISSING')
  const listed = await createLink(`${'a'.repeat(201)}`, { expiresIn: 600 })
  t.equal(listed.statusCode, 400, 'an over-long article key')
})

test('each link has a rate limit, and each address one for previews', async (t) => {
  const { app, articles, link, db } = await setup(t, {
    env: { PREVIEW_RATE_LIMIT: '3', RATE_LIMIT_ANONYMOUS_MAX: '8' },
  })
  const openFrom = (token: string, ip = freshIp()) => app.inject({ url: `/v1/preview/${token}`, remoteAddress: ip })
  const draft = await articles.draft({ headline: 'Popular' })
  const busy = await link(draft.id)
  const quiet = await link(draft.id)
  for (let i = 0; i < 3; i++) t.equal((await openFrom(busy.token)).statusCode, 200)
  const limited = await openFrom(busy.token)
  assertProblem(t, limited, 429, 'ND_RATE_LIMITED')
  assertPreviewHeaders(t, limited, '429')
  t.match(String(limited.headers['retry-after']), /^\d+$/)
  t.notMatch(limited.body, /Popular/)
  t.equal((await openFrom(quiet.token)).statusCode, 200, 'another link has its own budget')
  const row = await db.prisma.previewLink.findUniqueOrThrow({ where: { id: busy.id } })
  t.equal(row.uses, 3, 'a refused visit is not a use')

  // Guesses from one address run out of its budget, whatever tokens they try.
  const ip = freshIp()
  const statuses: number[] = []
  for (let i = 0; i < 9; i++) statuses.push((await openFrom(randomToken(), ip)).statusCode)
  t.same(statuses, [404, 404, 404, 404, 404, 404, 404, 404, 429])
  const refused = await openFrom(quiet.token, ip)
  t.equal(refused.statusCode, 429, 'even with a good token')
  assertPreviewHeaders(t, refused, 'per-address 429')
  t.match(app.rateLimitRejections(), { 'preview-link': 1, 'preview-address': 2 }, 'refusals by budget (metrics)')
})

test('the token is stored hashed and reaches neither the audit log nor the server log', async (t) => {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const database = await createTestDatabase(t)
  const app = await buildApp({
    config: loadConfig({ ...env, LOG_LEVEL: 'info' }),
    db: database.db,
    logger: { level: 'info', stream },
  })
  t.teardown(() => app.close())
  await app.ready()
  const writer = await createKey(database.db, ['content:write'])
  const articles = client(app, writer.headers)
  const draft = await articles.draft({ headline: 'Secret draft' })
  const res = await app.inject({
    method: 'POST',
    url: `/v1/articles/${draft.id}/preview-links`,
    headers: writer.headers,
    payload: { expiresIn: 600 },
  })
  const created = json<CreatedLink>(res)
  t.equal((await app.inject({ url: `/v1/preview/${created.token}` })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/preview/${created.token}x` })).statusCode, 400)
  t.equal((await app.inject({ url: `/v1/preview/${created.token}/more` })).statusCode, 404)
  t.equal((await app.inject({ url: `/v1/preview/${created.token}%zz` })).statusCode, 400, 'a bad escape')
  t.equal((await app.inject({ url: `/v1/preview/${created.token}?x=${'y'.repeat(5000)}` })).statusCode, 414)
  await app.inject({ method: 'DELETE', url: `/v1/preview-links/${created.id}`, headers: writer.headers })
  t.equal((await app.inject({ url: `/v1/preview/${created.token}` })).statusCode, 404)

  const secret = created.token.slice(4)
  const rows = await database.db.prisma.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM preview_links')
  t.equal(rows.length, 1)
  t.notMatch(JSON.stringify(rows), secret, 'the token is not in the table')
  t.equal(rows[0]?.token_hash, createHash('sha256').update(created.token).digest('hex'), 'its SHA-256 is')

  const audit = await database.db.prisma.auditEntry.findMany({
    where: { resourceType: 'preview-link' },
    orderBy: { at: 'asc' },
  })
  t.same(
    audit.map((a) => [a.action, a.resourceId, a.keyId]),
    [
      ['create', created.id, writer.id],
      ['view', created.id, null],
      ['revoke', created.id, writer.id],
    ],
    'creation, the visit and revocation, by link id (the visit is anonymous)',
  )
  t.notMatch(JSON.stringify(audit), secret)

  const logged = lines.join('')
  t.match(logged, /\/v1\/preview\/\[redacted\]/, 'the access log names previews')
  t.notMatch(logged, secret, 'the log never has the token')
})
