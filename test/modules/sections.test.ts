// Sections: created, read by id or path (slashes raw or encoded), changed and deleted, with their
// events and audit entries (lists: sections.lists.test.ts; moves: sections.moves.test.ts).
import { test } from 'tap'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import { assertProblem, build, createKey, json, missingId, pointers } from '../helper.js'
import { sectionOf, sectionsClient } from './sections.helpers.js'

// Many requests from one key and one address.
const env = { RATE_LIMIT_MAX: '1000000', RATE_LIMIT_ANONYMOUS_MAX: '1000000' }

test('sections: create, read, update, delete', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = sectionsClient(t, app, auth)

  await t.test('a root and its children, by parent path, parent id or parentId', async (t) => {
    const res = await api.post({ name: 'World', description: 'News from abroad' })
    t.equal(res.statusCode, 201)
    const world = json<{ id: string } & Record<string, unknown>>(res)
    t.equal(res.headers.location, `/v1/sections/${world.id}`)
    t.match(world, { slug: 'world', path: 'world', depth: 1, parentId: null, position: 0, name: 'World' })
    t.equal(world.createdAt, world.updatedAt)

    const middleEast = await api.create({ name: 'Middle East', parent: 'world', position: 2 })
    t.match(middleEast, { slug: 'middle-east', path: 'world/middle-east', depth: 2, parentId: world.id, position: 2 })
    const europe = await api.create({ name: 'Europe', parent: world.id.toUpperCase() })
    t.match(europe, { path: 'world/europe', parentId: world.id })
    const iraq = await api.create({ name: 'Iraq', parentId: middleEast.id })
    t.match(iraq, { path: 'world/middle-east/iraq', depth: 3 })
    const same = await api.create({ name: 'Syria', parent: 'world/middle-east', parentId: middleEast.id })
    t.equal(same.path, 'world/middle-east/syria', 'parent and parentId may both name the parent')
    const root = await api.create({ name: 'Sport', parent: null, parentId: null })
    t.equal(root.path, 'sport')

    for (const url of [iraq.id, iraq.id.toUpperCase(), 'world/middle-east/iraq', 'world%2Fmiddle-east%2Firaq']) {
      const read = await api.get(url)
      t.equal(read.statusCode, 200, url)
      t.same(json(read), iraq, `GET /v1/sections/${url}`)
    }
    t.same(json(await api.get('world%2Fmiddle-east/iraq')), iraq, 'slashes partly encoded')
    const head = await app.inject({ method: 'HEAD', url: '/v1/sections/world/middle-east' })
    t.equal(head.statusCode, 200)
    t.equal(head.body, '')
  })

  await t.test('update by id or by path, raw or encoded', async (t) => {
    const byPath = sectionOf(await api.patch('world/europe', { name: 'Europe and Russia', position: 1 }))
    t.match(byPath, { name: 'Europe and Russia', position: 1, path: 'world/europe', description: null })
    t.ok(byPath.updatedAt >= byPath.createdAt)
    const encoded = sectionOf(await api.patch('world%2Feurope', { description: 'The continent' }))
    t.equal(encoded.description, 'The continent')
    const cleared = sectionOf(await api.patch(byPath.id, { description: null }))
    t.equal(cleared.description, null, 'null clears the description')
    t.equal(cleared.name, 'Europe and Russia')
  })

  await t.test('delete by path, raw or encoded, or by id', async (t) => {
    const a = await api.create({ name: 'Gone A', parent: 'sport' })
    const b = await api.create({ name: 'Gone B', parent: 'sport' })
    const c = await api.create({ name: 'Gone C', parent: 'sport' })
    for (const key of ['sport/gone-a', 'sport%2Fgone-b', c.id]) {
      const res = await api.remove(key)
      t.equal(res.statusCode, 204, key)
      t.equal(res.body, '')
    }
    for (const gone of [a, b, c]) assertProblem(t, await api.get(gone.id), 404, 'ND_NOT_FOUND')
    t.equal(await db.prisma.section.count({ where: { parentId: a.parentId } }), 0)
    assertProblem(t, await api.remove('sport/gone-a'), 404, 'ND_NOT_FOUND')
    assertProblem(t, await api.remove(missingId), 404, 'ND_NOT_FOUND')
    assertProblem(t, await api.patch('no/such/section', { name: 'x' }), 404, 'ND_NOT_FOUND')
    const missing = assertProblem(t, await api.get('world/nowhere'), 404, 'ND_NOT_FOUND')
    t.match(missing.detail, /world\/nowhere/)
  })

  await t.test('slugs: generated, unique among siblings only, chosen ones must be free', async (t) => {
    const first = await api.create({ name: 'Politics', parent: 'world' })
    const second = await api.create({ name: 'Politics', parent: 'world' })
    const elsewhere = await api.create({ name: 'Politics' })
    t.same([first.path, second.path, elsewhere.path], ['world/politics', 'world/politics-2', 'politics'])
    t.equal((await api.create({ name: 'Մշակույթ' })).slug, 'mshakuyt', 'transliterated')
    t.equal((await api.create({ name: '!!!' })).slug, 'section', 'a name with no letters still gets a slug')

    const wires = await Promise.all(Array.from({ length: 12 }, () => api.post({ name: 'Wire', parent: 'world' })))
    t.same(
      wires.filter((r) => r.statusCode !== 201).map((r) => r.body.slice(0, 200)),
      [],
      '12 concurrent creates of one name under one parent all succeed',
    )
    t.same(
      wires.map((r) => json<{ path: string }>(r).path).sort(),
      ['wire', ...Array.from({ length: 11 }, (_, i) => `wire-${i + 2}`)].map((s) => `world/${s}`).sort(),
      'with the first free slugs',
    )

    const clash = assertProblem(
      t,
      await api.post({ name: 'P', slug: 'politics', parent: 'world' }),
      409,
      'ND_UNIQUE_VIOLATION',
    )
    t.equal(clash.field, 'path')
    t.equal((await api.create({ name: 'P', slug: 'politics-3', parent: 'world' })).path, 'world/politics-3')
  })

  await t.test('an unknown parent is a 422 naming the field', async (t) => {
    const before = await db.prisma.section.count()
    for (const [payload, field] of [
      [{ name: 'X', parent: 'nowhere' }, 'parent'],
      [{ name: 'X', parent: 'world/nowhere' }, 'parent'],
      [{ name: 'X', parent: missingId }, 'parent'],
      [{ name: 'X', parentId: missingId }, 'parentId'],
      [{ name: 'X', parentId: missingId, parent: 'world' }, 'parentId'],
      [{ name: 'X', parentId: (await api.list('limit=1')).data[0]?.id, parent: 'nowhere' }, 'parent'],
    ] as const) {
      const problem = assertProblem(t, await api.post(payload), 422, 'ND_REFERENCE_MISSING')
      t.equal(problem.field, field, JSON.stringify(payload))
      t.match(problem.detail, new RegExp(`\\(${field}\\)$`))
    }
    const onPatch = assertProblem(
      t,
      await api.patch('world/europe', { parent: 'nowhere' }),
      422,
      'ND_REFERENCE_MISSING',
    )
    t.equal(onPatch.field, 'parent')
    t.equal(await db.prisma.section.count(), before, 'nothing was created')
  })

  await t.test('bad input: every offending field, 400', async (t) => {
    const bad = await api.post({ slug: 'Not A Slug', parent: 'World', position: -1, extra: 1, path: 'x', depth: 2 })
    t.same(pointers(t, bad), ['/depth', '/extra', '/name', '/parent', '/path', '/position', '/slug'])
    t.same(pointers(t, await api.post({ name: 'x'.repeat(201) })), ['/name'])
    t.same(pointers(t, await api.post({ name: 'X', slug: '019ac0de-7a1e-7000-8000-00000000d001' })), ['/slug'])
    t.same(pointers(t, await api.post({ name: 'X', parentId: 'world' })), ['/parentId'])
    t.same(pointers(t, await api.post({ name: 'X', position: 1_000_001 })), ['/position'])
    t.same(pointers(t, await api.post({ name: 'X', parent: `${'a/'.repeat(8)}a` })), ['/parent'], 'deeper than 8')
    const europe = sectionOf(await api.get('world/europe'))
    const two = await api.post({ name: 'X', parent: 'world', parentId: europe.id })
    t.same(pointers(t, two), ['/parent', '/parentId'], 'parent and parentId naming different sections')
    t.same(pointers(t, await api.patch('world/europe', { parent: null, parentId: europe.id })), [
      '/parent',
      '/parentId',
    ])
    t.same(pointers(t, await api.patch('world/europe', {})), [''], 'an empty change')
    t.same(pointers(t, await api.patch('world/europe', { createdAt: '2020-01-01T00:00:00Z' })), ['/createdAt'])
    for (const key of ['World', 'world/', 'world//europe', 'world/Europe', '-world', '%20']) {
      t.same(pointers(t, await api.get(key)), ['/idOrPath'], `GET /v1/sections/${key}`)
      t.same(pointers(t, await api.patch(key, { name: 'X' })), ['/idOrPath'], `PATCH /v1/sections/${key}`)
      t.same(pointers(t, await api.remove(key)), ['/idOrPath'], `DELETE /v1/sections/${key}`)
    }
    t.same(pointers(t, await api.get(`${'a/'.repeat(8)}a`)), ['/idOrPath'], 'a path deeper than 8 levels')
    for (const query of ['limit=0', 'limit=101', 'parent=World', 'tree=maybe', 'cursor=%24', 'sort=path']) {
      const res = await app.inject(`/v1/sections?${query}`)
      t.equal(res.statusCode, 400, query)
    }
    const tree = await app.inject('/v1/sections?tree=true&parent=world&cursor=abc')
    t.same(pointers(t, tree), ['/cursor', '/parent'], 'tree=true takes neither cursor nor parent')
    t.equal(json<{ code: string }>(await app.inject('/v1/sections?cursor=AAAA')).code, 'ND_INVALID_CURSOR')
  })

  await t.test('writes need a key with content:write', async (t) => {
    const reader = (await createKey(db, ['content:read'])).headers
    const post = await app.inject({ method: 'POST', url: '/v1/sections', payload: { name: 'Anon' } })
    assertProblem(t, post, 401, 'ND_UNAUTHORIZED')
    for (const url of ['/v1/sections/world', '/v1/sections/world/europe']) {
      const patch = await app.inject({ method: 'PATCH', url, headers: reader, payload: { name: 'R' } })
      assertProblem(t, patch, 403, 'ND_FORBIDDEN')
      assertProblem(t, await app.inject({ method: 'DELETE', url }), 401, 'ND_UNAUTHORIZED')
    }
  })
})

