import { test } from 'tap'
import { assertProblem, build, json, missingId, type Page, type Problem } from '../helper.js'

interface Source {
  id: string
  slug: string
  name: string
  kind: string
  homepageUrl: string | null
  description: string | null
  createdAt: string
  updatedAt: string
}

test('sources', async (t) => {
  const { app, db, auth } = await build(t)
  const post = (payload: unknown) =>
    app.inject({ method: 'POST', url: '/v1/sources', headers: auth, payload: payload as object })

  await t.test('create, read by id and slug, update, delete', async (t) => {
    const res = await post({
      name: 'PanARMENIAN.Net',
      kind: 'publisher',
      homepageUrl: 'https://www.panarmenian.net/',
      description: 'Armenian news portal',
    })
    t.equal(res.statusCode, 201)
    const created = json<Source>(res)
    t.equal(created.slug, 'panarmenian-net', 'slug generated from the name')
    t.match(created.id, /^[0-9a-f-]{36}$/)
    t.equal(res.headers.location, `/v1/sources/${created.id}`)
    t.equal(created.createdAt, created.updatedAt)

    const byId = await app.inject(`/v1/sources/${created.id}`)
    t.same(json(byId), created)
    const bySlug = await app.inject('/v1/sources/panarmenian-net')
    t.same(json(bySlug), created)

    const patched = await app.inject({
      method: 'PATCH',
      url: `/v1/sources/${created.id}`,
      headers: auth,
      payload: { description: null, name: 'PanARMENIAN' },
    })
    t.equal(patched.statusCode, 200)
    const updated = json<Source>(patched)
    t.equal(updated.description, null, 'null clears an optional field')
    t.equal(updated.name, 'PanARMENIAN')
    t.equal(updated.slug, 'panarmenian-net', 'slug is kept when the name changes')
    t.ok(updated.updatedAt >= created.updatedAt)

    const del = await app.inject({ method: 'DELETE', url: `/v1/sources/${created.id}`, headers: auth })
    t.equal(del.statusCode, 204)
    t.equal(del.body, '')
    assertProblem(t, await app.inject(`/v1/sources/${created.id}`), 404, 'ND_NOT_FOUND')
    t.equal(await db.prisma.source.count({ where: { id: created.id } }), 0)
  })

  await t.test('slugs: generated, de-duplicated, transliterated, validated, unique', async (t) => {
    const a = json<Source>(await post({ name: 'Associated Press', kind: 'agency' }))
    const b = json<Source>(await post({ name: 'Associated Press', kind: 'agency' }))
    const c = json<Source>(await post({ name: 'Associated  Press!', kind: 'agency' }))
    t.same([a.slug, b.slug, c.slug], ['associated-press', 'associated-press-2', 'associated-press-3'])
    const cyr = json<Source>(await post({ name: 'Армения сегодня', kind: 'partner' }))
    t.equal(cyr.slug, 'armeniya-segodnya')
    const symbols = json<Source>(await post({ name: '!!!', kind: 'partner' }))
    t.equal(symbols.slug, 'source', 'a name with no letters still gets a slug')

    const clash = assertProblem(
      t,
      await post({ name: 'AP', kind: 'agency', slug: 'associated-press' }),
      409,
      'ND_UNIQUE_VIOLATION',
    )
    t.equal(clash.field, 'slug')
    t.match(clash.detail, /slug/)

    for (const slug of ['Has Caps', 'trailing-', '-leading', 'double--dash', 'ünïcode', '']) {
      const bad = assertProblem(t, await post({ name: 'X', kind: 'agency', slug }), 400, 'ND_VALIDATION_FAILED')
      t.same(
        bad.errors?.map((e) => e.pointer),
        ['/slug'],
        `slug ${JSON.stringify(slug)} is rejected`,
      )
    }
    const other = json<Source>(await post({ name: 'Other', kind: 'agency' }))
    const patchClash = await app.inject({
      method: 'PATCH',
      url: `/v1/sources/${other.id}`,
      headers: auth,
      payload: { slug: 'associated-press' },
    })
    assertProblem(t, patchClash, 409, 'ND_UNIQUE_VIOLATION')
    t.equal(json<Source>(await app.inject(`/v1/sources/${other.id}`)).slug, 'other', 'failed update changed nothing')
  })

  await t.test('bad input: every offending field, unknown fields, server-owned fields', async (t) => {
    const before = await db.prisma.source.count()
    const res = await post({ kind: 'blog', homepageUrl: 'javascript:alert(1)', extra: 1, id: 'x', createdAt: 'now' })
    const problem = assertProblem(t, res, 400, 'ND_VALIDATION_FAILED')
    const pointers = problem.errors?.map((e) => e.pointer).sort()
    t.same(pointers, ['/createdAt', '/extra', '/homepageUrl', '/id', '/kind', '/name'])
    t.ok(problem.errors?.every((e) => e.in === 'body'))
    t.match(problem.detail, /\/extra/)
    t.equal(problem.errors?.find((e) => e.pointer === '/name')?.message, 'is required')
    t.equal(problem.errors?.find((e) => e.pointer === '/extra')?.message, 'is not an allowed field')

    assertProblem(t, await post({ name: 'x'.repeat(201), kind: 'agency' }), 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, await post({ name: 123, kind: 'agency' }), 400, 'ND_VALIDATION_FAILED')
    assertProblem(
      t,
      await post({ name: 'FTP', kind: 'agency', homepageUrl: 'ftp://example.com/' }),
      400,
      'ND_VALIDATION_FAILED',
    )
    assertProblem(t, await post([]), 400, 'ND_VALIDATION_FAILED')

    const malformed = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"name": "x",',
    })
    assertProblem(t, malformed, 400, 'ND_MALFORMED_JSON')
    const empty = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '',
    })
    assertProblem(t, empty, 400, 'ND_MALFORMED_JSON')
    const text = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'name=x',
    })
    assertProblem(t, text, 415, 'ND_UNSUPPORTED_MEDIA_TYPE')

    const some = json<Page<Source>>(await app.inject('/v1/sources?limit=1')).data[0]
    t.ok(some)
    const emptyPatch = await app.inject({ method: 'PATCH', url: `/v1/sources/${some?.id}`, headers: auth, payload: {} })
    assertProblem(t, emptyPatch, 400, 'ND_VALIDATION_FAILED')
    const ownedPatch = await app.inject({
      method: 'PATCH',
      url: `/v1/sources/${some?.id}`,
      headers: auth,
      payload: { updatedAt: '2020-01-01T00:00:00Z' },
    })
    t.same(assertProblem(t, ownedPatch, 400, 'ND_VALIDATION_FAILED').errors?.[0]?.pointer, '/updatedAt')

    // Reads take the slug; changes to the same path take the id only: a slug is a 400 saying so.
    const slugMessage = 'must be the record id (a UUID): changes do not take a slug'
    for (const method of ['PATCH', 'DELETE'] as const) {
      const bySlug = await app.inject({
        method,
        url: `/v1/sources/${some?.slug}`,
        headers: auth,
        ...(method === 'PATCH' ? { payload: { name: 'x' } } : {}),
      })
      const bySlugProblem = assertProblem(t, bySlug, 400, 'ND_VALIDATION_FAILED')
      t.same(bySlugProblem.errors, [{ in: 'path', pointer: '/idOrSlug', message: slugMessage }], `${method} by slug`)
    }
    t.equal((await app.inject({ url: `/v1/sources/${some?.slug}` })).statusCode, 200, 'GET by slug')
    const missing = await app.inject({
      method: 'PATCH',
      url: `/v1/sources/${missingId}`,
      headers: auth,
      payload: { name: 'x' },
    })
    assertProblem(t, missing, 404, 'ND_NOT_FOUND')
    assertProblem(
      t,
      await app.inject({ method: 'DELETE', url: `/v1/sources/${missingId}`, headers: auth }),
      404,
      'ND_NOT_FOUND',
    )
    t.equal(await db.prisma.source.count(), before, 'no failed request wrote anything')
  })

  await t.test('delete is refused while articles, credits or teasers reference the source', async (t) => {
    const publisher = json<Source>(await post({ name: 'Referenced Publisher', kind: 'publisher' }))
    const agency = json<Source>(await post({ name: 'Referenced Agency', kind: 'agency' }))
    const article = await db.prisma.article.create({
      data: {
        slug: 'referencing-article',
        headline: 'Referencing article',
        sourceId: publisher.id,
        credits: { create: [{ sourceId: agency.id, position: 0 }] },
      },
    })
    const res = await app.inject({ method: 'DELETE', url: `/v1/sources/${publisher.id}`, headers: auth })
    const problem = assertProblem(t, res, 409, 'ND_CONFLICT')
    t.same(problem.references, { articles: 1, credits: 0, teasers: 0, people: 0 })
    const res2 = await app.inject({ method: 'DELETE', url: `/v1/sources/${agency.id}`, headers: auth })
    t.same(assertProblem(t, res2, 409, 'ND_CONFLICT').references, { articles: 0, credits: 1, teasers: 0, people: 0 })
    t.equal(await db.prisma.source.count({ where: { id: { in: [publisher.id, agency.id] } } }), 2)

    await db.prisma.article.delete({ where: { id: article.id } })
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/sources/${publisher.id}`, headers: auth })).statusCode, 204)
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/sources/${agency.id}`, headers: auth })).statusCode, 204)
  })

  await t.test('redistribution and credit line templates', async (t) => {
    const plain = json<Source & { redistribution: string; creditLine: string | null }>(
      await post({ name: 'Rights Plain', kind: 'agency' }),
    )
    t.equal(plain.redistribution, 'allowed', 'allowed by default')
    t.equal(plain.creditLine, null)
    const res = await post({
      name: 'Rights AP',
      kind: 'agency',
      redistribution: 'forbidden',
      creditLine: '© {year} {source}',
    })
    t.equal(res.statusCode, 201)
    const ap = json<Source & { redistribution: string; creditLine: string | null }>(res)
    t.equal(ap.redistribution, 'forbidden')
    t.equal(ap.creditLine, '© {year} {source}')
    t.same(json(await app.inject(`/v1/sources/${ap.slug}`)), ap, 'reads show them')

    const unknown = await post({ name: 'Rights Bad', kind: 'agency', creditLine: '{source} via {agency}' })
    const problem = assertProblem(t, unknown, 400, 'ND_VALIDATION_FAILED')
    t.same(
      (problem.errors as { pointer: string }[]).map((e) => e.pointer),
      ['/creditLine'],
      'an unknown placeholder is a 400 naming the field',
    )
    t.match(problem.detail, /\{agency\}/)
    assertProblem(
      t,
      await post({ name: 'Rights Bad', kind: 'agency', redistribution: 'maybe' }),
      400,
      'ND_VALIDATION_FAILED',
    )
    assertProblem(
      t,
      await post({ name: 'Rights Bad', kind: 'agency', creditLine: 'x'.repeat(201) }),
      400,
      'ND_VALIDATION_FAILED',
    )

    const patch = (payload: object) =>
      app.inject({ method: 'PATCH', url: `/v1/sources/${ap.id}`, headers: auth, payload })
    const badPatch = assertProblem(t, await patch({ creditLine: '{Source}' }), 400, 'ND_VALIDATION_FAILED')
    t.same(
      (badPatch.errors as { pointer: string }[]).map((e) => e.pointer),
      ['/creditLine'],
    )
    const changed = json<Source & { redistribution: string; creditLine: string | null }>(
      await patch({ redistribution: 'credit-required', creditLine: null }),
    )
    t.equal(changed.redistribution, 'credit-required')
    t.equal(changed.creditLine, null, 'null clears the template')
    const audit = await db.prisma.auditEntry.findMany({ where: { resourceType: 'source', resourceId: ap.id } })
    t.same(audit.map((a) => a.action).sort(), ['create', 'update'], 'the change is audited')
  })

  await t.test('unknown routes and records are problems', async (t) => {
    const route = assertProblem(t, await app.inject('/v1/nope'), 404, 'ND_ROUTE_NOT_FOUND')
    t.equal(route.instance, '/v1/nope')
    const record = assertProblem(t, await app.inject('/v1/sources/no-such-source'), 404, 'ND_NOT_FOUND')
    t.match(record.detail, /no-such-source/)
  })

  await t.test('request ids', async (t) => {
    const res = await app.inject('/v1/sources')
    t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/)
    const given = await app.inject({ url: '/v1/sources', headers: { 'x-request-id': 'edge-abc.123' } })
    t.equal(given.headers['x-request-id'], 'edge-abc.123', "a caller's well-formed id is kept")
    const hostile = await app.inject({ url: '/v1/sources', headers: { 'x-request-id': 'a\nb c' } })
    t.not(hostile.headers['x-request-id'], 'a\nb c')
  })
})

