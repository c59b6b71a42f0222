// Reading tags: public callers see only the tags of public articles, counted over those (#B2), in
// the list and one by one; preview callers see every tag, counting every article not deleted.
import { test } from 'tap'
import type { TagCount } from '../../src/modules/tags/tags.schemas.js'
import { build, createKey, json, type Page, pointers, testClock } from '../helper.js'
import { assertProblem, client, env, type Headers } from './articles.helpers.js'

const counts = (tags: TagCount[]) => tags.map((c) => ({ slug: c.slug, name: c.name, articleCount: c.articleCount }))

test('tags', async (t) => {
  const clock = testClock(new Date('2031-07-01T00:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const reader = (await createKey(db, ['content:read'])).headers
  const previewer = (await createKey(db, ['content:preview'])).headers
  const story = (headline: string, tags: string[]) => api.draft({ headline, body: 'Text.', tags })

  const live = await story('Live', ['public-tag', 'shared'])
  await api.action(live.id, 'publish')
  await story('Draft', ['draft-only', 'shared'])
  const scheduled = await story('Scheduled', ['scheduled-only', 'shared'])
  await api.action(scheduled.id, 'publish', { publishAt: new Date(clock().getTime() + 60_000).toISOString() })
  const gone = await story('Deleted', ['deleted-only'])
  await api.action(gone.id, 'publish')
  await api.remove(gone.id)
  const archived = await story('Archived', ['archived-only'])
  await api.action(archived.id, 'publish')
  await api.action(archived.id, 'archive')

  const walk = async (headers: Headers) => {
    const seen: TagCount[] = []
    let cursor: string | null = null
    do {
      const res = await app.inject({ url: `/v1/tags?limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers })
      t.equal(res.statusCode, 200)
      const page: Page<TagCount> = json<Page<TagCount>>(res)
      seen.push(...page.data)
      cursor = page.page.nextCursor
    } while (cursor)
    return seen
  }
  const get = (slug: string, headers: Headers = {}) => app.inject({ url: `/v1/tags/${slug}`, headers })

  await t.test('public callers see tags of public articles only, with public counts', async (t) => {
    for (const headers of [{}, reader]) {
      const tags = await walk(headers)
      t.same(counts(tags), [
        { slug: 'public-tag', name: 'Public tag', articleCount: 1 },
        { slug: 'shared', name: 'Shared', articleCount: 1 },
      ])
      t.match(tags[0], { type: 'subject', uri: null, description: null, id: /^[0-9a-f-]{36}$/ })
    }
  })

  await t.test('preview callers see every tag, counting every live article', async (t) => {
    for (const headers of [previewer, auth]) {
      const found = Object.fromEntries((await walk(headers)).map((c) => [c.slug, c.articleCount]))
      t.same(found, {
        'archived-only': 1,
        'deleted-only': 0,
        'draft-only': 1,
        'public-tag': 1,
        'scheduled-only': 1,
        shared: 3,
      })
    }
  })

  await t.test('one tag: public only while a public article uses it, with the same counts', async (t) => {
    const shared = await get('shared')
    t.equal(shared.statusCode, 200)
    t.match(json(shared), { slug: 'shared', name: 'Shared', type: 'subject', articleCount: 1 })
    t.equal(shared.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
    t.equal(shared.headers['surrogate-key'], 'tag:shared tags')
    t.match(shared.headers.vary, /Authorization/)
    const revalidated = await app.inject({ url: '/v1/tags/shared', headers: { 'if-none-match': shared.headers.etag } })
    t.equal(revalidated.statusCode, 304)

    for (const slug of ['draft-only', 'scheduled-only', 'deleted-only', 'archived-only', 'no-such-tag']) {
      for (const headers of [{}, reader]) {
        const hidden = assertProblem(t, await get(slug, headers), 404, 'ND_NOT_FOUND')
        t.match(hidden.detail, slug, `${slug} is a 404 to public callers`)
      }
    }
    const preview = await get('draft-only', previewer)
    t.match(json(preview), { slug: 'draft-only', articleCount: 1 })
    t.equal(preview.headers['cache-control'], 'private, no-store')
    t.match(json(await get('shared', auth)), { articleCount: 3 })
    t.match(json(await get('deleted-only', previewer)), { articleCount: 0 })
    assertProblem(t, await get('no-such-tag', previewer), 404, 'ND_NOT_FOUND')
    t.same(pointers(t, await get('Not-A-Slug')), ['/slug'])
  })

  await t.test('a scheduled article counts from its publish time', async (t) => {
    clock.advance(60_000)
    const slugs = (await walk({})).map((c) => [c.slug, c.articleCount])
    t.same(slugs, [
      ['public-tag', 1],
      ['scheduled-only', 1],
      ['shared', 2],
    ])
    t.equal((await get('scheduled-only')).statusCode, 200)
  })
})

test('tag lists: type and q', async (t) => {
  const { app, auth } = await build(t, { env })
  const api = client(app, auth)
  const create = (payload: object) => app.inject({ method: 'POST', url: '/v1/tags', headers: auth, payload })
  for (const tag of [
    { slug: 'armenia', name: 'Armenia', type: 'place' },
    { slug: 'yerevan', name: 'Yerevan (capital)', type: 'place' },
    { slug: 'un', name: 'United Nations', type: 'organisation' },
    { slug: 'percent', name: '100% Armenian', type: 'subject' },
  ]) {
    t.equal((await create(tag)).statusCode, 201)
  }
  const story = await api.draft({ headline: 'Story', body: 'Text.', tags: ['armenia', 'un'] })
  await api.action(story.id, 'publish')

  const list = async (query: string, headers: Headers = auth) => {
    const res = await app.inject({ url: `/v1/tags?${query}`, headers })
    t.equal(res.statusCode, 200, query)
    return json<Page<TagCount>>(res).data.map((c) => c.slug)
  }
  t.same(await list('type=place'), ['armenia', 'yerevan'])
  t.same(await list('type=event'), [])
  t.same(await list('q=ARMEN'), ['armenia', 'percent'], 'q: the name or the slug, any case')
  t.same(await list('q=capital'), ['yerevan'])
  t.same(await list('q=nations&type=organisation'), ['un'])
  t.same(await list('q=%25'), ['percent'], 'LIKE wildcards in q are literal')
  t.same(await list('q=_'), [])
  t.same(await list('q=a&limit=1'), ['armenia'])
  t.same(await list('q=armen', {}), ['armenia'], 'public callers: only the tags of public articles match')
  t.same(await list('type=organisation', {}), ['un'])

  t.same(pointers(t, await app.inject('/v1/tags?type=thing')), ['/type'])
  t.same(pointers(t, await app.inject('/v1/tags?q=')), ['/q'])
  t.same(pointers(t, await app.inject(`/v1/tags?q=${'x'.repeat(101)}`)), ['/q'])
  t.same(pointers(t, await app.inject('/v1/tags?tag=x')), ['/tag'])
})
