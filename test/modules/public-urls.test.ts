// Public URLs: the templates PUBLIC_ARTICLE_URL, PUBLIC_SECTION_URL and PUBLIC_PERSON_URL rendered
// as `url` on every article, section and person a read or write shows; an article's canonicalUrl
// wins. The library first, then every read path through the API.
import { type Test, test } from 'tap'
import { articleUrl, personUrl, sectionUrl, templateProblem } from '../../src/lib/public-urls.js'
import type { Article, SparseArticle } from '../../src/modules/articles/articles.schemas.js'
import type { Teaser } from '../../src/modules/collections/collections.schemas.js'
import type { Person } from '../../src/modules/people/people.schemas.js'
import type { Section, SectionNode } from '../../src/modules/sections/sections.schemas.js'
import { build, json, type Page, testClock } from '../helper.js'
import { client, env } from './articles.helpers.js'

const templates = {
  article: 'https://www.example.com/news/{section}/{yyyy}/{mm}/{dd}/{slug}-{id}',
  section: 'https://www.example.com/{path}',
  person: 'https://www.example.com/people/{slug}?ref={id}',
}
const id = '019ac0de-7a1e-7000-8000-00000000c001'
const parts = {
  id,
  slug: 'a-slug',
  canonicalUrl: null,
  firstPublishedAt: new Date('2026-03-04T10:00:00Z'),
  publishedAt: new Date('2026-05-06T10:00:00Z'),
  sectionPath: 'world/middle-east',
}

test('the library: placeholders, encoding, precedence, missing values', async (t) => {
  t.equal(
    articleUrl(templates, parts),
    `https://www.example.com/news/world/middle-east/2026/03/04/a-slug-${id}`,
    'every placeholder, the date of the first publication',
  )
  t.equal(
    articleUrl(templates, { ...parts, firstPublishedAt: null }),
    `https://www.example.com/news/world/middle-east/2026/05/06/a-slug-${id}`,
    'never published before: its publish time',
  )
  t.equal(
    articleUrl(templates, { ...parts, canonicalUrl: 'https://elsewhere.example/x' }),
    'https://elsewhere.example/x',
    'canonicalUrl wins',
  )
  t.equal(articleUrl({}, { ...parts, canonicalUrl: 'https://elsewhere.example/x' }), 'https://elsewhere.example/x')
  t.equal(articleUrl({}, parts), null, 'no template: null')
  t.equal(
    articleUrl(templates, { ...parts, firstPublishedAt: null, publishedAt: null }),
    null,
    'a draft and a date placeholder: null',
  )
  t.equal(
    articleUrl({ article: 'https://x.example/{slug}' }, { ...parts, firstPublishedAt: null, publishedAt: null }),
    'https://x.example/a-slug',
    'a draft without a date placeholder has one',
  )
  t.equal(articleUrl(templates, { ...parts, sectionPath: null }), null, 'no section and {section}: null')
  t.equal(articleUrl(templates, { ...parts, sectionPath: undefined }), null)
  t.equal(
    articleUrl({ article: 'https://x.example/{slug}' }, { ...parts, slug: 'ça va?/#50% & more' }),
    'https://x.example/%C3%A7a%20va%3F/%2350%25%20%26%20more',
    'odd characters are percent-encoded (a slash is kept as a path separator)',
  )
  t.equal(
    sectionUrl(templates, { id, slug: 'middle-east', path: 'world/middle-east' }),
    'https://www.example.com/world/middle-east',
    "a section's path keeps its slashes",
  )
  t.equal(
    sectionUrl({ section: 'https://x.example/s/{slug}' }, { id, slug: 'a b', path: 'a b' }),
    'https://x.example/s/a%20b',
  )
  t.equal(sectionUrl({}, { id, slug: 'x', path: 'x' }), null)
  t.equal(personUrl(templates, { id, slug: 'anna-hakobyan' }), `https://www.example.com/people/anna-hakobyan?ref=${id}`)
  t.equal(personUrl({}, { id, slug: 'anna-hakobyan' }), null)
})

