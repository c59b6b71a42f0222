// A change to an article locks its row and reads it in one statement. When the lock waits for
// another change, the relations that statement read are as old as its start: the article is read
// again, so that the change judges (and its revision records) the state the other one left.
import pg from 'pg'
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, json } from '../helper.js'
import { client, env } from './articles.helpers.js'

test('a change that waited for another reads the article as the other left it', async (t) => {
  const { app, db, auth, database } = await build(t, { env })
  if (!database.url) {
    t.pass('an embedded database has one connection: no change waits for another')
    return
  }
  await seed(db.prisma)
  const api = client(app, auth)
  const created = await api.draft({ headline: 'Locked', contributors: [{ person: 'anna-hakobyan' }] })
  const davit = await db.prisma.person.findUniqueOrThrow({ where: { slug: 'davit-sargsyan' } })

  // Another writer holds the row lock and changes the contributors and the version.
  const other = new pg.Client({ connectionString: database.url })
  await other.connect()
  t.teardown(() => other.end())
  await other.query('BEGIN')
  await other.query('SELECT 1 FROM articles WHERE id = $1 FOR UPDATE', [created.id])
  await other.query('UPDATE article_contributors SET person_id = $2 WHERE article_id = $1', [created.id, davit.id])
  await other.query('UPDATE articles SET version = version + 1 WHERE id = $1', [created.id])

  const patched = app.inject({
    method: 'PATCH',
    url: `/v1/articles/${created.id}`,
    headers: auth,
    payload: { headline: 'Changed' },
  })
  // The PATCH has sent its statement and waits for the lock.
  await new Promise((resolve) => setTimeout(resolve, 300))
  await other.query('COMMIT')

  const res = await patched
  t.equal(res.statusCode, 200)
  const article = json<Article>(res)
  t.equal(article.version, created.version + 2)
  t.same(
    article.contributors.map((c) => c.personId),
    [davit.id],
    'the contributors the other change left',
  )
  const revision = await app.inject({ url: `/v1/articles/${created.id}/revisions/${article.version}`, headers: auth })
  t.same(json<{ changedFields: string[] }>(revision).changedFields, ['headline'], 'only what this change changed')
})