test('section events in the change feed, and audit entries', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = sectionsClient(t, app, auth)
  const manager = (await createKey(db, ['keys:manage'])).headers
  const world = await api.create({ name: 'World' })
  const europe = await api.create({ name: 'Europe', parent: 'world' })
  const france = await api.create({ name: 'France', parent: 'world/europe' })
  sectionOf(await api.patch('world/europe', { name: 'Europe and Russia' }))
  sectionOf(await api.patch('world', { slug: 'international' }))
  t.equal((await api.remove('international/europe/france')).statusCode, 204)

  const res = await app.inject('/v1/changes?resource=section&limit=100')
  t.equal(res.statusCode, 200)
  const events = json<{ data: ChangeEvent[] }>(res).data
  t.same(
    events.map((e) => [e.type, e.resource.slug, e.resource.id, e.changedFields]),
    [
      ['section.created', 'world', world.id, ['name']],
      ['section.created', 'world/europe', europe.id, ['name', 'parentId']],
      ['section.created', 'world/europe/france', france.id, ['name', 'parentId']],
      ['section.updated', 'world/europe', europe.id, ['name']],
      ['section.updated', 'international', world.id, ['slug', 'path', 'depth']],
      ['section.updated', 'international/europe', europe.id, ['path', 'depth']],
      ['section.updated', 'international/europe/france', france.id, ['path', 'depth']],
      ['section.deleted', 'international/europe/france', france.id, []],
    ],
    'one public event per change, named by the path, and one per section a rename moved',
  )
  t.same(events[5]?.surrogateKeys, [`section:${europe.id}`, 'sections'])
  t.same(events[3]?.surrogateKeys, [`section:${europe.id}`, 'sections'])
  t.same(
    events[4]?.surrogateKeys,
    [`section:${world.id}`, `section:${europe.id}`, `section:${france.id}`, 'sections'].sort(),
    'a rename purges the section and every descendant (their paths changed)',
  )
  t.equal(events[4]?.resource.type, 'section')

  const audit = await app.inject({ url: '/v1/audit?resourceType=section&limit=100', headers: manager })
  const entries = json<{ data: { action: string; resourceId: string; resourceType: string }[] }>(audit).data
  t.same(
    entries.map((e) => `${e.action} ${e.resourceId}`).sort(),
    [
      `create ${world.id}`,
      `create ${europe.id}`,
      `create ${france.id}`,
      `update ${europe.id}`,
      `update ${world.id}`,
      `update ${europe.id}`,
      `update ${france.id}`,
      `delete ${france.id}`,
    ].sort(),
  )
})

