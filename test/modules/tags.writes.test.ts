// Managing the tag vocabulary: create, update, rename (old slugs keep resolving, articles get a new
// version), delete; events that do not reveal prepared tags, audit entries, bad input.
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import type { TagCount } from '../../src/modules/tags/tags.schemas.js'
import { serverUrl } from '../db-url.js'
import { build, createKey, json, type Page, pointers, testClock } from '../helper.js'
import { racing } from '../race.js'
import { assertProblem, client, env, type Res, type Revision } from './articles.helpers.js'
import { tagClient } from './tags.helpers.js'

test('create, read, update, delete', async (t) => {
  const clock = testClock(new Date('2031-08-01T08:00:00.000Z'))
  const { app, db, auth, writer } = await build(t, { clock, env })
  const tags = tagClient(app, auth)
  const previewer = (await createKey(db, ['content:preview'])).headers

  const res = await tags.create({
    slug: 'economy',
    name: 'Economy, business and finance',
    uri: 'http://cv.iptc.org/newscodes/mediatopic/04000000',
    description: 'IPTC Media Topic 04000000',
  })
  t.equal(res.statusCode, 201)
  t.equal(res.headers.location, '/v1/tags/economy')
  const created = json<TagCount>(res)
  t.match(created, {
    id: /^[0-9a-f-]{36}$/,
    slug: 'economy',
    name: 'Economy, business and finance',
    type: 'subject',
    uri: 'http://cv.iptc.org/newscodes/mediatopic/04000000',
    description: 'IPTC Media Topic 04000000',
    articleCount: 0,
  })
  t.same(json(await tags.get('economy', previewer)), created)
  assertProblem(t, await tags.get('economy', {}), 404, 'ND_NOT_FOUND')
  const publicList = json<Page<TagCount>>(await app.inject('/v1/tags'))
  t.same(publicList.data, [], 'a prepared tag is not listed publicly')
  t.same(
    json<Page<TagCount>>(await app.inject({ url: '/v1/tags', headers: previewer })).data.map((c) => c.slug),
    ['economy'],
  )
  const row = await db.prisma.tag.findUniqueOrThrow({ where: { slug: 'economy' } })
  t.equal(row.createdById, writer.id)

  clock.advance(1000)
  const patched = await tags.patch('economy', { name: 'Economy', type: 'subject', description: null })
  t.equal(patched.statusCode, 200)
  t.match(json(patched), { slug: 'economy', name: 'Economy', description: null, uri: /mediatopic/ })
  const wikidata = 'https://www.wikidata.org/wiki/Q8134'
  t.match(json(await tags.patch('economy', { uri: wikidata, type: 'event' })), { uri: wikidata, type: 'event' })
  t.match(json(await tags.patch('economy', { uri: null, slug: 'economy' })), { uri: null, slug: 'economy' })
  t.equal(await db.prisma.tagSlug.count(), 0, 'giving the same slug renames nothing')

  const del = await tags.remove('economy')
  t.equal(del.statusCode, 204)
  t.equal(del.body, '')
  assertProblem(t, await tags.get('economy'), 404, 'ND_NOT_FOUND')
  assertProblem(t, await tags.remove('economy'), 404, 'ND_NOT_FOUND')
  assertProblem(t, await tags.patch('economy', { name: 'x' }), 404, 'ND_NOT_FOUND')

  const audit = await db.prisma.auditEntry.findMany({ where: { resourceType: 'tag' }, orderBy: { at: 'asc' } })
  t.same(
    audit.map((a) => [a.action, a.resourceId, a.keyId]),
    [
      ['create', created.id, writer.id],
      ['update', created.id, writer.id],
      ['update', created.id, writer.id],
      ['update', created.id, writer.id],
      ['delete', created.id, writer.id],
    ],
  )
  const events = await tags.events(previewer)
  t.same(
    events.map((e) => [e.type, e.resource.slug, e.changedFields]),
    [
      ['tag.created', 'economy', ['slug', 'name', 'type', 'uri', 'description']],
      ['tag.updated', 'economy', ['name', 'type', 'description']],
      ['tag.updated', 'economy', ['uri', 'type']],
      ['tag.updated', 'economy', ['uri', 'slug']],
      ['tag.deleted', 'economy', []],
    ],
  )
  t.ok(
    events.every((e) => e.surrogateKeys.length === 0),
    'events of a tag no public article used purge nothing',
  )
  t.same(await tags.events(), [], 'and public readers do not see them')
})

