// Merging tags (one transaction: articles moved and given a new version, the tag deleted, its slugs
// resolving to the other), and article writes when unknown tags are refused (TAGS_CREATE_ON_WRITE).
import { test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import type { TagCount } from '../../src/modules/tags/tags.schemas.js'
import { build, createKey, json, type Page, testClock } from '../helper.js'
import { assertProblem, client, env, type Revision } from './articles.helpers.js'
import { tagClient } from './tags.helpers.js'

test('merge', async (t) => {
  const clock = testClock(new Date('2031-09-01T08:00:00.000Z'))
  const { app, db, auth } = await build(t, { clock, env })
  const api = client(app, auth)
  const tags = tagClient(app, auth)
  const previewer = (await createKey(db, ['content:preview'])).headers

  const one = await api.draft({ headline: 'One', body: 'Text.', tags: ['daesh', 'syria'] })
  await api.action(one.id, 'publish')
  const both = await api.draft({ headline: 'Both', body: 'Text.', tags: ['daesh', 'islamic-state'] })
  const other = await api.draft({ headline: 'Other', body: 'Text.', tags: ['islamic-state'] })
  const gone = await api.draft({ headline: 'Gone', body: 'Text.', tags: ['daesh'] })
  await api.remove(gone.id)
  // A former slug of the merged tag resolves to the tag merged into as well.
  t.equal(json(await tags.patch('daesh', { slug: 'isil' })).slug, 'isil')
  const versions = async () =>
    Object.fromEntries(
      await Promise.all(
        [one, both, other].map(async (a) => [a.headline, json<Article>(await api.get(a.id, auth)).version]),
      ),
    )
  const before = await versions()
  const oldEtag = String((await api.get(one.id)).headers.etag)

  await t.test('into itself, or into nothing: 422 naming it; nothing changes', async (t) => {
    const counts = { tags: await db.prisma.tag.count(), revisions: await db.prisma.articleRevision.count() }
    for (const into of ['isil', 'daesh']) {
      const self = assertProblem(t, await tags.merge('isil', into), 422, 'ND_INVALID_REFERENCE')
      t.equal(self.field, 'into')
      t.match(self.detail, into)
    }
    const unknown = assertProblem(t, await tags.merge('isil', 'no-such-tag'), 422, 'ND_REFERENCE_MISSING')
    t.equal(unknown.field, 'into')
    t.match(unknown.detail, 'no-such-tag')
    assertProblem(t, await tags.merge('no-such-tag', 'isil'), 404, 'ND_NOT_FOUND')
    assertProblem(t, await tags.merge('daesh', 'islamic-state'), 409, 'ND_CONFLICT')
    t.same(await versions(), before)
    t.same({ tags: await db.prisma.tag.count(), revisions: await db.prisma.articleRevision.count() }, counts)
  })

  await t.test('a failure half-way leaves nothing behind', async (t) => {
    const state = async () => ({
      versions: await versions(),
      links: await db.prisma.articleTag.count(),
      slugs: await db.prisma.tagSlug.findMany({ orderBy: { slug: 'asc' } }),
      revisions: await db.prisma.articleRevision.count(),
      events: await db.prisma.changeEvent.count(),
    })
    const start = await state()
    await db.prisma.$executeRawUnsafe(`
      CREATE FUNCTION refuse_tag_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused'; END $$`)
    await db.prisma.$executeRawUnsafe(
      'CREATE TRIGGER refuse_tag_delete BEFORE DELETE ON tags FOR EACH ROW EXECUTE FUNCTION refuse_tag_delete()',
    )
    const failed = await tags.merge('isil', 'islamic-state')
    t.equal(failed.statusCode, 500)
    await db.prisma.$executeRawUnsafe('DROP TRIGGER refuse_tag_delete ON tags')
    await db.prisma.$executeRawUnsafe('DROP FUNCTION refuse_tag_delete')
    t.same(await state(), start)
  })

  await t.test('articles move, get a new version, and the old slugs resolve', async (t) => {
    clock.advance(60_000)
    const res = await tags.merge('isil', 'islamic-state')
    t.equal(res.statusCode, 200)
    t.match(json<TagCount>(res), { slug: 'islamic-state', articleCount: 3 })
    t.same(await versions(), { One: before.One + 1, Both: before.Both + 1, Other: before.Other })

    const merged = json<Article>(await api.get(one.id))
    t.same(merged.tags, ['islamic-state', 'syria'])
    t.equal(merged.updatedAt, clock().toISOString())
    const conditional = await api.get(one.id, { 'if-none-match': oldEtag })
    t.equal(conditional.statusCode, 200)
    t.same(json<Article>(await api.get(both.id, auth)).tags, ['islamic-state'], 'one link where there were two')
    const revision = json<Revision>(
      await app.inject({ url: `/v1/articles/${both.id}/revisions/${before.Both + 1}`, headers: auth }),
    )
    t.same(revision.changedFields, ['tags'])
    t.same(revision.snapshot?.tags, ['islamic-state'])
    t.equal(await db.prisma.articleTag.count({ where: { articleId: gone.id } }), 1, 'deleted articles move too')

    for (const slug of ['daesh', 'isil']) {
      t.match(json(await tags.get(slug, {})), { slug: 'islamic-state', articleCount: 1 }, `${slug} resolves`)
      t.same(
        (await api.list(`tag=${slug}`, previewer)).page.data.map((a) => a.id).sort(),
        [one.id, both.id, other.id].sort(),
      )
    }
    t.same(json<Article>(await api.patch(other.id, { tags: ['daesh', 'isil'] })).tags, ['islamic-state'])
    t.equal(await db.prisma.tag.count({ where: { slug: { in: ['daesh', 'isil'] } } }), 0)
    const list = json<Page<TagCount>>(await app.inject({ url: '/v1/tags', headers: previewer }))
    t.same(
      list.data.map((c) => c.slug),
      ['islamic-state', 'syria'],
    )

    const audit = await db.prisma.auditEntry.findMany({ where: { resourceType: 'tag', action: 'merge' } })
    t.equal(audit.length, 1)
    const events = (await tags.events()).filter((e) => e.type === 'tag.merged')
    t.match(events, [
      {
        resource: { type: 'tag', slug: 'isil' },
        changedFields: ['into:islamic-state'],
        surrogateKeys: ['tag:isil', 'tag:islamic-state', 'tags', 'articles'],
      },
    ])

    // Each article changed reports it, as any edit does: public readers see the public one's.
    const articleEvents = async (headers = {}) => {
      const res = await app.inject({ url: '/v1/changes?resource=article&limit=100', headers })
      return json<Page<ChangeEvent>>(res).data.filter((e) => e.changedFields.join() === 'tags')
    }
    const publicOnes = await articleEvents()
    // The rename of daesh to isil made version before.One, the merge the next.
    t.match(publicOnes, [
      { type: 'article.updated', resource: { id: one.id, version: before.One } },
      { type: 'article.updated', resource: { id: one.id, version: before.One + 1 } },
    ])
    t.ok(publicOnes.at(-1)?.surrogateKeys.includes('tag:islamic-state'), 'the new tag is purged with it')
    const seen = (await articleEvents(previewer)).filter((e) => e.type === 'article.draft_updated')
    t.same(seen.map((e) => e.resource.id).sort(), [one.id, both.id, both.id].filter((id) => id !== one.id).sort())
  })

  await t.test('merging a tag of drafts alone is not a public event', async (t) => {
    await api.draft({ headline: 'Draft', body: 'Text.', tags: ['secret-plan', 'syria'] })
    await tags.create({ slug: 'plan', name: 'Plan' })
    t.equal((await tags.merge('secret-plan', 'plan')).statusCode, 200)
    t.notMatch((await app.inject('/v1/changes?limit=100')).body, /secret-plan/)
    const seen = await tags.events(previewer)
    t.match(seen.at(-1), { type: 'tag.merged', resource: { slug: 'secret-plan' }, surrogateKeys: [] })
  })
})

test('TAGS_CREATE_ON_WRITE=false: article writes name existing tags only', async (t) => {
  const { app, db, auth } = await build(t, { env: { ...env, TAGS_CREATE_ON_WRITE: 'false' } })
  const api = client(app, auth)
  const tags = tagClient(app, auth)
  await tags.create({ slug: 'iraq', name: 'Iraq' })
  await tags.patch('iraq', { slug: 'iraq-country' })

  const before = { tags: await db.prisma.tag.count(), articles: await db.prisma.article.count() }
  const refused = await api.create({ headline: 'H', body: 'B.', tags: ['iraq', 'new-one', 'iraq-country', 'other'] })
  const problem = assertProblem(t, refused, 422, 'ND_REFERENCE_MISSING')
  t.same(problem.errors, [
    { in: 'body', pointer: '/tags/1', message: 'no tag has the slug "new-one"' },
    { in: 'body', pointer: '/tags/3', message: 'no tag has the slug "other"' },
  ])
  t.match(problem.detail, /"new-one", "other"/)
  t.same({ tags: await db.prisma.tag.count(), articles: await db.prisma.article.count() }, before)

  const article = await api.draft({ headline: 'H', body: 'B.', tags: ['iraq'] })
  t.same(article.tags, ['iraq-country'], 'a former slug names its tag')
  const patch = await api.patch(article.id, { tags: ['iraq-country', 'unknown'] })
  t.same(assertProblem(t, patch, 422, 'ND_REFERENCE_MISSING').errors?.[0]?.pointer, '/tags/1')

  // Restoring a revision that names a tag deleted since leaves it out.
  const removed = json<Article>(await api.patch(article.id, { tags: [] }))
  t.equal((await tags.remove('iraq-country')).statusCode, 204)
  const restored = await app.inject({
    method: 'POST',
    url: `/v1/articles/${article.id}/revisions/1/restore`,
    headers: { ...auth, 'if-match': `"v${removed.version}"` },
  })
  t.equal(restored.statusCode, 200)
  t.same(json<Article>(restored).tags, [])
  t.equal(await db.prisma.tag.count(), before.tags - 1)
})
