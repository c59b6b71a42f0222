// People: writes, validation, affiliation, who sees the email address, deletion rules, events and audit.
import { test } from 'tap'
import type { ChangeEvent } from '../../src/modules/changes/changes.schemas.js'
import type { Person } from '../../src/modules/people/people.schemas.js'
import type { Source } from '../../src/modules/sources/sources.schemas.js'
import { assertProblem, build, createKey, json, missingId, pointers } from '../helper.js'

type App = Awaited<ReturnType<typeof build>>['app']

function api(app: App, auth: Record<string, string>) {
  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) })
  return {
    post: (payload: unknown) => send('POST', '/v1/people', payload),
    patch: (id: string, payload: unknown) => send('PATCH', `/v1/people/${id}`, payload),
    remove: (id: string) => send('DELETE', `/v1/people/${id}`),
    source: async (name: string) => json<Source>(await send('POST', '/v1/sources', { name, kind: 'publisher' })),
  }
}

test('people: create, read, update, delete', async (t) => {
  const { app, db, auth } = await build(t)
  const people = api(app, auth)
  const daily = await people.source('People Daily')

  const res = await people.post({
    name: 'Anna Hakobyan',
    jobTitle: 'Political correspondent',
    bio: 'Covers **politics**.<script>alert(1)</script> [Site](javascript:alert(1))',
    email: 'anna@example.com',
    imageUrl: 'https://img.example/anna.jpg',
    sameAs: ['https://www.wikidata.org/wiki/Q1', 'https://social.example/@anna'],
    affiliation: daily.slug,
  })
  t.equal(res.statusCode, 201, 'created')
  const created = json<Person>(res)
  t.equal(res.headers.location, `/v1/people/${created.id}`)
  t.equal(res.headers['cache-control'], 'private, no-store', 'a write answer shows the email: private')
  t.equal(created.slug, 'anna-hakobyan', 'slug generated from the name')
  t.equal(created.email, 'anna@example.com')
  t.equal(created.affiliationId, daily.id, 'the affiliation named by slug is stored by id')
  t.equal(created.bio, 'Covers **politics**.<script>alert(1)</script> [Site](javascript:alert(1))')
  t.match(created.bioHtml, /<strong>politics<\/strong>/)
  t.notMatch(created.bioHtml, /script|javascript/i, 'the bio is sanitised as article bodies are')
  t.same(created.sameAs, ['https://www.wikidata.org/wiki/Q1', 'https://social.example/@anna'])
  t.equal(created.createdBy, created.updatedBy)

  const bySlug = await app.inject('/v1/people/anna-hakobyan')
  t.equal(bySlug.statusCode, 200)
  const { email: _, ...publicView } = created
  t.same(json(bySlug), publicView, 'the same person, without the email property')
  t.notOk('email' in json(bySlug), 'public reads never carry email')
  t.equal(bySlug.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
  t.equal(bySlug.headers['surrogate-key'], `person:${created.id}`)
  t.match(String(bySlug.headers.vary), /Authorization/)

  const patched = await people.patch(created.id, {
    name: 'Anna H. Hakobyan',
    bio: null,
    email: null,
    imageUrl: null,
    jobTitle: null,
    sameAs: [],
    affiliation: null,
  })
  t.equal(patched.statusCode, 200, 'changed')
  t.equal(patched.headers['cache-control'], 'private, no-store')
  const updated = json<Person>(patched)
  t.match(updated, { name: 'Anna H. Hakobyan', slug: 'anna-hakobyan', bio: null, bioHtml: null, email: null })
  t.match(updated, { imageUrl: null, jobTitle: null, sameAs: [], affiliationId: null }, 'null clears')

  const again = json<Person>(await people.patch(created.id, { affiliationId: daily.id, bio: '## Title\n\nText' }))
  t.equal(again.affiliationId, daily.id, 'affiliationId names the source by id, as reads show it')
  t.match(again.bioHtml, /^<h2>Title<\/h2>\s*<p>Text<\/p>$/, 'bioHtml follows the bio')
  const embedded = await people.patch(created.id, { affiliation: daily, affiliationId: daily.id })
  t.equal(json<Person>(embedded).affiliationId, daily.id, 'the source as a read shows it, and its id: the same')

  // A read sent back: its writable fields, by the names it shows them, are accepted as they are.
  const read = json<Person>(await app.inject({ url: `/v1/people/${created.slug}`, headers: auth }))
  const {
    id: _id,
    url: _url,
    bioHtml: _html,
    createdBy: _cb,
    updatedBy: _ub,
    createdAt: _ca,
    updatedAt: _ua,
    ...writable
  } = read
  const back = await people.patch(created.id, { ...writable, jobTitle: 'Sent back' })
  t.equal(back.statusCode, 200, 'a read is accepted back')
  t.same(json<Person>(back), { ...read, jobTitle: 'Sent back', updatedAt: json<Person>(back).updatedAt })

  t.equal((await people.remove(created.id)).statusCode, 204)
  assertProblem(t, await app.inject(`/v1/people/${created.id}`), 404, 'ND_NOT_FOUND')
  t.equal(await db.prisma.person.count(), 0)
})

test('the email address: write scopes only, never in a shared cache', async (t) => {
  const { app, db, auth } = await build(t)
  const people = api(app, auth)
  const person = json<Person>(await people.post({ name: 'Private Person', email: 'private@example.com' }))
  const reader = (await createKey(db, ['content:read'])).headers
  const preview = (await createKey(db, ['content:preview'])).headers

  for (const url of [`/v1/people/${person.slug}`, '/v1/people']) {
    for (const [who, headers] of [
      ['anonymous', {}],
      ['content:read', reader],
      ['content:preview', preview],
      ['anonymous again (from the response cache)', {}],
    ] as const) {
      const res = await app.inject({ url, headers })
      t.equal(res.statusCode, 200)
      t.notMatch(res.body, /email|private@example/, `${who}: ${url} shows no email`)
      t.match(String(res.headers['cache-control']), /^public/, `${who}: ${url} may be cached`)
    }
    const written = await app.inject({ url, headers: auth })
    t.match(written.body, /"email":"private@example.com"/, `a write scope sees the email at ${url}`)
    t.equal(written.headers['cache-control'], 'private, no-store')
    t.notOk(written.headers.age, 'not served from the response cache')
    const after = await app.inject(url)
    t.notMatch(after.body, /private@example/, `the write scope's answer was not cached for others: ${url}`)
  }
})

test('people: validation, affiliation, conflicts, not found', async (t) => {
  const { app, db, auth } = await build(t)
  const people = api(app, auth)
  const daily = await people.source('Validation Daily')
  const other = await people.source('Validation Weekly')
  const person = json<Person>(await people.post({ name: 'Valid Person', slug: 'valid-person' }))
  const before = await db.prisma.person.count()

  t.same(
    pointers(
      t,
      await people.post({
        email: 'not an email',
        imageUrl: 'ftp://img.example/x.jpg',
        sameAs: ['https://a.example/', 'https://a.example/'],
        slug: '019ac0de-7a1e-7000-8000-00000000a001',
        bioHtml: '<p>x</p>',
        id: missingId,
        extra: 1,
      }),
    ),
    ['/bioHtml', '/email', '/extra', '/id', '/imageUrl', '/name', '/sameAs', '/slug'],
    'every offending field, server-owned ones too',
  )
  const tooMany = Array.from({ length: 21 }, (_, i) => `https://p.example/${i}`)
  t.same(pointers(t, await people.post({ name: 'X', sameAs: tooMany })), ['/sameAs'], 'at most 20 profiles')
  t.same(pointers(t, await people.post({ name: 'X', sameAs: ['javascript:alert(1)'] })), ['/sameAs/0'])
  t.same(pointers(t, await people.post({ name: 'X', bio: 'x'.repeat(20_001) })), ['/bio'], 'a bio of 20,000 at most')
  t.same(pointers(t, await people.post({ name: 'X', email: `${'a'.repeat(310)}@example.com` })), ['/email'])
  t.same(pointers(t, await people.post({ name: '' })), ['/name'])
  t.same(pointers(t, await people.patch(person.id, {})), [''], 'an empty change is refused')
  t.same(pointers(t, await people.patch(person.slug, { name: 'x' })), ['/idOrSlug'], 'changes take the id')
  t.same(pointers(t, await people.remove(person.slug)), ['/idOrSlug'])

  const deep = `${'> '.repeat(17)}too deep`
  const complex = assertProblem(t, await people.post({ name: 'X', bio: deep }), 422, 'ND_BODY_TOO_COMPLEX')
  t.same(
    complex.errors?.map((e) => e.pointer),
    ['/bio'],
    'a bio beyond the rendering budgets: 422 naming it',
  )

  const unknown = assertProblem(
    t,
    await people.post({ name: 'X', affiliation: 'nowhere' }),
    422,
    'ND_REFERENCE_MISSING',
  )
  t.equal(unknown.field, 'affiliation')
  const unknownId = await people.patch(person.id, { affiliationId: missingId })
  t.equal(assertProblem(t, unknownId, 422, 'ND_REFERENCE_MISSING').field, 'affiliationId')
  const clash = await people.post({ name: 'X', affiliationId: daily.id, affiliation: other.slug })
  t.same(pointers(t, clash), ['/affiliation', '/affiliationId'], 'two different sources: a 400 naming both')

  const taken = assertProblem(t, await people.post({ name: 'X', slug: 'valid-person' }), 409, 'ND_UNIQUE_VIOLATION')
  t.equal(taken.field, 'slug')
  const second = json<Person>(await people.post({ name: 'Second Person' }))
  const renamed = await people.patch(second.id, { slug: 'valid-person' })
  t.equal(assertProblem(t, renamed, 409, 'ND_UNIQUE_VIOLATION').field, 'slug')
  t.equal((await db.prisma.person.findUniqueOrThrow({ where: { id: second.id } })).slug, 'second-person')

  assertProblem(t, await app.inject('/v1/people/nobody-here'), 404, 'ND_NOT_FOUND')
  assertProblem(t, await people.patch(missingId, { name: 'x' }), 404, 'ND_NOT_FOUND')
  assertProblem(t, await people.remove(missingId), 404, 'ND_NOT_FOUND')
  t.equal(await db.prisma.person.count(), before + 1, 'no failed write left anything behind')
})

test('deleting: refused while credited (a person) or while people are affiliated (a source)', async (t) => {
  const { app, db, auth } = await build(t)
  const people = api(app, auth)
  const daily = await people.source('Credited Daily')
  const person = json<Person>(await people.post({ name: 'Credited Person', affiliationId: daily.id }))
  const article = await db.prisma.article.create({ data: { slug: 'credited-article', headline: 'Credited' } })
  await db.prisma.articleContributor.create({
    data: { articleId: article.id, personId: person.id, role: 'author', position: 0 },
  })
  await db.prisma.articleContributor.create({
    data: { articleId: article.id, personId: person.id, role: 'photographer', position: 1 },
  })

  const refused = assertProblem(t, await people.remove(person.id), 409, 'ND_CONFLICT')
  t.same(refused.references, { articles: 1 }, 'articles count once, whatever the roles')
  t.match(refused.detail, /1 article/)
  const source = await app.inject({ method: 'DELETE', url: `/v1/sources/${daily.id}`, headers: auth })
  const sourceRefused = assertProblem(t, source, 409, 'ND_CONFLICT')
  t.same(sourceRefused.references, { articles: 0, credits: 0, teasers: 0, people: 1 })
  t.match(sourceRefused.detail, /1 affiliated people/)

  await people.patch(person.id, { affiliation: null })
  const freed = await app.inject({ method: 'DELETE', url: `/v1/sources/${daily.id}`, headers: auth })
  t.equal(freed.statusCode, 204, 'a source without affiliated people is deleted')
  // No write reaches a deleted article: its credit would hold the person forever. It goes with them.
  await db.prisma.article.update({ where: { id: article.id }, data: { deletedAt: new Date() } })
  t.equal((await people.remove(person.id)).statusCode, 204, 'a person only deleted articles credit is deleted')
  t.equal(await db.prisma.articleContributor.count({ where: { articleId: article.id } }), 0)
})

test('people: generated slugs', async (t) => {
  const { app, auth } = await build(t, { env: { RATE_LIMIT_MAX: '1000000' } })
  const people = api(app, auth)
  const results = await Promise.all(Array.from({ length: 10 }, () => people.post({ name: 'Same Name' })))
  t.same(
    results.map((r) => r.statusCode),
    Array(10).fill(201),
  )
  const slugs = results.map((r) => json<Person>(r).slug).sort()
  t.same(slugs, ['same-name', ...Array.from({ length: 9 }, (_, i) => `same-name-${i + 2}`)].sort())
  t.equal(json<Person>(await people.post({ name: 'Армен Саркисян' })).slug, 'armen-sarkisyan')
  t.equal(json<Person>(await people.post({ name: '???' })).slug, 'person', 'a name without letters')
  const idShaped = json<Person>(await people.post({ name: '019AC0DE-7A1E-7000-8000-00000000B001' }))
  t.equal(idShaped.slug, '019ac0de-7a1e-7000-8000-00000000b001-2', 'never shaped like an id')
})

test('people: events in the change feed, entries in the audit log', async (t) => {
  const { app, db, auth, writer } = await build(t)
  const people = api(app, auth)
  const manager = (await createKey(db, ['keys:manage'])).headers
  const person = json<Person>(await people.post({ name: 'Logged Person', email: 'logged@example.com' }))
  await people.patch(person.id, { jobTitle: 'Editor', affiliation: null })
  await people.remove(person.id)

  const feed = await app.inject('/v1/changes?resource=person')
  t.equal(feed.statusCode, 200)
  t.notMatch(feed.body, /logged@example/, 'the feed never carries the email')
  const events = json<{ data: ChangeEvent[] }>(feed).data
  t.same(
    events.map((e) => [e.type, e.resource.id, e.resource.slug, e.changedFields]),
    [
      ['person.created', person.id, 'logged-person', ['name', 'email']],
      ['person.updated', person.id, 'logged-person', ['jobTitle', 'affiliationId']],
      ['person.deleted', person.id, 'logged-person', []],
    ],
  )
  for (const e of events) t.same(e.surrogateKeys, [`person:${person.id}`, 'people'])

  const audit = await app.inject({ url: `/v1/audit?resourceType=person&resourceId=${person.id}`, headers: manager })
  const entries = json<{ data: { action: string; keyId: string }[] }>(audit).data
  t.same(
    entries.map((e) => [e.action, e.keyId]),
    [
      ['delete', writer.id],
      ['update', writer.id],
      ['create', writer.id],
    ],
  )
})