test('bad input, conflicts and access', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const tags = tagClient(app, auth)
  const reader = (await createKey(db, ['content:read'])).headers
  const previewer = (await createKey(db, ['content:preview'])).headers
  t.equal((await tags.create({ slug: 'iraq', name: 'Iraq', type: 'place' })).statusCode, 201)

  const before = await db.prisma.tag.count()
  t.same(pointers(t, await tags.create({})), ['/name', '/slug'])
  t.same(pointers(t, await tags.create({ slug: 'Has Caps', name: 'x' })), ['/slug'])
  t.same(pointers(t, await tags.create({ slug: 'x', name: '' })), ['/name'])
  t.same(pointers(t, await tags.create({ slug: 'x', name: 'x'.repeat(201) })), ['/name'])
  t.same(pointers(t, await tags.create({ slug: 'x', name: 'x', type: 'thing' })), ['/type'])
  t.same(pointers(t, await tags.create({ slug: 'x', name: 'x', description: 'x'.repeat(2001) })), ['/description'])
  for (const uri of ['ftp://example.com/x', '/relative', 'mediatopic/11000000', `https://e.com/${'x'.repeat(2040)}`]) {
    t.same(pointers(t, await tags.create({ slug: 'x', name: 'x', uri })), ['/uri'], uri.slice(0, 30))
  }
  t.same(pointers(t, await tags.create({ slug: 'x', name: 'x', id: 'y', articleCount: 3 })), ['/articleCount', '/id'])
  t.same(pointers(t, await tags.patch('iraq', {})), [''])
  t.same(pointers(t, await tags.patch('iraq', { slug: '-x' })), ['/slug'])
  t.same(pointers(t, await tags.merge('iraq', 'Not A Slug')), ['/into'])
  t.same(pointers(t, await tags.merge('iraq', undefined)), ['/into'])
  t.same(pointers(t, await tags.remove('IRAQ')), ['/slug'])

  const clash = assertProblem(t, await tags.create({ slug: 'iraq', name: 'Another Iraq' }), 409, 'ND_UNIQUE_VIOLATION')
  t.equal(clash.field, 'slug')
  t.equal(json(await tags.patch('iraq', { slug: 'iraq-war' })).slug, 'iraq-war')
  const former = assertProblem(t, await tags.create({ slug: 'iraq', name: 'Iraq' }), 409, 'ND_UNIQUE_VIOLATION')
  t.equal(former.field, 'slug', 'a former slug is in use: it resolves to its tag')
  t.equal((await tags.create({ slug: 'syria', name: 'Syria' })).statusCode, 201)
  assertProblem(t, await tags.patch('syria', { slug: 'iraq-war' }), 409, 'ND_UNIQUE_VIOLATION')
  assertProblem(t, await tags.patch('syria', { slug: 'iraq' }), 409, 'ND_UNIQUE_VIOLATION')
  t.match(json(await tags.get('syria')), { slug: 'syria' }, 'the failed renames changed nothing')
  t.equal(await db.prisma.tag.count(), before + 1)

  for (const headers of [{}, reader, previewer]) {
    const res = await tags.create({ slug: 'denied', name: 'Denied' }, headers)
    t.ok([401, 403].includes(res.statusCode), `writes need content:write (${res.statusCode})`)
  }
})

