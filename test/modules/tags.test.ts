// GET /v1/tags: public callers see only the tags of public articles, counted over those (#B2);
// preview callers see every tag, counting every article not deleted.
import { test } from 'tap'
import type { TagCount } from '../../src/modules/tags/tags.schemas.js'
import { build, createKey, json, type Page, testClock } from '../helper.js'
import { client, env, type Headers } from './articles.helpers.js'

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

  await t.test('public callers see tags of public articles only, with public counts', async (t) => {
    for (const headers of [{}, reader]) {
      const tags = await walk(headers)
      t.same(tags, [
        { slug: 'public-tag', name: 'Public tag', articleCount: 1 },
        { slug: 'shared', name: 'Shared', articleCount: 1 },
      ])
    }
  })

  await t.test('preview callers see every tag, counting every live article', async (t) => {
    for (const headers of [previewer, auth]) {
      const counts = Object.fromEntries((await walk(headers)).map((c) => [c.slug, c.articleCount]))
      t.same(counts, {
        'archived-only': 1,
        'deleted-only': 0,
        'draft-only': 1,
        'public-tag': 1,
        'scheduled-only': 1,
        shared: 3,
      })
    }
  })

  await t.test('a scheduled article counts from its publish time', async (t) => {
    clock.advance(60_000)
    const slugs = (await walk({})).map((c) => [c.slug, c.articleCount])
    t.same(slugs, [
      ['public-tag', 1],
      ['scheduled-only', 1],
      ['shared', 2],
    ])
  })
})
