// Moving and renaming sections: the whole subtree follows in one transaction, loops and trees
// deeper than 8 levels are refused, clashes are 409s, and concurrent writes keep the tree whole.
import { test } from 'tap'
import type { Database } from '../../src/db/database.js'
import { findSectionIds } from '../../src/modules/sections/sections.repository.js'
import { serverUrl } from '../db-url.js'
import { assertProblem, build, json, missingId, type Res } from '../helper.js'
import { racing } from '../race.js'
import { type Section, sectionOf, sectionsClient } from './sections.helpers.js'

// Many requests from one key and one address.
const env = { RATE_LIMIT_MAX: '1000000', RATE_LIMIT_ANONYMOUS_MAX: '1000000' }

/** Sections whose path or depth disagrees with their parent's: none in a sound tree. */
async function unsound(db: Database) {
  return db.prisma.$queryRaw<{ path: string }[]>`
    SELECT s.path FROM sections s LEFT JOIN sections p ON p.id = s.parent_id
    WHERE (p.id IS NULL AND (s.path <> s.slug OR s.depth <> 1))
       OR (p.id IS NOT NULL AND (s.path <> p.path || '/' || s.slug OR s.depth <> p.depth + 1))`
}

test('moves and renames take the whole subtree along', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = sectionsClient(t, app, auth)
  const world = await api.create({ name: 'World' })
  const asia = await api.create({ name: 'Asia' })
  const middleEast = await api.create({ name: 'Middle East', parent: 'world' })
  const iraq = await api.create({ name: 'Iraq', parent: 'world/middle-east' })
  const baghdad = await api.create({ name: 'Baghdad', parent: 'world/middle-east/iraq' })
  await api.create({ name: 'Syria', parent: 'world/middle-east' })

  await t.test('a move under another parent', async (t) => {
    const moved = sectionOf(await api.patch('world/middle-east', { parent: 'asia' }))
    t.match(moved, { path: 'asia/middle-east', depth: 2, parentId: asia.id, slug: 'middle-east' })
    t.same(await api.paths(), [
      'asia',
      'asia/middle-east',
      'asia/middle-east/iraq',
      'asia/middle-east/iraq/baghdad',
      'asia/middle-east/syria',
      'world',
    ])
    const grandchild = sectionOf(await api.get(baghdad.id))
    t.match(grandchild, { path: 'asia/middle-east/iraq/baghdad', depth: 4, parentId: iraq.id })
    t.ok(grandchild.updatedAt >= baghdad.updatedAt)
    assertProblem(t, await api.get('world/middle-east/iraq'), 404, 'ND_NOT_FOUND')
    t.equal(sectionOf(await api.get('asia/middle-east/iraq')).id, iraq.id)
  })

  await t.test('a rename, a move to the root, a move and rename at once', async (t) => {
    t.equal(sectionOf(await api.patch('asia', { slug: 'asia-pacific' })).path, 'asia-pacific')
    t.equal(sectionOf(await api.get(baghdad.id)).path, 'asia-pacific/middle-east/iraq/baghdad')

    const root = sectionOf(await api.patch(iraq.id, { parent: null, name: 'Iraq (all)' }))
    t.match(root, { path: 'iraq', depth: 1, parentId: null, name: 'Iraq (all)' })
    t.match(sectionOf(await api.get(baghdad.id)), { path: 'iraq/baghdad', depth: 2 })

    const both = sectionOf(await api.patch('iraq', { parentId: middleEast.id, slug: 'irak', position: 3 }))
    t.match(both, { path: 'asia-pacific/middle-east/irak', depth: 3, position: 3 })
    t.match(sectionOf(await api.get(baghdad.id)), { path: 'asia-pacific/middle-east/irak/baghdad', depth: 4 })
    t.same(await unsound(db), [])
  })

  await t.test('a change naming the same parent and slug moves nothing', async (t) => {
    const before = sectionOf(await api.get(baghdad.id))
    const same = sectionOf(await api.patch('asia-pacific/middle-east', { parent: 'asia-pacific', slug: 'middle-east' }))
    t.equal(same.path, 'asia-pacific/middle-east')
    t.same(sectionOf(await api.get(baghdad.id)), before, 'its descendants are not touched')
    const feed = json<{ data: { changedFields: string[]; surrogateKeys: string[] }[] }>(
      await app.inject('/v1/changes?resource=section&limit=100'),
    ).data
    t.same(feed.at(-1), {
      ...feed.at(-1),
      changedFields: ['parentId', 'slug'],
      surrogateKeys: [`section:${middleEast.id}`, 'sections'],
    })
  })

  await t.test('a move under itself or a descendant is a 422 naming the loop', async (t) => {
    const cases = [
      ['world', { parent: 'world' }, 'world cannot move under world: it would be its own ancestor (world → world)'],
      [
        'asia-pacific',
        { parent: 'asia-pacific/middle-east/irak' },
        'asia-pacific cannot move under asia-pacific/middle-east/irak: it would be its own ancestor ' +
          '(asia-pacific → asia-pacific/middle-east → asia-pacific/middle-east/irak → asia-pacific)',
      ],
      [
        'asia-pacific/middle-east',
        { parentId: baghdad.id },
        'asia-pacific/middle-east cannot move under asia-pacific/middle-east/irak/baghdad: it would be its own ' +
          'ancestor (asia-pacific/middle-east → asia-pacific/middle-east/irak → ' +
          'asia-pacific/middle-east/irak/baghdad → asia-pacific/middle-east)',
      ],
    ] as const
    const before = await api.paths()
    for (const [key, change, detail] of cases) {
      const problem = assertProblem(t, await api.patch(key, change), 422, 'ND_SECTION_CYCLE')
      t.equal(problem.detail, detail)
    }
    t.same(await api.paths(), before, 'nothing moved')
    t.equal(sectionOf(await api.get(world.id)).parentId, null)
  })

  await t.test('a path in use is a 409, and nothing moves', async (t) => {
    await api.create({ name: 'Syria', parent: 'asia-pacific' })
    const before = await api.paths()
    const clash = assertProblem(
      t,
      await api.patch('asia-pacific/middle-east/syria', { parent: 'asia-pacific' }),
      409,
      'ND_UNIQUE_VIOLATION',
    )
    t.equal(clash.field, 'path')
    const rename = await api.patch('asia-pacific/middle-east/irak', { slug: 'syria' })
    t.equal(assertProblem(t, rename, 409, 'ND_UNIQUE_VIOLATION').field, 'path')
    t.same(await api.paths(), before)
  })
})