test('rename: old slugs keep resolving, articles get a new version', async (t) => {
  const clock = testClock(new Date('2031-08-02T08:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const tags = tagClient(app, auth)
  const previewer = (await createKey(db, ['content:preview'])).headers

  const live = await api.draft({ headline: 'Live', body: 'Text.', tags: ['isis', 'syria'] })
  const published = json<Article>(await api.action(live.id, 'publish'))
  const draft = await api.draft({ headline: 'Draft', body: 'Text.', tags: ['isis'] })
  const untouched = await api.draft({ headline: 'Other', body: 'Text.', tags: ['syria'] })
  const gone = await api.draft({ headline: 'Gone', body: 'Text.', tags: ['isis'] })
  t.equal((await api.remove(gone.id)).statusCode, 204)
  const oldEtag = (await api.get(live.id)).headers.etag
  t.equal(oldEtag, `"v${published.version}"`)

  clock.advance(60_000)
  const res = await tags.patch('isis', { slug: 'islamic-state', name: 'Islamic State', type: 'organisation' })
  t.equal(res.statusCode, 200)
  t.match(json(res), { slug: 'islamic-state', name: 'Islamic State', articleCount: 2 })

  const after = json<Article>(await api.get(live.id))
  t.same(after.tags, ['islamic-state', 'syria'], 'tags in slug order, as reads list them')
  t.equal(after.version, published.version + 1)
  t.equal(after.updatedAt, clock().toISOString())
  const conditional = await api.get(live.id, { 'if-none-match': String(oldEtag) })
  t.equal(conditional.statusCode, 200, 'the old ETag no longer matches')
  t.equal(conditional.headers.etag, `"v${after.version}"`)
  t.same(json<Article>(conditional).tags, ['islamic-state', 'syria'])
  t.equal(json<Article>(await api.get(draft.id, auth)).version, draft.version + 1)
  t.equal(json<Article>(await api.get(untouched.id, auth)).version, untouched.version, 'other articles keep theirs')

  const revisions = json<Page<Revision>>(await app.inject({ url: `/v1/articles/${live.id}/revisions`, headers: auth }))
  t.match(revisions.data[0], { version: after.version, changedFields: ['tags'], createdAt: clock().toISOString() })
  const [previous, latest] = await Promise.all(
    [published.version, after.version].map(async (v) =>
      json<Revision>(await app.inject({ url: `/v1/articles/${live.id}/revisions/${v}`, headers: auth })),
    ),
  )
  t.same(latest?.snapshot, { ...previous?.snapshot, tags: ['islamic-state', 'syria'] })

  // The old slug: reads, the article filter, article writes.
  const byOld = await tags.get('isis', {})
  t.match(json(byOld), { slug: 'islamic-state', articleCount: 1 })
  t.match(byOld.headers['surrogate-key'], /tag:islamic-state tag:isis tags/)
  const filtered = await api.list('tag=isis')
  t.same(
    filtered.page.data.map((a) => a.id),
    [live.id],
  )
  const tagCount = await db.prisma.tag.count()
  const rewritten = json<Article>(await api.patch(untouched.id, { tags: ['isis', 'syria', 'islamic-state'] }))
  t.same(rewritten.tags, ['islamic-state', 'syria'], 'an old slug names the tag (once)')
  t.equal(await db.prisma.tag.count(), tagCount, 'no tag is created under an old slug')
  const old = assertProblem(t, await tags.patch('isis', { name: 'x' }), 409, 'ND_CONFLICT')
  t.match(old.detail, /former slug of the tag "islamic-state"/)
  assertProblem(t, await tags.remove('isis'), 409, 'ND_CONFLICT')

  // Back to the old slug: it is current again, and the other one now resolves.
  t.equal(json(await tags.patch('islamic-state', { slug: 'isis' })).slug, 'isis')
  t.same(
    (await db.prisma.tagSlug.findMany({ select: { slug: true } })).map((s) => s.slug),
    ['islamic-state'],
  )
  t.match(json(await tags.get('islamic-state')), { slug: 'isis' })

  const events = (await tags.events(previewer)).filter((e) => e.type === 'tag.updated')
  t.match(events[0], {
    resource: { type: 'tag', slug: 'islamic-state', version: null },
    changedFields: ['slug', 'name', 'type'],
    surrogateKeys: ['tag:isis', 'tag:islamic-state', 'tags', 'articles'],
  })
  t.same(
    (await tags.events()).map((e) => e.resource.slug),
    ['islamic-state', 'isis'],
    'a tag public articles use: public events',
  )
})

test('a tag of drafts alone: renames and deletes tell public readers nothing', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const api = client(app, auth)
  const tags = tagClient(app, auth)
  const previewer = (await createKey(db, ['content:preview'])).headers
  const draft = await api.draft({ headline: 'Secret', body: 'Text.', tags: ['secret-merger'] })
  await api.draft({ headline: 'Live', body: 'Text.', tags: ['public-tag'] })

  t.equal((await tags.patch('secret-merger', { slug: 'secret-deal' })).statusCode, 200)
  const refused = assertProblem(t, await tags.remove('secret-deal'), 409, 'ND_CONFLICT')
  t.equal(refused.articleCount, 1, 'drafts count')
  t.match(refused.detail, /1 article/)
  t.equal(await db.prisma.tag.count({ where: { slug: 'secret-deal' } }), 1)

  t.equal((await api.remove(draft.id)).statusCode, 204)
  t.equal((await tags.remove('secret-deal')).statusCode, 204, 'links from deleted articles go with the tag')
  t.equal(await db.prisma.articleTag.count({ where: { articleId: draft.id } }), 0)
  t.equal(await db.prisma.tagSlug.count(), 0, 'and its former slugs')

  const seen = (await tags.events(previewer)).map((e) => `${e.type} ${e.resource.slug}`)
  t.same(seen, ['tag.updated secret-deal', 'tag.deleted secret-deal'])
  const publicFeed = await app.inject('/v1/changes?limit=100')
  t.notMatch(publicFeed.body, /secret/, 'neither slug in the public feed')
  t.same(json<Page<TagCount>>(await app.inject('/v1/tags')).data, [])
})

test('a slug is claimed by one tag at a time, current or former', {
  skip: serverUrl ? false : 'needs a PostgreSQL server',
}, async (t) => {
  const { app, auth, database } = await build(t, { env })
  const tags = tagClient(app, auth)
  const renamed = json<{ id: string }>(await tags.create({ slug: 'old-name', name: 'Old name' }))
  // A rename of old-name in progress: it holds the slug, and has not committed yet.
  const lock = "SELECT pg_advisory_xact_lock(hashtext('tags.slug'), hashtext('old-name'))"
  const [created] = await racing(
    database.url as string,
    [lock, `UPDATE tags SET slug = 'new-name' WHERE id = '${renamed.id}'`],
    () => [tags.create({ slug: 'old-name', name: 'Another' })],
    [`INSERT INTO tag_slugs (slug, tag_id) VALUES ('old-name', '${renamed.id}')`],
  )
  assertProblem(t, created as Res, 409, 'ND_UNIQUE_VIOLATION')
  t.match(json(await tags.get('old-name')), { id: renamed.id, slug: 'new-name' }, 'old-name names one tag')
})