test('delete is refused while the section has children or articles', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = sectionsClient(t, app, auth)
  const world = await api.create({ name: 'World' })
  const europe = await api.create({ name: 'Europe', parent: 'world' })
  await api.create({ name: 'Asia', parent: 'world' })
  const article = await db.prisma.article.create({ data: { slug: 'filed', headline: 'Filed' } })
  await db.prisma.articleSection.create({ data: { articleId: article.id, sectionId: europe.id, position: 0 } })

  const parent = assertProblem(t, await api.remove('world'), 409, 'ND_CONFLICT')
  t.same(parent.sectionReferences, { children: 2, articles: 0 })
  t.match(parent.detail, /world still has 2 child section\(s\) and 0 article\(s\)/)
  const filed = assertProblem(t, await api.remove(europe.id), 409, 'ND_CONFLICT')
  t.same(filed.sectionReferences, { children: 0, articles: 1 })
  t.notOk(filed.references, 'not the references of a source')

  // No write reaches a deleted article: its link would hold the section forever. It goes with it.
  await db.prisma.article.update({ where: { id: article.id }, data: { deletedAt: new Date() } })
  t.equal((await api.remove('world/europe')).statusCode, 204, 'a deleted article does not hold it')
  t.equal(await db.prisma.articleSection.count({ where: { articleId: article.id } }), 0)
  t.equal((await api.remove('world/asia')).statusCode, 204)
  t.equal((await api.remove(world.id)).statusCode, 204)
  t.equal(await db.prisma.section.count(), 0)
})