test('no section deeper than 8 levels, by creation or by move', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = sectionsClient(t, app, auth)
  let parent: string | null = null
  for (const slug of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
    parent = (await api.create({ name: slug.toUpperCase(), slug, parent })).path
  }
  t.equal(parent, 'a/b/c/d/e/f/g/h')
  const tooDeep = assertProblem(t, await api.post({ name: 'I', parent }), 422, 'ND_SECTION_TOO_DEEP')
  t.equal(
    tooDeep.detail,
    'Sections nest at most 8 levels: a/b/c/d/e/f/g/h is at level 8 and cannot have child sections',
  )

  await api.create({ name: 'X' })
  await api.create({ name: 'Y', parent: 'x' })
  await api.create({ name: 'Z', parent: 'x/y' })
  const move = assertProblem(t, await api.patch('x', { parent: 'a/b/c/d/e/f' }), 422, 'ND_SECTION_TOO_DEEP')
  t.equal(
    move.detail,
    'x cannot move under a/b/c/d/e/f: with its subtree (3 levels) it would reach level 9, and sections nest at most 8 levels',
  )
  const within = assertProblem(t, await api.patch('a/b', { parent: 'x/y/z' }), 422, 'ND_SECTION_TOO_DEEP')
  t.match(within.detail, /^a\/b cannot move under x\/y\/z: with its subtree \(7 levels\) it would reach level 10/)
  t.equal(sectionOf(await api.patch('x', { parent: 'a/b/c/d/e' })).depth, 6, 'to level 8 exactly')
  t.equal(sectionOf(await api.get('a/b/c/d/e/x/y/z')).depth, 8)
  t.same(await unsound(db), [])
})

test('long paths, raw or encoded, and the helpers other records use', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = sectionsClient(t, app, auth)
  const slugs = 'abcdefgh'.split('').map((c) => c.repeat(100))
  let deepest: Section | undefined
  for (const slug of slugs) deepest = await api.create({ name: slug, slug, parent: deepest?.path ?? null })
  const path = slugs.join('/')
  t.equal(deepest?.path, path)
  t.equal(path.length, 807)
  for (const url of [path, encodeURIComponent(path)]) {
    t.equal(sectionOf(await api.get(url)).id, deepest?.id, `GET of ${url.length} characters`)
    t.equal(sectionOf(await api.patch(url, { position: 1 })).position, 1)
  }
  t.equal((await api.remove(encodeURIComponent(path))).statusCode, 204)

  const root = await api.create({ name: 'Root' })
  const child = await api.create({ name: 'Child', parent: 'root' })
  await api.create({ name: 'Grandchild', parent: 'root/child' })
  const other = await api.create({ name: 'Other' })
  const ids = await findSectionIds(db.prisma, ['root/child', root.id.toUpperCase(), 'nowhere', missingId, 'other'])
  t.same(
    [...ids],
    [
      ['root/child', child.id],
      [root.id.toUpperCase(), root.id],
      ['other', other.id],
    ],
    'findSectionIds: each key naming a section, by id or path',
  )
  t.same(await findSectionIds(db.prisma, []), new Map())
})

