// Generated article slugs: concurrent creates of one headline never fail on a slug the client did
// not send (#B3), and a generated slug is never shaped like an article id (#B4).
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { serverUrl } from '../db-url.js'
import { build, json } from '../helper.js'
import { assertProblem, client, env } from './articles.helpers.js'

test('generated slugs', async (t) => {
  const { app, auth } = await build(t, { env })
  const api = client(app, auth)

  await t.test('50 concurrent creates of one headline all succeed, with distinct suffixes', async (t) => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 5
          ? api.create({ headline: 'Earthquake hits the capital' })
          : api.create({ headline: 'Earthquake hits the capital' }, { 'idempotency-key': `quake-${i}` }),
      ),
    )
    const failed = results.filter((r) => r.statusCode !== 201)
    t.same(
      failed.map((r) => r.body.slice(0, 200)),
      [],
      'no create fails',
    )
    // On PGlite (TEST_DATABASE_URL unset) writes run one at a time anyway; the race is PostgreSQL's.
    if (!serverUrl) t.comment('PGlite: creates do not run concurrently, the race is not exercised')
    const slugs = results.map((r) => json<Article>(r).slug)
    t.equal(new Set(slugs).size, 50, 'every slug is distinct')
    t.same(
      [...slugs].sort(),
      [
        'earthquake-hits-the-capital',
        ...Array.from({ length: 49 }, (_, i) => `earthquake-hits-the-capital-${i + 2}`),
      ].sort(),
      'the suffixes are the first free ones',
    )
  })

  await t.test('a chosen slug that is taken is still a 409 naming the slug', async (t) => {
    const clash = await api.create({ headline: 'Other', slug: 'earthquake-hits-the-capital-7' })
    t.equal(assertProblem(t, clash, 409, 'ND_UNIQUE_VIOLATION').field, 'slug')
  })

  await t.test('a generated slug is never shaped like an id', async (t) => {
    const headline = '019AC0DE-7A1E-7000-8000-00000000C001'
    const a = await api.draft({ headline })
    t.equal(a.slug, '019ac0de-7a1e-7000-8000-00000000c001-2', 'an id-shaped slug gets a suffix')
    t.not(a.slug, a.id)
    const bySlug = await app.inject({ url: `/v1/articles/${a.slug}`, headers: auth })
    t.equal(json<Article>(bySlug).id, a.id, 'and reads back by its slug')
    t.equal((await api.draft({ headline })).slug, '019ac0de-7a1e-7000-8000-00000000c001-3')
  })
})
