import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'
import { publicLinks, setNextLink } from '../../src/http/pagination.js'
import { decodeCursor, encodeCursor, keysetWhere, parseSort, toPage } from '../../src/lib/pagination.js'

const invalidCursor = { code: 'ND_INVALID_CURSOR', statusCode: 400 }

function raw(payload: unknown): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url')
}

t.test('encodeCursor and decodeCursor round trip', async (t) => {
  const values = ['Associated Press', '2026-11-26T09:00:00.123Z', '0196a1b2-0000-7000-8000-000000000001']
  const cursor = encodeCursor('-name', values)
  t.match(cursor, /^[A-Za-z0-9_-]+$/, 'the cursor is URL-safe base64')
  t.same(decodeCursor(cursor, '-name', ['string', 'date', 'uuid']), [
    'Associated Press',
    new Date('2026-11-26T09:00:00.123Z'),
    '0196a1b2-0000-7000-8000-000000000001',
  ])
  t.same(decodeCursor(encodeCursor('name', ['ünïcödé ’quotes’', 'id']), 'name', ['string', 'string']), [
    'ünïcödé ’quotes’',
    'id',
  ])
})

t.test('decodeCursor rejects a bad cursor', async (t) => {
  const cursor = encodeCursor('name', ['a', 'id'])
  const cases: [string, string][] = [
    ['garbage', '!!!not-a-cursor!!!'],
    ['base64 of non-JSON', Buffer.from('hello world').toString('base64url')],
    ['JSON null', raw(null)],
    ['JSON number', raw(7)],
    ['a cursor for another sort', cursor],
    ['missing sort', raw({ v: ['a', 'id'] })],
    ['values not an array', raw({ s: '-name', v: 'a' })],
    ['too few values', raw({ s: '-name', v: ['a'] })],
    ['too many values', raw({ s: '-name', v: ['a', 'id', 'x'] })],
    ['an object value', raw({ s: '-name', v: [{ a: 1 }, 'id'] })],
    ['an array value', raw({ s: '-name', v: [['a'], 'id'] })],
    ['a boolean value', raw({ s: '-name', v: [true, 'id'] })],
    ['a number value', raw({ s: '-name', v: [7, 'id'] })],
  ]
  for (const [label, value] of cases) {
    t.throws(() => decodeCursor(value, '-name', ['string', 'string']), invalidCursor, label)
  }
  t.throws(() => decodeCursor(cursor, 'name', ['string', 'string', 'string']), invalidCursor, 'wrong arity')
  t.throws(
    () =>
      decodeCursor(raw({ s: 'x', v: ['yesterday', '0196a1b2-0000-7000-8000-000000000001'] }), 'x', ['date', 'uuid']),
    invalidCursor,
    'a date value that is not a date',
  )
  t.throws(
    () => decodeCursor(raw({ s: 'x', v: ['2026-01-01T00:00:00Z', "1' OR 1=1"] }), 'x', ['date', 'uuid']),
    invalidCursor,
    'an id that is not a UUID',
  )
})

