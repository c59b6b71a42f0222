// Section lists: flat by path (a page, or one parent's children) and the nested tree, with their
// caching headers.
import { test } from 'tap'
import { build, json, missingId } from '../helper.js'
import { type SectionNode, sectionsClient, shape } from './sections.helpers.js'

// Many requests from one key and one address.
const env = { RATE_LIMIT_MAX: '1000000', RATE_LIMIT_ANONYMOUS_MAX: '1000000' }

test("section lists: flat by path, a parent's children, the tree; caching headers", async (t) => {
  const { app, auth } = await build(t, { env })
  const api = sectionsClient(t, app, auth)
  await api.create({ name: 'World' })
  await api.create({ name: 'Sport', position: 1 })
  await api.create({ name: 'Arts', position: 1 })
  await api.create({ name: 'Zeitgeist' })
  for (const [name, position] of [
    ['Middle East', 5],
    ['Europe', 5],
    ['Africa', 9],
    ['Asia', 0],
  ] as const) {
    await api.create({ name, parent: 'world', position })
  }
  await api.create({ name: 'Iraq', parent: 'world/middle-east' })
  await api.create({ name: 'Football', parent: 'sport' })

  const flat = await api.list()
  t.same(
    flat.data.map((s) => s.path),
    [
      'arts',
      'sport',
      'sport/football',
      'world',
      'world/africa',
      'world/asia',
      'world/europe',
      'world/middle-east',
      'world/middle-east/iraq',
      'zeitgeist',
    ],
    'flat: every section by path',
  )
  t.same(flat.page, { limit: 20, nextCursor: null })
  t.notOk(flat.link)

  const walked: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page: Awaited<ReturnType<typeof api.list>> = await api.list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`)
    walked.push(...page.data.map((s) => s.path))
    cursor = page.page.nextCursor
    if (cursor) t.equal(page.link, `</v1/sections?limit=3&cursor=${cursor}>; rel="next"`)
    pages++
  } while (cursor && pages < 10)
  t.same(
    walked,
    flat.data.map((s) => s.path),
    'pages neither skip nor repeat',
  )
  t.equal(pages, 4)

  const world = flat.data.find((s) => s.path === 'world')
  const children = ['world/africa', 'world/asia', 'world/europe', 'world/middle-east']
  t.same(
    (await api.list('parent=world')).data.map((s) => s.path),
    children,
    'parent by path: its children only',
  )
  t.same(
    (await api.list(`parent=${world?.id}`)).data.map((s) => s.path),
    children,
    'parent by id',
  )
  t.same(
    (await api.list('parent=world%2Fmiddle-east')).data.map((s) => s.path),
    ['world/middle-east/iraq'],
  )
  const paged = await api.list('parent=world&limit=2')
  t.same(
    (await api.list(`parent=world&limit=2&cursor=${paged.page.nextCursor}`)).data.map((s) => s.path),
    children.slice(2),
  )
  t.same((await api.list('parent=nowhere')).data, [], 'an unknown parent has no children')
  t.same((await api.list(`parent=${missingId}`)).data, [])

  const tree = await api.tree()
  t.same(
    shape(tree),
    {
      world: {
        'world/asia': {},
        'world/europe': {},
        'world/middle-east': { 'world/middle-east/iraq': {} },
        'world/africa': {},
      },
      zeitgeist: {},
      arts: {},
      sport: { 'sport/football': {} },
    },
    'nested; siblings by position, then slug',
  )
  t.same(Object.keys(shape(tree)), ['world', 'zeitgeist', 'arts', 'sport'])
  t.same(Object.keys(shape(tree).world as object), ['world/asia', 'world/europe', 'world/middle-east', 'world/africa'])
  const iraq = (tree[0] as SectionNode).children[2]?.children[0]
  t.match(iraq, { path: 'world/middle-east/iraq', depth: 3, children: [] }, 'each node is a whole section')
  t.notOk('page' in json(await app.inject('/v1/sections?tree=true')), 'the tree is not paginated')

  await t.test('caching headers: public for readers, keyed for purges', async (t) => {
    const list = await app.inject('/v1/sections')
    t.equal(list.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
    t.equal(list.headers['surrogate-key'], 'sections')
    t.match(list.headers.vary, /Authorization/)
    t.equal((await app.inject('/v1/sections?tree=true')).headers['surrogate-key'], 'sections')
    const one = await app.inject('/v1/sections/world/middle-east')
    t.equal(one.headers['surrogate-key'], `section:${json<{ id: string }>(one).id}`)
    t.equal(one.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
    const editor = await app.inject({ url: '/v1/sections/world', headers: auth })
    t.equal(editor.headers['cache-control'], 'private, no-store')
    const again = await app.inject({
      url: '/v1/sections/world%2Fmiddle-east',
      headers: { 'if-none-match': String(one.headers.etag) },
    })
    t.equal(again.statusCode, 304)
  })
})