test('the tree answer is bounded', async (t) => {
  const { app, db } = await build(t, { env })
  await db.prisma.section.createMany({
    data: Array.from({ length: 2001 }, (_, i) => ({ slug: `s${i}`, name: `S${i}`, path: `s${i}`, depth: 1 })),
  })
  const problem = assertProblem(t, await app.inject('/v1/sections?tree=true'), 409, 'ND_CONFLICT')
  t.match(problem.detail, /more than 2000 sections/)
  t.equal((await app.inject('/v1/sections?limit=100')).statusCode, 200, 'the flat list still answers')
  await db.prisma.section.deleteMany({ where: { slug: 's0' } })
  t.equal(json<{ data: unknown[] }>(await app.inject('/v1/sections?tree=true')).data.length, 2000)
})

// PGlite runs one transaction at a time: the races are PostgreSQL's.
test('concurrent writes keep the tree whole', { skip: serverUrl ? false : 'needs a PostgreSQL server' }, async (t) => {
  const { app, db, auth, database } = await build(t, { env })
  const url = database.url as string
  const api = sectionsClient(t, app, auth)

  const race = (hold: string[], requests: () => Promise<Res>[], release: string[] = []) =>
    racing(url, hold, requests, release)

  await t.test('two moves that would together make a loop: one wins', async (t) => {
    const x = await api.create({ name: 'X' })
    const y = await api.create({ name: 'Y' })
    const xc = await api.create({ name: 'XC', parent: 'x' })
    const yc = await api.create({ name: 'YC', parent: 'y' })
    const [first, second] = await race([`SELECT 1 FROM sections WHERE id IN ('${x.id}', '${y.id}') FOR UPDATE`], () => [
      api.patch(x.id, { parent: yc.id }),
      api.patch(y.id, { parent: xc.id }),
    ])
    const statuses = [first?.statusCode, second?.statusCode].sort()
    t.same(statuses, [200, 422], `one move wins: ${first?.body.slice(0, 200)} / ${second?.body.slice(0, 200)}`)
    const lost = [first, second].find((r) => r?.statusCode === 422) as Res
    t.match(assertProblem(t, lost, 422, 'ND_SECTION_CYCLE').detail, /it would be its own ancestor/)
    t.same(await unsound(db), [], 'every path and depth agrees with its parent')
    const roots = await db.prisma.section.count({ where: { id: { in: [x.id, y.id] }, parentId: null } })
    t.equal(roots, 1, 'one of them is still a root')
  })

  await t.test('a child created under a section being moved gets the new path', async (t) => {
    const home = await api.create({ name: 'Home' })
    const [created] = await race([`UPDATE sections SET slug = 'house', path = 'house' WHERE id = '${home.id}'`], () => [
      api.post({ name: 'Room', parentId: home.id }),
    ])
    t.equal(sectionOf(created as Res).path, 'house/room')
  })

  await t.test('a move waits for a child being created under its subtree, then moves it too', async (t) => {
    const top = await api.create({ name: 'Top' })
    const mid = await api.create({ name: 'Mid', parent: 'top' })
    const [moved] = await race(
      [
        `INSERT INTO sections (id, slug, name, parent_id, path, depth, updated_at)
         VALUES (gen_random_uuid(), 'leaf', 'Leaf', '${mid.id}', 'top/mid/leaf', 3, now())`,
      ],
      () => [api.patch(top.id, { slug: 'summit' })],
    )
    t.equal(sectionOf(moved as Res).path, 'summit')
    t.same(
      (await api.list('parent=summit%2Fmid')).data.map((s) => s.path),
      ['summit/mid/leaf'],
      'the child created meanwhile moved with its parent',
    )
    t.same(await unsound(db), [])
  })

  await t.test('a move to a parent deleted meanwhile is a 422; of a section deleted meanwhile a 404', async (t) => {
    const mover = await api.create({ name: 'Mover' })
    const target = await api.create({ name: 'Target' })
    const [toGone] = await race([`DELETE FROM sections WHERE id = '${target.id}'`], () => [
      api.patch(mover.id, { parent: target.id }),
    ])
    t.equal(assertProblem(t, toGone as Res, 422, 'ND_REFERENCE_MISSING').field, 'parent')
    const [gone] = await race([`DELETE FROM sections WHERE id = '${mover.id}'`], () => [
      api.patch(mover.id, { slug: 'moved' }),
    ])
    assertProblem(t, gone as Res, 404, 'ND_NOT_FOUND')
  })
})
