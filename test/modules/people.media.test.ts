// People referring to media records: `image` by media id on writes (or as a read shows it), the
// MediaImage on reads and in articles embedding the person, unknown ids, clearing, surrogate keys.
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { renditionUrl } from '../../src/modules/media/media.files.js'
import type { Person } from '../../src/modules/people/people.schemas.js'
import { assertProblem, build, json, missingId, type Page } from '../helper.js'
import { client as articles } from './articles.helpers.js'
import { createMedia } from './media-uses.helpers.js'

test('a person’s picture from the media library', async (t) => {
  const { app, db, auth } = await build(t, { env: { RESPONSE_CACHE_MB: '0' } })
  const media = await createMedia(db, { alt: 'Portrait' })
  const send = (method: 'POST' | 'PATCH', url: string, payload: object) =>
    app.inject({ method, url, headers: auth, payload })

  const created = await send('POST', '/v1/people', { name: 'Ani Pictured', image: media.id.toUpperCase() })
  t.equal(created.statusCode, 201, created.body)
  const person = json<Person>(created)
  t.equal(person.image?.mediaId, media.id)
  t.equal(person.image?.url, renditionUrl(undefined, media.id, 'w1600.webp'))
  t.equal(person.image?.alt, 'Portrait')
  t.equal(person.imageUrl, null, 'imageUrl stays as written')

  const read = await app.inject({ url: `/v1/people/${person.slug}` })
  t.same(json<Person>(read).image, person.image)
  t.same(String(read.headers['surrogate-key']).split(' '), [`person:${person.id}`, `media:${media.id}`])
  const list = await app.inject({ url: '/v1/people?limit=100' })
  t.same(json<Page<Person>>(list).data.find((p) => p.id === person.id)?.image, person.image)
  t.ok(String(list.headers['surrogate-key']).split(' ').includes(`media:${media.id}`))

  const article: Article = await articles(app, auth).draft({
    headline: 'By a pictured person',
    contributors: [{ personId: person.id }],
  })
  const embedded = await app.inject({ url: `/v1/articles/${article.id}?include=contributors`, headers: auth })
  t.same(json<Article>(embedded).contributors[0]?.person?.image, person.image, 'articles embed it too')
  t.ok(String(embedded.headers['surrogate-key']).split(' ').includes(`media:${media.id}`), 'with its surrogate key')

  const again = await send('PATCH', `/v1/people/${person.id}`, { image: person.image as object })
  t.equal(again.statusCode, 200, 'the image as read is accepted back')
  t.same(json<Person>(again).image, person.image)

  const unknown = await send('PATCH', `/v1/people/${person.id}`, { image: missingId })
  t.equal(assertProblem(t, unknown, 422, 'ND_REFERENCE_MISSING').field, 'image')
  const unknownCreate = await send('POST', '/v1/people', { name: 'Nobody', image: { mediaId: missingId } })
  assertProblem(t, unknownCreate, 422, 'ND_REFERENCE_MISSING')
  t.equal(await db.prisma.person.count({ where: { name: 'Nobody' } }), 0)

  const cleared = await send('PATCH', `/v1/people/${person.id}`, { image: null })
  t.equal(json<Person>(cleared).image, null)
  t.equal((await db.prisma.person.findUniqueOrThrow({ where: { id: person.id } })).imageMediaId, null)
})
