// Media uploads refused before any image is read: not multipart, fields at fault, a missing or
// second file, a malformed body, no key or no write scope, and the per-key upload budget.
import { test } from 'tap'
import type { Media } from '../../src/modules/media/media.schemas.js'
import { assertProblem, build, createKey, freshIp, json, pointers } from '../helper.js'
import { image, multipart, spooledLeft, upload } from './media.helpers.js'

test('media uploads: the body must be multipart with one image in `file`', async (t) => {
  const { app, db, auth } = await build(t)
  const asJson = await app.inject({ method: 'POST', url: '/v1/media', headers: auth, payload: { file: 'x' } })
  assertProblem(t, asJson, 415, 'ND_UNSUPPORTED_MEDIA_TYPE')
  const asText = await app.inject({
    method: 'POST',
    url: '/v1/media',
    headers: { ...auth, 'content-type': 'image/jpeg' },
    payload: await image(),
  })
  assertProblem(t, asText, 415, 'ND_UNSUPPORTED_MEDIA_TYPE')

  t.same(pointers(t, await upload(app, auth, undefined, { caption: 'No file' })), ['/file'], 'the file is required')
  const file = await image()
  t.same(pointers(t, await upload(app, auth, file, { zz: '1' })), ['/zz'], 'an unknown field')
  t.same(
    pointers(t, await upload(app, auth, file, { alt: 'a'.repeat(1001), credit: 'c'.repeat(301) })),
    ['/alt', '/credit'],
    'over the column lengths',
  )
  t.same(pointers(t, await upload(app, auth, file, { capturedAt: 'yesterday' })), ['/capturedAt'])
  for (const focalPoint of ['{"x":2,"y":0}', 'not json', '{"x":0.5}', '{"x":0.5,"y":0.5,"z":1}', 'null']) {
    t.same(pointers(t, await upload(app, auth, file, { focalPoint })), ['/focalPoint'], `focalPoint ${focalPoint}`)
  }
  t.same(
    pointers(t, await upload(app, auth, undefined, {}, [{ name: 'photo', file: await image() }])),
    ['/file', '/photo'],
    'a file under another name',
  )
  t.same(pointers(t, await upload(app, auth, undefined, { file: 'text' })), ['/file'], '`file` as text')
  t.same(
    pointers(
      t,
      await upload(app, auth, file, {}, [{ name: 'credit', value: '{"a":1}', contentType: 'application/json' }]),
    ),
    ['/credit'],
    'a text field sent as JSON',
  )
  const asJsonPart = await upload(app, auth, file, {}, [
    { name: 'focalPoint', value: '{"x":0.1,"y":0.9}', contentType: 'application/json' },
  ])
  t.same(json<Media>(asJsonPart).focalPoint, { x: 0.1, y: 0.9 }, 'the focal point as a JSON part')

  const two = multipart([
    { name: 'file', file: await image() },
    { name: 'file', file: await image() },
  ])
  const twice = await app.inject({
    method: 'POST',
    url: '/v1/media',
    headers: { ...auth, 'content-type': two.contentType },
    payload: two.payload,
  })
  assertProblem(t, twice, 413, 'ND_BODY_TOO_LARGE')

  const cut = multipart([{ name: 'file', file: await image() }])
  const truncated = await app.inject({
    method: 'POST',
    url: '/v1/media',
    headers: { ...auth, 'content-type': cut.contentType },
    payload: cut.payload.subarray(0, cut.payload.length - 40),
  })
  t.equal(truncated.statusCode, 400, 'a body cut short')
  const noBoundary = await app.inject({
    method: 'POST',
    url: '/v1/media',
    headers: { ...auth, 'content-type': 'multipart/form-data' },
    payload: 'whatever',
  })
  t.equal(noBoundary.statusCode, 400, 'no boundary')
  const badJsonPart = await upload(app, auth, file, {}, [
    { name: 'focalPoint', value: '{"x":', contentType: 'application/json' },
  ])
  assertProblem(t, badJsonPart, 400, 'ND_MALFORMED_JSON')

  const elsewhere = multipart([{ name: 'name', value: 'Someone' }])
  const person = await app.inject({
    method: 'POST',
    url: '/v1/people',
    headers: { ...auth, 'content-type': elsewhere.contentType },
    payload: elsewhere.payload,
  })
  assertProblem(t, person, 415, 'ND_UNSUPPORTED_MEDIA_TYPE')
  t.pass('no other route takes a multipart body')

  t.equal(await db.prisma.media.count(), 1, 'only the upload with a JSON focal point')
  t.same(await spooledLeft(), [], 'no temporary file left by a refusal')
})

test('media uploads: a write scope is needed', async (t) => {
  const { app, db } = await build(t)
  const reader = await createKey(db, ['content:read'])
  const file = await image()
  assertProblem(t, await upload(app, {}, file), 401, 'ND_UNAUTHORIZED')
  assertProblem(t, await upload(app, reader.headers, file), 403, 'ND_FORBIDDEN')
  t.equal(await db.prisma.media.count(), 0)
})

test('media uploads: at most MEDIA_UPLOAD_MAX per key and window, beside the request budget', async (t) => {
  const { app, db, auth } = await build(t, { env: { MEDIA_UPLOAD_MAX: '2', RATE_LIMIT_MAX: '5' } })
  const ip = freshIp()
  const send = async (headers: Record<string, string>) => upload(app, headers, await image())
  t.equal((await send({ ...auth, 'x-forwarded-for': ip })).statusCode, 201)
  t.equal((await send(auth)).statusCode, 201)
  const third = await send(auth)
  assertProblem(t, third, 429, 'ND_RATE_LIMITED')
  t.match(String(third.headers['retry-after']), /^[1-9][0-9]*$/, 'Retry-After in seconds')
  t.equal(await db.prisma.media.count(), 2)
  t.equal(app.rateLimitRejections().uploads, 1, 'counted as the uploads budget (metrics)')

  const read = await app.inject({ url: '/v1/media', headers: auth })
  t.equal(read.statusCode, 200, 'other requests go on')
  t.equal(read.headers['ratelimit-remaining'], '1', 'every upload counted in the request budget too')
  const other = await createKey(db, ['content:write'])
  t.equal((await send(other.headers)).statusCode, 201, 'another key has its own upload budget')
  t.equal((await app.inject({ url: '/v1/media', headers: auth })).statusCode, 200, 'the fifth request')
  assertProblem(t, await app.inject({ url: '/v1/media', headers: auth }), 429, 'ND_RATE_LIMITED')
})