test('the library: dates are UTC dates', async (t) => {
  const at = (iso: string) =>
    articleUrl({ article: 'https://x.example/{yyyy}/{mm}/{dd}' }, { ...parts, firstPublishedAt: new Date(iso) })
  t.equal(at('2026-03-31T23:59:59.999Z'), 'https://x.example/2026/03/31', 'the last instant of a UTC day')
  t.equal(at('2026-04-01T00:00:00.000Z'), 'https://x.example/2026/04/01', 'the first of the next')
  t.equal(at('2026-04-01T01:30:00+02:00'), 'https://x.example/2026/03/31', 'an offset time, by its UTC date')
  t.equal(at('2025-12-31T23:30:00-05:00'), 'https://x.example/2026/01/01', 'across a year in UTC')
})

test('the library: which templates are refused', async (t) => {
  t.equal(templateProblem('article', 'https://www.example.com/news/{yyyy}/{mm}/{slug}'), null)
  t.equal(templateProblem('section', 'http://localhost:8080/{path}'), null)
  t.ok(templateProblem('article', 'https://www.example.com/{title}'), 'an unknown placeholder')
  t.ok(templateProblem('person', 'https://www.example.com/{path}'), "another kind's placeholder")
  t.ok(templateProblem('article', '/news/{slug}'), 'a relative URL')
  t.ok(templateProblem('article', 'ftp://www.example.com/{slug}'), 'another scheme')
  t.ok(templateProblem('article', 'https://user:secret@www.example.com/{slug}'), 'credentials')
  t.ok(templateProblem('article', 'https://user@www.example.com/{slug}'), 'a user name')
  t.ok(templateProblem('article', 'https://{slug}.example.com/'), 'a placeholder for the host')
  t.ok(templateProblem('article', 'https://www.{slug}.com/'), 'a placeholder within the host')
  t.ok(templateProblem('article', 'https:///{slug}'), 'no host')
})

const urlEnv = {
  ...env,
  PUBLIC_ARTICLE_URL: 'https://www.example.com/news/{section}/{yyyy}/{mm}/{slug}',
  PUBLIC_SECTION_URL: 'https://www.example.com/{path}',
  PUBLIC_PERSON_URL: 'https://www.example.com/people/{slug}',
}

async function setup(t: Test, withTemplates: boolean) {
  // 23:30 UTC on March 31: the article's date is March (the next day in UTC+1 and east).
  const clock = testClock(new Date('2026-03-31T23:30:00.000Z'))
  const built = await build(t, { env: withTemplates ? urlEnv : env, clock })
  const { app, auth } = built
  const articles = client(app, auth)
  const post = async <T>(url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: auth, payload })
    t.equal(res.statusCode, 201, `POST ${url}: ${res.body.slice(0, 200)}`)
    return json<T>(res)
  }
  const get = async <T>(url: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ url, headers })
    t.equal(res.statusCode, 200, `GET ${url}: ${res.body.slice(0, 200)}`)
    return json<T>(res)
  }
  const world = await post<Section>('/v1/sections', { name: 'World' })
  const east = await post<Section>('/v1/sections', { name: 'Middle East', parent: 'world' })
  const anna = await post<Person>('/v1/people', { name: 'Anna Hakobyan' })
  const published = async (payload: object) => {
    const draft = await articles.draft({ body: 'Body', tags: ['urls'], ...payload })
    const res = await articles.action(draft.id, 'publish')
    t.equal(res.statusCode, 200, res.body.slice(0, 200))
    return json<Article>(res)
  }
  return { ...built, clock, articles, post, get, world, east, anna, published }
}