t.test('decodeCursor holds values to the range of their column', async (t) => {
  const id = '0196a1b2-0000-7000-8000-000000000001'
  const decode = (value: unknown, kind: 'date' | 'date-or-empty' | 'number' | 'integer') =>
    decodeCursor(raw({ s: 'x', v: [value, id] }), 'x', [kind, 'uuid'])

  t.same(decode('2026-11-26T09:00:00.123Z', 'date'), [new Date('2026-11-26T09:00:00.123Z'), id])
  t.same(decode('', 'date-or-empty'), [null, id], "'' is a row without a date")
  t.same(decode('1000-01-01T00:00:00Z', 'date-or-empty')[0], new Date('1000-01-01T00:00:00Z'))
  // A row stored before the input range existed: its cursor, as toISOString() wrote it, still works.
  t.same(decode('0202-03-04T05:06:07.000Z', 'date')[0], new Date('0202-03-04T05:06:07.000Z'), 'a stored year 202')
  t.same(decode('0.0607927', 'number'), [0.0607927, id], 'a rank as encoded (a string)')
  t.same(decode(0.5, 'number'), [0.5, id], 'a rank as a JSON number')
  t.same(decode('1e-20', 'number'), [1e-20, id], 'a small rank')
  t.same(decode('2147483647', 'integer'), [2147483647, id])

  const rejected: [string, unknown, 'date' | 'date-or-empty' | 'number' | 'integer'][] = [
    ['year 0000', '0000-01-01T00:00:00Z', 'date'],
    ['year 0000 (or empty)', '0000-01-01T00:00:00.000Z', 'date-or-empty'],
    ['year 0000 as toISOString() writes it', '0000-12-31T23:59:59.999Z', 'date'],
    ['a day that does not exist', '0202-02-30T00:00:00.000Z', 'date'],
    ['a leap second', '2016-12-31T23:59:60Z', 'date'],
    ['past year 9999 in UTC', '9999-12-31T23:59:59-01:00', 'date'],
    ['an expanded year', '+275760-09-13T00:00:00.000Z', 'date'],
    ['a date without a time', '2026-11-26', 'date'],
    ["'' where a date is required", '', 'date'],
    ['1e308 (beyond a real)', '1e308', 'number'],
    ['1e400 (Infinity)', '1e400', 'number'],
    ['-1e39', -1e39, 'number'],
    ['1e-50 (below the smallest real)', '1e-50', 'number'],
    ['NaN', 'NaN', 'number'],
    ['Infinity', 'Infinity', 'number'],
    ['hex', '0x10', 'number'],
    ['empty', '', 'number'],
    ['a boolean', true, 'number'],
    ['past int4', '2147483648', 'integer'],
    ['99999999999', 99999999999, 'integer'],
    ['a fraction', '1.5', 'integer'],
    ['1e400 (integer)', '1e400', 'integer'],
  ]
  for (const [label, value, kind] of rejected) t.throws(() => decode(value, kind), invalidCursor, label)
})

t.test('parseSort', async (t) => {
  t.same(parseSort('name'), { field: 'name', direction: 'asc', key: 'name' })
  t.same(parseSort('-name'), { field: 'name', direction: 'desc', key: '-name' })
  t.same(parseSort('-createdAt'), { field: 'createdAt', direction: 'desc', key: '-createdAt' })
  t.same(parseSort('createdAt'), { field: 'createdAt', direction: 'asc', key: 'createdAt' })
})

t.test('keysetWhere', async (t) => {
  t.strictSame(keysetWhere('name', 'asc', 'M', 'id-1'), {
    AND: [{ name: { gte: 'M' } }, { OR: [{ name: { gt: 'M' } }, { name: 'M', id: { gt: 'id-1' } }] }],
  })
  const at = new Date('2024-01-02T03:04:05.678Z')
  t.strictSame(keysetWhere('createdAt', 'desc', at, 'id-2'), {
    AND: [{ createdAt: { lte: at } }, { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: 'id-2' } }] }],
  })
})

t.test('toPage', async (t) => {
  const rows = [
    { id: 'a', name: 'Alpha' },
    { id: 'b', name: 'Beta' },
    { id: 'c', name: 'Gamma' },
  ]
  const cursorOf = (r: { id: string; name: string }) => [r.name, r.id]

  const exact = toPage(rows.slice(0, 2), 2, 'name', cursorOf)
  t.same(exact, { data: rows.slice(0, 2), page: { limit: 2, nextCursor: null } }, 'rows.length == limit: last page')

  const fewer = toPage(rows.slice(0, 1), 2, 'name', cursorOf)
  t.same(fewer, { data: rows.slice(0, 1), page: { limit: 2, nextCursor: null } }, 'rows.length < limit: last page')

  const empty = toPage([], 2, 'name', cursorOf)
  t.same(empty, { data: [], page: { limit: 2, nextCursor: null } }, 'no rows')

  const more = toPage(rows, 2, 'name', cursorOf)
  t.same(more.data, rows.slice(0, 2), 'the extra row is dropped')
  t.equal(more.page.limit, 2)
  t.type(more.page.nextCursor, 'string')
  t.same(
    decodeCursor(more.page.nextCursor as string, 'name', ['string', 'string']),
    ['Beta', 'b'],
    'the cursor encodes the last kept row',
  )
})