test('source lists: filters, sorts, cursor pagination', async (t) => {
  const { app, db, auth } = await build(t)
  const names = ['Delta', 'alpha', 'Charlie', 'Echo', 'bravo', 'Foxtrot News', 'Golf News']
  const kinds = ['publisher', 'agency', 'partner']
  for (const [i, name] of names.entries()) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: auth,
      payload: { name, kind: kinds[i % 3] },
    })
    t.equal(res.statusCode, 201)
  }
  const list = async (query: string) => {
    const res = await app.inject(`/v1/sources?${query}`)
    t.equal(res.statusCode, 200, query)
    return { ...json<Page<Source>>(res), link: res.headers.link as string | undefined }
  }

  const all = await list('')
  t.equal(all.page.limit, 20)
  t.equal(all.page.nextCursor, null)
  t.notOk(all.link, 'no Link header on the last page')
  const lower = (n: string) => n.toLowerCase()
  const expected = [...names].sort((a, b) => (lower(a) < lower(b) ? -1 : 1))
  t.same(
    all.data.map((s) => s.name.toLowerCase()),
    expected.map((n) => n.toLowerCase()),
    'default order: name',
  )
  t.same(
    (await list('sort=-name')).data.map((s) => s.name),
    all.data.map((s) => s.name).reverse(),
  )

  // Walk every sort two at a time; the pages must add up to the unpaginated list.
  for (const sort of ['name', '-name', 'createdAt', '-createdAt']) {
    const full = (await list(`sort=${sort}&limit=100`)).data.map((s) => s.id)
    const walked: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(
        `sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      walked.push(...page.data.map((s) => s.id))
      cursor = page.page.nextCursor
      if (cursor) {
        t.match(
          page.link,
          new RegExp(`^</v1/sources\\?sort=${sort.replace('-', '\\-')}&limit=2&cursor=${cursor}>; rel="next"$`),
        )
      }
      pages++
    } while (cursor && pages < 10)
    t.same(walked, full, `pages of sort=${sort} neither skip nor repeat`)
    t.equal(pages, 4)
  }

  await t.test('a cursor stays valid while rows are inserted before and after it', async (t) => {
    const first = await list('limit=3')
    t.same(
      first.data.map((s) => s.name),
      ['alpha', 'bravo', 'Charlie'],
    )
    await app.inject({ method: 'POST', url: '/v1/sources', headers: auth, payload: { name: 'Able', kind: 'agency' } })
    await app.inject({ method: 'POST', url: '/v1/sources', headers: auth, payload: { name: 'Zulu', kind: 'agency' } })
    const second = await list(`limit=3&cursor=${first.page.nextCursor}`)
    t.same(
      second.data.map((s) => s.name),
      ['Delta', 'Echo', 'Foxtrot News'],
    )
    await db.prisma.source.deleteMany({ where: { name: { in: ['Able', 'Zulu'] } } })
  })

  t.same(
    (await list('kind=agency')).data.map((s) => s.name),
    ['alpha', 'bravo'],
  )
  t.same(
    (await list('q=NEWS')).data.map((s) => s.name),
    ['Foxtrot News', 'Golf News'],
    'q is a case-insensitive substring',
  )
  t.same(
    (await list('q=news&kind=partner')).data.map((s) => s.name),
    ['Foxtrot News'],
  )
  t.same((await list('q=%25')).data, [], 'LIKE wildcards in q are literal')
  t.same((await list('q=_')).data, [])
  t.same((await list('q=%5C')).data, [], 'a backslash in q is literal')

  const bad = async (query: string, pointer: string) => {
    const res = await app.inject(`/v1/sources?${query}`)
    t.equal(res.statusCode, 400, query)
    const problem = json<Problem>(res)
    t.ok(
      problem.errors?.some((e) => e.pointer === pointer && e.in === 'query'),
      `${query} names ${pointer}`,
    )
  }
  await bad('limit=0', '/limit')
  await bad('limit=101', '/limit')
  await bad('limit=ten', '/limit')
  await bad('kind=blog', '/kind')
  await bad('sort=headline', '/sort')
  await bad('q=', '/q')
  await bad(`q=${'x'.repeat(101)}`, '/q')
  await bad('knd=agency', '/knd')
  await bad('cursor=not%20base64', '/cursor')

  const fromOtherSort = (await list('sort=-createdAt&limit=1')).page.nextCursor
  const mismatch = await app.inject(`/v1/sources?sort=name&cursor=${fromOtherSort}`)
  t.equal(mismatch.statusCode, 400)
  t.equal(json<Problem>(mismatch).code, 'ND_INVALID_CURSOR')
  const garbage = await app.inject('/v1/sources?cursor=AAAA')
  t.equal(json<Problem>(garbage).code, 'ND_INVALID_CURSOR')
})

test('body size limit', async (t) => {
  const { app, auth } = await build(t, { env: { BODY_LIMIT: '2048' } })
  const res = await app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: auth,
    payload: { name: 'Big', kind: 'agency', description: 'x'.repeat(3000) },
  })
  t.equal(res.statusCode, 413)
  t.equal(json<Problem>(res).code, 'ND_BODY_TOO_LARGE')
  t.match(String(res.headers['content-type']), /^application\/problem\+json/)
})

test('generated slugs under concurrency, and never shaped like an id', async (t) => {
  const { app, auth } = await build(t, { env: { RATE_LIMIT_MAX: '1000000' } })
  const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/sources', headers: auth, payload })

  const results = await Promise.all(Array.from({ length: 50 }, () => post({ name: 'Reuters', kind: 'agency' })))
  t.same(
    results.filter((r) => r.statusCode !== 201).map((r) => r.body.slice(0, 200)),
    [],
    '50 concurrent creates of one name all succeed',
  )
  // On PGlite (TEST_DATABASE_URL unset) writes run one at a time anyway; the race is PostgreSQL's.
  const slugs = results.map((r) => json<Source>(r).slug)
  t.equal(new Set(slugs).size, 50, 'with distinct slugs')
  t.same(
    [...slugs].sort(),
    ['reuters', ...Array.from({ length: 49 }, (_, i) => `reuters-${i + 2}`)].sort(),
    'the first free suffixes',
  )
  const clash = await post({ name: 'Reuters', kind: 'agency', slug: 'reuters-9' })
  t.equal(assertProblem(t, clash, 409, 'ND_UNIQUE_VIOLATION').field, 'slug', 'a chosen slug that is taken is a 409')

  const idShaped = json<Source>(await post({ name: '019AC0DE-7A1E-7000-8000-00000000A001', kind: 'agency' }))
  t.equal(idShaped.slug, '019ac0de-7a1e-7000-8000-00000000a001-2', 'an id-shaped slug gets a suffix')
  t.equal(json<Source>(await app.inject(`/v1/sources/${idShaped.slug}`)).id, idShaped.id)
})
