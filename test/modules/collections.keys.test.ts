// What the public box's headers give away: its Surrogate-Key names only the teasers, articles and
// sources the box shows (and the box itself), and no header of a public answer — fresh, from the
// response cache, or a 304 — carries the id or slug of a teaser, article or source it hides.
import { test } from 'tap'
import { build, createKey, json, testClock } from '../helper.js'
import { type Box, client, type Res } from './collections.helpers.js'

const env = { RATE_LIMIT_ANONYMOUS_MAX: '100000' }
const hour = 3_600_000

/** The header values of an answer as one string, to search for what must not be in any of them. */
function headerText(res: Res): string {
  return Object.entries(res.headers)
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join('\n')
}

test('the public box names only what it shows', async (t) => {
  const clock = testClock(new Date('2031-03-01T12:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const preview = await createKey(db, ['content:preview'])
  const iso = (ms: number) => new Date(ms).toISOString()
  let n = 0

  const source = async (name: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: auth,
      payload: { name: `${name} ${++n}`, kind: 'publisher' },
    })
    t.equal(res.statusCode, 201, `source ${name} created`)
    return json<{ id: string; slug: string }>(res)
  }
  const articleAction = async (id: string, action: string, payload?: object) => {
    const res = await app.inject({ method: 'POST', url: `/v1/articles/${id}/${action}`, headers: auth, payload })
    t.equal(res.statusCode, 200, `article ${action}`)
  }
  /** A draft with its own source; published when `publishAt` is given ('now' for at once). */
  const article = async (headline: string, publishAt?: 'now' | number) => {
    const own = await source(`${headline} source`)
    const res = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: auth,
      payload: { headline: `${headline} ${++n}`, body: 'Copy.', source: own.slug },
    })
    t.equal(res.statusCode, 201, `article ${headline} created`)
    const { id, slug } = json<{ id: string; slug: string }>(res)
    if (publishAt === 'now') await articleAction(id, 'publish')
    else if (publishAt !== undefined) await articleAction(id, 'publish', { publishAt: iso(publishAt) })
    return { id, slug, secrets: [id, slug, own.id, own.slug] }
  }
  /** Adds a teaser with its own source; returns what names it and its source. */
  const teaser = async (key: string, text: string, link: object, extra: object = {}) => {
    const own = await source(`${text} teaser source`)
    const res = await api.add(key, { text, ...link, source: own.slug, ...extra })
    t.equal(res.statusCode, 201, `teaser ${text} added`)
    const { id } = json<{ id: string }>(res)
    return { id, sourceId: own.id, secrets: [id, own.id, own.slug] }
  }

  const now = clock().getTime()
  const shownArticle = await article('Shown', 'now')
  const hiddenStates: [string, (key: string) => Promise<string[]>][] = [
    [
      'a window not started',
      async (key) =>
        (await teaser(key, 'Later', { url: 'https://example.com/later' }, { startsAt: iso(now + hour) })).secrets,
    ],
    [
      'a window ended',
      async (key) =>
        (await teaser(key, 'Over', { url: 'https://example.com/over' }, { endsAt: iso(now - hour) })).secrets,
    ],
    [
      'a draft article',
      async (key) => {
        const a = await article('Draft')
        return [...a.secrets, ...(await teaser(key, 'Of a draft', { articleId: a.id })).secrets]
      },
    ],
    [
      'a scheduled article',
      async (key) => {
        const a = await article('Scheduled', now + hour)
        return [...a.secrets, ...(await teaser(key, 'Of a scheduled one', { articleId: a.id })).secrets]
      },
    ],
    [
      'an archived article',
      async (key) => {
        const a = await article('Archived', 'now')
        await articleAction(a.id, 'archive')
        return [...a.secrets, ...(await teaser(key, 'Of an archived one', { articleId: a.id })).secrets]
      },
    ],
    [
      'a deleted article',
      async (key) => {
        const a = await article('Deleted', 'now')
        const own = await teaser(key, 'Of a deleted one', { articleId: a.id })
        const del = await app.inject({ method: 'DELETE', url: `/v1/articles/${a.id}`, headers: auth })
        t.equal(del.statusCode, 204, 'article deleted')
        return [...a.secrets, ...own.secrets]
      },
    ],
    [
      'the cap',
      async (key) => {
        const a = await article('Over the cap', 'now')
        return [...a.secrets, ...(await teaser(key, 'One too many', { articleId: a.id })).secrets]
      },
    ],
  ]

  for (const [i, [state, addHidden]] of hiddenStates.entries()) {
    await t.test(`a teaser hidden by ${state}`, async (t) => {
      const key = `hidden-${i}`
      const created = await api.createCollection({ key, title: state, maxItems: 1 })
      t.equal(created.statusCode, 201)
      const shown = await teaser(key, 'Shown', { articleId: shownArticle.id })
      const secrets = await addHidden(key)

      const fresh = await api.box(key)
      t.equal(fresh.statusCode, 200)
      t.same(
        json<Box>(fresh).data.map((d) => d.id),
        [shown.id],
        'the public box shows only the visible teaser',
      )
      t.same(
        String(fresh.headers['surrogate-key']).split(' ').sort(),
        [
          `collection:${key}`,
          'articles',
          `teaser:${shown.id}`,
          `source:${shownArticle.secrets[2]}`,
          `source:${shown.sourceId}`,
        ].sort(),
        'its surrogate keys: the box, what it shows, and every article list (a hidden article may be published)',
      )

      // Until a hit comes back: the notification of the writes above may empty the cache once more.
      let cached = await api.box(key)
      for (let tries = 0; cached.headers.age === undefined && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
        cached = await api.box(key)
      }
      t.ok(cached.headers.age, 'an answer from the response cache')
      const notModified = await api.box(key, { 'if-none-match': String(fresh.headers.etag) })
      t.equal(notModified.statusCode, 304)
      for (const [name, res] of [
        ['fresh', fresh],
        ['cached', cached],
        ['304', notModified],
      ] as const) {
        const headers = headerText(res)
        for (const secret of secrets) t.notOk(headers.includes(secret), `${name}: no header names ${secret}`)
      }

      const previewed = await api.box(key, preview.headers)
      t.equal(previewed.headers['cache-control'], 'private, no-store')
      const previewKeys = String(previewed.headers['surrogate-key']).split(' ')
      for (const d of json<Box>(previewed).data) {
        t.ok(previewKeys.includes(`teaser:${d.id}`), 'a preview names every teaser it shows, hidden ones too')
      }
    })
  }
})

test('public positions count only the teasers shown: gaps would count the hidden ones', async (t) => {
  const clock = testClock(new Date('2031-03-01T12:00:00.000Z'))
  const { app, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  t.equal((await api.createCollection({ key: 'gaps', title: 'Gaps', maxItems: 5 })).statusCode, 201)
  const later = new Date(clock().getTime() + hour).toISOString()
  for (const [text, extra] of [
    ['First', {}],
    ['Hidden', { startsAt: later }],
    ['Second', {}],
    ['Also hidden', { startsAt: later }],
    ['Third', {}],
  ] as const) {
    t.equal((await api.add('gaps', { text, url: `https://example.com/${text.length}`, ...extra })).statusCode, 201)
  }
  const shown = json<Box>(await api.box('gaps')).data
  t.same(
    shown.map((d) => [d.text, d.position]),
    [
      ['First', 0],
      ['Second', 1],
      ['Third', 2],
    ],
  )
  const preview = json<Box>(await api.box('gaps', auth)).data
  t.same(
    preview.map((d) => d.position),
    [0, 1, 2, 3, 4],
    'editors see the stored positions',
  )
})