async function linkApp(t: Test, publicUrl?: string) {
  const app = Fastify({ trustProxy: true })
  t.teardown(() => app.close())
  await app.register(publicLinks, { publicUrl })
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { next } = request.query as { next?: string }
    setNextLink(request, reply, next ?? null)
    return { ok: true }
  }
  app.get('/x', handler)
  // Any other path: the link is built from whatever path a route matched.
  app.get('*', handler)
  await app.ready()
  return app
}

t.test('setNextLink: a relative link when PUBLIC_URL is unset', async (t) => {
  const app = await linkApp(t)
  const next = encodeCursor('name', ['Beta', 'b'])

  const first = await app.inject({ method: 'GET', url: '/x', query: { limit: '1', next } })
  t.equal(first.statusCode, 200)
  const link = first.headers.link as string
  t.match(link, /^<\/x\?[^>]+>; rel="next"$/, 'a relative reference to the request path')
  const url = new URL(link.slice(1, link.indexOf('>')), 'https://client.example')
  t.equal(url.searchParams.get('limit'), '1', 'other parameters are kept')
  t.equal(url.searchParams.get('cursor'), next)

  const plain = await app.inject({ method: 'GET', url: `/x?limit=1&next=${next}` })
  t.equal(plain.headers.link, `</x?limit=1&next=${next}&cursor=${next}>; rel="next"`)

  const replaced = await app.inject({ method: 'GET', url: `/x?limit=1&cursor=old&next=${next}` })
  t.equal(
    replaced.headers.link,
    `</x?limit=1&cursor=${next}&next=${next}>; rel="next"`,
    'an existing cursor parameter is replaced, not repeated',
  )

  // Behind a trusted proxy too: X-Forwarded-Host is a request header like Host.
  const hosted = await app.inject({
    method: 'GET',
    url: `/x?next=${next}`,
    headers: { host: 'evil.example:8080', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
  })
  t.equal(hosted.headers.link, `</x?next=${next}&cursor=${next}>; rel="next"`, 'Host and X-Forwarded-* are ignored')

  const last = await app.inject({ method: 'GET', url: '/x?limit=1&cursor=old' })
  t.equal(last.statusCode, 200)
  t.notOk('link' in last.headers, 'no Link header on the last page')
})

t.test('setNextLink: absolute under PUBLIC_URL, whatever the Host', async (t) => {
  const app = await linkApp(t, 'https://api.news.example/newsdesk')
  const next = encodeCursor('name', ['Beta', 'b'])
  for (const host of ['localhost', 'evil.example', 'api.news.example:444']) {
    const res = await app.inject({ method: 'GET', url: `/x?next=${next}`, headers: { host } })
    t.equal(
      res.headers.link,
      `<https://api.news.example/newsdesk/x?next=${next}&cursor=${next}>; rel="next"`,
      `Host: ${host}`,
    )
  }
  // A path that parses as an authority ("//host/…") never becomes the link's host.
  const sneaky = await app.inject({ method: 'GET', url: `//evil.example/x?next=${next}` })
  t.equal(
    sneaky.headers.link,
    `<https://api.news.example/newsdesk/evil.example/x?next=${next}&cursor=${next}>; rel="next"`,
  )
})

t.test('setNextLink: a relative link stays on the host the client asked, and is one link', async (t) => {
  const app = await linkApp(t)
  const next = encodeCursor('name', ['Beta', 'b'])
  for (const path of [
    '//evil.example/x',
    '/\\evil.example/x',
    '///\\evil.example',
    '/a>b"c<d`f{g}h\\i',
    '/caf\u00e9',
  ]) {
    const res = await app.inject({ method: 'GET', url: `${path}?next=${next}` })
    t.equal(res.statusCode, 200, path)
    const link = String(res.headers.link)
    t.match(link, /^<[^<>\s]+>; rel="next"$/, `${path}: one link, nothing in it that ends it`)
    const target = new URL(link.slice(1, link.indexOf('>')), 'https://client.example/any/page')
    t.equal(target.host, 'client.example', `${path}: the client's host`)
    t.equal(target.searchParams.get('cursor'), next, `${path}: the cursor`)
  }
})
