// GET /v1/people: sorts, cursor pages, the name search, the affiliation filter and caching headers.
import { test } from 'tap'
import type { Person } from '../../src/modules/people/people.schemas.js'
import type { Source } from '../../src/modules/sources/sources.schemas.js'
import { build, json, type Page, type Problem } from '../helper.js'

test('people lists', async (t) => {
  const { app, auth } = await build(t)
  const source = async (name: string) =>
    json<Source>(
      await app.inject({ method: 'POST', url: '/v1/sources', headers: auth, payload: { name, kind: 'agency' } }),
    )
  const wire = await source('List Wire')
  const daily = await source('List Daily')
  const names = ['Delta Reporter', 'alpha', 'Charlie', 'Echo Reporter', 'bravo', 'Foxtrot']
  for (const [i, name] of names.entries()) {
    const payload = { name, email: `${i}@example.com`, affiliationId: i % 2 ? wire.id : i === 0 ? daily.id : null }
    const res = await app.inject({ method: 'POST', url: '/v1/people', headers: auth, payload })
    t.equal(res.statusCode, 201)
  }
  const list = async (query: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ url: `/v1/people?${query}`, headers })
    t.equal(res.statusCode, 200, query)
    return { ...json<Page<Person>>(res), headers: res.headers }
  }

  const all = await list('')
  t.same(
    all.data.map((p) => p.name),
    ['alpha', 'bravo', 'Charlie', 'Delta Reporter', 'Echo Reporter', 'Foxtrot'],
    'by name, case-insensitively, by default',
  )
  t.equal(all.page.nextCursor, null)
  t.notOk(all.headers.link)
  t.notOk(
    all.data.some((p) => 'email' in p),
    'no email in a public list',
  )
  t.match(all.headers['cache-control'], /^public/)
  t.same(String(all.headers['surrogate-key']).split(' '), ['people', ...all.data.map((p) => `person:${p.id}`)])
  const editors = await list('', auth)
  t.ok(
    editors.data.every((p) => typeof p.email === 'string'),
    'a write scope sees every email',
  )
  t.equal(editors.headers['cache-control'], 'private, no-store')

  t.same(
    (await list('sort=-name')).data.map((p) => p.name),
    all.data.map((p) => p.name).reverse(),
  )
  for (const sort of ['name', '-name', 'createdAt', '-createdAt']) {
    const full = (await list(`sort=${sort}&limit=100`)).data.map((p) => p.id)
    const walked: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(
        `sort=${sort}&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      )
      walked.push(...page.data.map((p) => p.id))
      cursor = page.page.nextCursor
      if (cursor) t.equal(page.headers.link, `</v1/people?sort=${sort}&limit=4&cursor=${cursor}>; rel="next"`)
      pages++
    } while (cursor && pages < 5)
    t.same(walked, full, `pages of sort=${sort} neither skip nor repeat`)
    t.equal(pages, 2)
  }

  t.same(
    (await list('q=REPORTER')).data.map((p) => p.name),
    ['Delta Reporter', 'Echo Reporter'],
    'q: a case-insensitive substring of the name',
  )
  t.same((await list('q=%25')).data, [], 'LIKE wildcards in q are literal')
  t.same(
    (await list(`affiliation=${wire.slug}`)).data.map((p) => p.name),
    ['alpha', 'Echo Reporter', 'Foxtrot'],
    'affiliation by slug',
  )
  const byId = await list(`affiliation=${daily.id.toUpperCase()}&q=delta`)
  t.same(
    byId.data.map((p) => p.name),
    ['Delta Reporter'],
    'affiliation by id, combined with q',
  )
  t.match(byId.headers['surrogate-key'], / sources$/, 'a list filtered by a source name purges with sources')
  t.same((await list('affiliation=no-such-source')).data, [], 'an unknown source: no one')

  const bad = async (query: string, pointer: string) => {
    const res = await app.inject(`/v1/people?${query}`)
    t.equal(res.statusCode, 400, query)
    t.ok(
      json<Problem>(res).errors?.some((e) => e.pointer === pointer && e.in === 'query'),
      `${query} names ${pointer}`,
    )
  }
  await bad('limit=0', '/limit')
  await bad('sort=email', '/sort')
  await bad('q=', '/q')
  await bad(`affiliation=${'x'.repeat(201)}`, '/affiliation')
  await bad('email=x', '/email')
  const other = (await list('sort=-createdAt&limit=1')).page.nextCursor
  const mismatch = await app.inject(`/v1/people?sort=name&cursor=${other}`)
  t.equal(json<Problem>(mismatch).code, 'ND_INVALID_CURSOR')
})