test('with the templates: url on every read and write', async (t) => {
  const s = await setup(t, true)
  const { app, auth, east, anna, get, post, published } = s
  t.equal(east.url, 'https://www.example.com/world/middle-east', "a section's write answer")
  t.equal(anna.url, 'https://www.example.com/people/anna-hakobyan', "a person's write answer")

  const draft = await s.articles.draft({
    headline: 'Iraq shares intelligence',
    body: 'Body',
    tags: ['urls'],
    sections: [{ section: 'world' }, { section: 'world/middle-east', primary: true }],
    contributors: [{ person: anna.slug }],
  })
  t.equal(draft.url, null, 'a draft has no date yet: null')
  const article = json<Article>(await s.articles.action(draft.id, 'publish'))
  const url = 'https://www.example.com/news/world/middle-east/2026/03/iraq-shares-intelligence'
  t.equal(article.url, url, 'the write answer: the primary section, the UTC month of publication')
  s.clock.advance(3600_000)
  const other = await published({ headline: 'Syria reacts', sections: [{ section: 'world', primary: true }] })
  t.equal(other.url, 'https://www.example.com/news/world/2026/04/syria-reacts', 'published an hour later: April')
  const homeless = await published({ headline: 'No section' })
  t.equal(homeless.url, null, 'no section and {section}: null')
  const canonical = await published({ headline: 'Syndicated', canonicalUrl: 'https://partner.example/story' })
  t.equal(canonical.url, 'https://partner.example/story', 'canonicalUrl wins')

  t.equal((await get<Article>(`/v1/articles/${article.id}`)).url, url, 'a single read')
  t.equal((await get<Article>(`/v1/articles/${article.slug}`, auth)).url, url, 'a preview read')
  const list = await get<Page<SparseArticle>>('/v1/articles?tag=urls&limit=10')
  t.same(
    Object.fromEntries(list.data.map((a) => [a.slug, a.url])),
    {
      [article.slug]: url,
      [other.slug]: other.url,
      [homeless.slug]: null,
      [canonical.slug]: canonical.url,
    },
    'a list',
  )
  const sparse = await get<Page<SparseArticle>>('/v1/articles?tag=urls&fields=url&limit=10')
  t.same(
    sparse.data.find((a) => a.id === article.id),
    { id: article.id, url },
    'fields=url: the primary section is read for it, not shown',
  )
  const byPerson = await get<Page<SparseArticle>>(`/v1/people/${anna.slug}/articles?fields=url`)
  t.same(byPerson.data, [{ id: article.id, url }], "a person's articles")

  const embedded = await get<Article>(`/v1/articles/${article.id}?include=contributors,sections,related`)
  t.equal(embedded.contributors[0]?.person?.url, anna.url, 'include=contributors: the person has a url')
  t.same(
    embedded.sections.map((x) => x.section?.url),
    ['https://www.example.com/world/middle-east', 'https://www.example.com/world'],
    'include=sections: the sections have theirs (the primary one first)',
  )
  t.same(
    Object.fromEntries(embedded.related?.map((r) => [r.id, r.url]) ?? []),
    { [other.id]: other.url, [homeless.id]: null, [canonical.id]: canonical.url },
    'include=related: the related articles have theirs',
  )
  const related = await get<{ data: SparseArticle[] }>(`/v1/articles/${article.id}/related?fields=url`)
  t.same(
    Object.fromEntries(related.data.map((r) => [r.id, r.url])),
    { [other.id]: other.url, [homeless.id]: null, [canonical.id]: canonical.url },
    'GET related',
  )

  t.equal((await get<Person>(`/v1/people/${anna.slug}`)).url, anna.url, 'a person')
  t.same((await get<Page<Person>>('/v1/people?limit=100')).data.find((p) => p.id === anna.id)?.url, anna.url, 'people')
  t.equal((await get<Section>('/v1/sections/world/middle-east')).url, east.url, 'a section')
  const sections = await get<Page<Section>>('/v1/sections?limit=100')
  t.equal(sections.data.find((x) => x.id === east.id)?.url, east.url, 'sections')
  const tree = await get<{ data: SectionNode[] }>('/v1/sections?tree=true')
  const root = tree.data.find((x) => x.slug === 'world')
  t.equal(root?.children[0]?.url, east.url, 'the tree')

  await post('/v1/collections', { key: 'urls', title: 'URLs' })
  const teaser = await post<Teaser>('/v1/collections/urls/teasers', { text: 'Teased', articleId: article.id })
  t.equal(teaser.article?.url, url, "a teaser's article (write answer)")
  t.equal((await get<Teaser>(`/v1/teasers/${teaser.id}`, auth)).article?.url, url, 'a teaser read')
  const box = await get<{ data: Teaser[] }>('/v1/collections/urls/teasers')
  t.equal(box.data[0]?.article?.url, url, 'the box')
  const past = await get<{ data: Teaser[] }>(
    `/v1/collections/urls/teasers?at=${encodeURIComponent(s.clock().toISOString())}`,
    auth,
  )
  t.equal(past.data[0]?.article?.url, url, 'the box at an instant (from its history)')

  const link = async (payload: object) => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/articles/${article.id}/preview-links`,
      headers: auth,
      payload: { expiresIn: 3600, ...payload },
    })
    t.equal(res.statusCode, 201, res.body.slice(0, 200))
    return json<{ token: string }>(res).token
  }
  t.equal((await get<Article>(`/v1/preview/${await link({})}`)).url, url, 'a preview')
  t.equal((await get<Article>(`/v1/preview/${await link({ pinVersion: 2 })}`)).url, url, 'a pinned preview')
})

test('without the templates: url is the canonicalUrl, or null', async (t) => {
  const s = await setup(t, false)
  const { east, anna, get, published } = s
  t.equal(east.url, null)
  t.equal(anna.url, null)
  const article = await published({
    headline: 'Plain',
    sections: [{ section: 'world/middle-east', primary: true }],
    contributors: [{ person: anna.slug }],
  })
  const canonical = await published({ headline: 'Elsewhere', canonicalUrl: 'https://partner.example/elsewhere' })
  t.equal(article.url, null)
  t.equal(canonical.url, 'https://partner.example/elsewhere')
  const read = await get<Article>(`/v1/articles/${article.id}?include=contributors,sections,related`)
  t.equal(read.url, null)
  t.equal(read.contributors[0]?.person?.url, null)
  t.equal(read.sections[0]?.section?.url, null)
  const list = await get<Page<SparseArticle>>('/v1/articles?tag=urls&fields=url')
  t.same(Object.fromEntries(list.data.map((a) => [a.id, a.url])), {
    [article.id]: null,
    [canonical.id]: 'https://partner.example/elsewhere',
  })
  t.equal((await get<Section>(`/v1/sections/${east.id}`)).url, null)
  t.equal((await get<Person>(`/v1/people/${anna.id}`)).url, null)
})

test('url is read-only: a write naming it is refused by name, an embed sending it back is accepted', async (t) => {
  const s = await setup(t, true)
  const { app, auth, anna } = s
  const article = await s.published({
    headline: 'Sent back',
    sections: [{ section: 'world/middle-east', primary: true }],
    contributors: [{ person: anna.slug }],
  })
  const res = await s.articles.patch(article.id, { url: 'https://www.example.com/other' })
  t.equal(res.statusCode, 400)
  t.match(res.body, '/url')
  const read = json<Article>(
    await app.inject({ url: `/v1/articles/${article.id}?include=contributors,sections`, headers: auth }),
  )
  const back = await s.articles.patch(article.id, {
    contributors: read.contributors,
    sections: read.sections,
    dateline: 'BAGHDAD',
  })
  t.equal(back.statusCode, 200, back.body.slice(0, 300))
  t.equal(json<Article>(back).url, article.url)
  const person = await app.inject({
    method: 'PATCH',
    url: `/v1/people/${anna.id}`,
    headers: auth,
    payload: { url: 'x' },
  })
  t.equal(person.statusCode, 400, "a person's url is not written")
})
