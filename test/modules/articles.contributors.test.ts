// Articles' contributors (people) and sections: writes by id, slug, path or embedded record,
// bylines derived from authors, the person and section filters, embedding, revisions.
import { test } from 'tap'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import { seed } from '../../src/seed/seed.js'
import { build, json, type Page } from '../helper.js'
import { assertProblem, client, env, missingId, pointers } from './articles.helpers.js'

test('contributors and sections on articles', async (t) => {
  const { app, db, auth } = await build(t, { env })
  await seed(db.prisma)
  const api = client(app, auth)
  const person = async (slug: string) => db.prisma.person.findUniqueOrThrow({ where: { slug } })
  const section = async (path: string) => db.prisma.section.findUniqueOrThrow({ where: { path } })
  const anna = await person('anna-hakobyan')
  const davit = await person('davit-sargsyan')
  await db.prisma.person.update({ where: { id: anna.id }, data: { email: 'anna@example.com' } })
  const world = await section('world')
  const middleEast = await section('world/middle-east')
  const politics = await section('armenia/politics')

  await t.test('contributors by id, slug or embedded person; bylines from the authors', async (t) => {
    const created = await api.draft({
      headline: 'Contributors',
      contributors: [
        { person: 'anna-hakobyan' },
        { personId: davit.id, role: 'photographer' },
        { person: { id: davit.id, name: 'ignored' }, role: 'author' },
      ],
    })
    t.same(created.contributors, [
      { personId: anna.id, role: 'author' },
      { personId: davit.id, role: 'photographer' },
      { personId: davit.id, role: 'author' },
    ])
    t.same(created.bylines, ['Anna Hakobyan', 'Davit Sargsyan'], 'the authors, in order')

    const read = await app.inject({ url: `/v1/articles/${created.id}?include=contributors`, headers: auth })
    const embedded = json<Article>(read).contributors
    t.equal(embedded[0]?.person?.name, 'Anna Hakobyan')
    t.notOk(read.body.includes('anna@example.com'), 'an embedded person never shows its email address')
    t.notOk('email' in (embedded[0]?.person ?? {}))

    const sameId = await api.patch(created.id, { contributors: [{ personId: anna.id, person: 'anna-hakobyan' }] })
    t.equal(sameId.statusCode, 200, 'personId and person may both name the same person')
    t.same(json<Article>(sameId).bylines, ['Anna Hakobyan'], 'derived bylines follow the contributors')

    // Derived bylines follow the contributors whatever became of the names since.
    const renamed = await app.inject({
      method: 'PATCH',
      url: `/v1/people/${anna.id}`,
      headers: auth,
      payload: { name: 'Anna Hakobyan-Petrosyan' },
    })
    t.equal(renamed.statusCode, 200)
    const again = await api.patch(created.id, { contributors: [{ person: anna.slug }, { person: davit.slug }] })
    t.same(json<Article>(again).bylines, ['Anna Hakobyan-Petrosyan', 'Davit Sargsyan'])
    await app.inject({ method: 'PATCH', url: `/v1/people/${anna.id}`, headers: auth, payload: { name: anna.name } })

    const handWritten = await api.patch(created.id, { bylines: ['By our staff'] })
    t.same(json<Article>(handWritten).bylines, ['By our staff'])
    const kept = await api.patch(created.id, { contributors: [{ person: 'davit-sargsyan' }] })
    t.same(json<Article>(kept).bylines, ['By our staff'], 'bylines written by hand stay')
    const both = await api.patch(created.id, { contributors: [], bylines: [] })
    t.same(json<Article>(both).contributors, [])
    const given = await api.create({
      headline: 'Given',
      bylines: ['Wire staff'],
      contributors: [{ person: anna.slug }],
    })
    t.same(json<Article>(given).bylines, ['Wire staff'], 'bylines given with contributors are kept as given')
    const noAuthor = await api.draft({
      headline: 'Photo only',
      contributors: [{ person: anna.slug, role: 'photographer' }],
    })
    t.same(noAuthor.bylines, [], 'no author, no bylines')
  })

  await t.test('bad contributors: 422 naming an unknown person, 400 for the rest; nothing written', async (t) => {
    const before = await db.prisma.article.count()
    const unknown = await api.create({ headline: 'x', contributors: [{ person: anna.slug }, { person: 'nobody' }] })
    const problem = assertProblem(t, unknown, 422, 'ND_REFERENCE_MISSING')
    t.equal(problem.field, 'contributors/1/person')
    t.match(problem.detail, /nobody/)
    const unknownId = await api.create({ headline: 'x', contributors: [{ personId: missingId }] })
    t.equal(assertProblem(t, unknownId, 422, 'ND_REFERENCE_MISSING').field, 'contributors/0/personId')
    const unnamed = await api.create({ headline: 'x', contributors: [{ role: 'author' }] })
    assertProblem(t, unnamed, 400, 'ND_VALIDATION_FAILED')
    t.same(pointers(t, unnamed), ['/contributors/0/personId'])
    const differ = await api.create({ headline: 'x', contributors: [{ personId: anna.id, person: davit.slug }] })
    t.same(pointers(t, differ), ['/contributors/0/person', '/contributors/0/personId'])
    const twice = await api.create({ headline: 'x', contributors: [{ person: anna.slug }, { personId: anna.id }] })
    t.same(pointers(t, twice), ['/contributors/1'])
    const role = await api.create({ headline: 'x', contributors: [{ person: anna.slug, role: 'ghost' }] })
    assertProblem(t, role, 400, 'ND_VALIDATION_FAILED')
    const many = await api.create({
      headline: 'x',
      contributors: Array.from({ length: 31 }, () => ({ person: anna.slug })),
    })
    assertProblem(t, many, 400, 'ND_VALIDATION_FAILED')
    t.equal(await db.prisma.article.count(), before, 'no article was written')
  })

  await t.test('sections by id, path or embedded section; one primary, listed first', async (t) => {
    const created = await api.draft({
      headline: 'Sections',
      sections: [{ section: 'armenia/politics' }, { sectionId: middleEast.id, primary: true }],
    })
    t.same(created.sections, [
      { sectionId: middleEast.id, primary: true },
      { sectionId: politics.id, primary: false },
    ])
    const first = await api.draft({
      headline: 'First',
      sections: [{ section: { id: world.id } }, { section: politics.id }],
    })
    t.same(
      first.sections.map((s) => s.primary),
      [true, false],
      'with none marked, the first is primary',
    )
    const embedded = await app.inject({ url: `/v1/articles/${created.id}?include=sections`, headers: auth })
    t.same(
      json<Article>(embedded).sections.map((s) => s.section?.path),
      ['world/middle-east', 'armenia/politics'],
    )
    const cleared = await api.patch(created.id, { sections: [] })
    t.same(json<Article>(cleared).sections, [])

    const unknown = await api.create({ headline: 'x', sections: [{ section: 'world/nowhere' }] })
    t.equal(assertProblem(t, unknown, 422, 'ND_REFERENCE_MISSING').field, 'sections/0/section')
    const two = await api.create({
      headline: 'x',
      sections: [
        { section: 'world', primary: true },
        { section: 'armenia/politics', primary: true },
      ],
    })
    t.same(pointers(t, two), ['/sections/0/primary', '/sections/1/primary'])
    const twice = await api.create({ headline: 'x', sections: [{ section: 'world' }, { sectionId: world.id }] })
    t.same(pointers(t, twice), ['/sections/1'])
    const unnamed = await api.create({ headline: 'x', sections: [{ primary: true }] })
    t.same(pointers(t, unnamed), ['/sections/0/sectionId'])
  })

  await t.test('filters: person (any role) and section (with or without the sections below)', async (t) => {
    const inWorld = await api.draft({ headline: 'In world', body: 'Text.', sections: [{ section: 'world' }] })
    const inMiddleEast = await api.draft({
      headline: 'In the Middle East',
      body: 'Text.',
      sections: [{ section: 'world/middle-east' }],
      contributors: [{ person: davit.slug, role: 'photographer' }],
    })
    for (const a of [inWorld, inMiddleEast]) {
      const published = await api.action(a.id, 'publish')
      t.equal(published.statusCode, 200, published.body)
    }
    const ids = async (query: string) => (await api.list(query)).page.data.map((a) => a.id)
    const world = await ids('section=world&fields=headline&limit=100')
    t.ok(world.includes(inWorld.id) && world.includes(inMiddleEast.id), 'world includes the Middle East')
    t.same(await ids('section=world&sectionDescendants=false&fields=headline&limit=100'), [inWorld.id])
    const seededIraq = await db.prisma.article.findFirstOrThrow({ where: { slug: { startsWith: 'iraq-' } } })
    t.same(
      (await ids(`section=${middleEast.id}&fields=headline&limit=100`)).sort(),
      [inMiddleEast.id, seededIraq.id].sort(),
      'by id',
    )
    t.same(await ids('section=armenia/nowhere&fields=headline'), [], 'an unknown section matches nothing')
    assertProblem(t, await app.inject('/v1/articles?section=World/Bad Path'), 400, 'ND_VALIDATION_FAILED')

    // Davit: three seeded articles, the one published here, and drafts (from the first test).
    const seededByDavit = 3
    const byDavit = await ids(`person=${davit.slug}&fields=headline&limit=100`)
    t.ok(byDavit.includes(inMiddleEast.id))
    t.equal(byDavit.length, seededByDavit + 1, 'drafts stay hidden')
    t.same(await ids(`person=${davit.id.toUpperCase()}&fields=headline&limit=100`), byDavit, 'by id')
    const preview = await api.list(`person=${anna.slug}&status=draft&limit=100`, auth)
    t.ok(preview.page.data.length >= 1, 'preview callers see the person’s drafts')

    const theirs = await app.inject(
      `/v1/people/${davit.slug}/articles?fields=headline,contributors,sections&include=contributors,sections`,
    )
    t.equal(theirs.statusCode, 200)
    t.same(
      json<Page<SparseArticle>>(theirs).data.map((a) => a.id),
      byDavit,
    )
    t.match(theirs.headers['surrogate-key'], `person-articles:${davit.slug}`)
    t.match(theirs.headers['surrogate-key'], `person:${davit.id}`)
    t.match(theirs.headers['surrogate-key'], `section:${middleEast.id}`)
    const trimmed = await app.inject(`/v1/people/${davit.slug}/articles?fields=headline`)
    t.same(
      json<Page<SparseArticle>>(trimmed).data.map((a) => Object.keys(a).sort().join()),
      byDavit.map(() => 'headline,id'),
    )
    t.notMatch(trimmed.headers['surrogate-key'], /person:|section:/, 'a list not showing them does not read them')
    const byId = await app.inject(`/v1/people/${davit.slug}/articles?fields=headline,contributors,sections`)
    t.notMatch(byId.headers['surrogate-key'], /person:|section:/, 'nor one showing their ids alone')
    assertProblem(t, await app.inject('/v1/people/nobody/articles'), 404, 'ND_NOT_FOUND')
    const bad = await app.inject(`/v1/people/${davit.slug}/articles?person=x`)
    assertProblem(t, bad, 400, 'ND_VALIDATION_FAILED')
    assertProblem(t, await app.inject(`/v1/people/${davit.slug}/articles?status=draft`), 403, 'ND_FORBIDDEN')
    const sorted = await app.inject(`/v1/people/${davit.slug}/articles?sort=relevance`)
    assertProblem(t, sorted, 400, 'ND_VALIDATION_FAILED')
  })

  await t.test('revisions keep contributors and sections, and a restore brings them back', async (t) => {
    const a = await api.draft({
      headline: 'Revised',
      contributors: [{ person: anna.slug }],
      sections: [{ section: 'world' }],
    })
    const changed = await api.patch(a.id, {
      contributors: [{ person: davit.slug }],
      sections: [{ section: 'armenia/politics' }],
    })
    t.equal(changed.statusCode, 200)
    const revision = await app.inject({ url: `/v1/articles/${a.id}/revisions/2`, headers: auth })
    const r = json<{ changedFields: string[]; snapshot: Record<string, unknown> }>(revision)
    t.ok(r.changedFields.includes('contributors') && r.changedFields.includes('sections'))
    t.same(r.snapshot.contributors, [{ personId: davit.id, role: 'author' }])

    const restored = await app.inject({
      method: 'POST',
      url: `/v1/articles/${a.id}/revisions/1/restore`,
      headers: auth,
    })
    t.equal(restored.statusCode, 200)
    t.same(json<Article>(restored).contributors, [{ personId: anna.id, role: 'author' }])
    t.same(json<Article>(restored).sections, [{ sectionId: world.id, primary: true }])

    // A revision written before contributors and sections existed leaves them as they are; a
    // person or section deleted since is left out.
    await db.prisma.articleRevision.update({
      where: { articleId_version: { articleId: a.id, version: 2 } },
      data: {
        snapshot: {
          ...r.snapshot,
          contributors: undefined,
          sections: [
            { sectionId: missingId, primary: true },
            { sectionId: politics.id, primary: false },
          ],
        },
      },
    })
    const old = await app.inject({ method: 'POST', url: `/v1/articles/${a.id}/revisions/2/restore`, headers: auth })
    t.equal(old.statusCode, 200)
    t.same(json<Article>(old).contributors, [{ personId: anna.id, role: 'author' }], 'contributors kept')
    t.same(
      json<Article>(old).sections,
      [{ sectionId: politics.id, primary: true }],
      'a section that no longer exists is left out, and another becomes primary',
    )
  })

  await t.test('the seed shows people and sections', async (t) => {
    const seeded = await app.inject(
      '/v1/articles/azerbaijan-to-raise-defense-budget-in-2023?include=contributors,sections',
    )
    const article = json<Article>(seeded)
    t.same(article.bylines, ['Davit Sargsyan'])
    t.equal(article.contributors[0]?.person?.slug, 'davit-sargsyan')
    t.same(
      article.sections.map((s) => [s.section?.path, s.primary]),
      [
        ['region', true],
        ['armenia/economy', false],
      ],
    )
  })
})
