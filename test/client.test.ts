// The typed client (clients/typescript, @newsdesk/client) against a live server on a real socket,
// used as an application would: list with filters to the last page, create, publish, edit with
// If-Match, read errors as typed problems, revalidate with If-None-Match.
//
// No casts: every field an article always has is required in the spec, list parameters with
// defaults are optional, the publish body is optional, and a 304 is an answer without a body.
import type { AddressInfo } from 'node:net'
import { createNewsdeskClient, isProblem, type NewsdeskClient, type Problem } from '@newsdesk/client'
import { type Test, test } from 'tap'
import { seed } from '../src/seed/seed.js'
import { build } from './helper.js'

async function listAll(t: Test, client: NewsdeskClient, query: { source: string; status: 'published' }) {
  const ids: string[] = []
  let cursor: string | undefined
  let pages = 0
  let total: number | undefined
  do {
    const { data, error, response } = await client.GET('/v1/articles', {
      params: {
        query: { ...query, limit: 2, fields: 'slug,status', count: pages === 0, ...(cursor ? { cursor } : {}) },
      },
    })
    if (!data) throw new Error(`page ${pages + 1}: ${response.status} ${error?.detail}`)
    pages += 1
    total ??= data.page.total
    for (const article of data.data) {
      t.equal(article.status, 'published', `${article.slug} is published`)
      ids.push(article.id)
    }
    cursor = data.page.nextCursor ?? undefined
  } while (cursor && pages < 50)
  return { ids, pages, total }
}

test('the typed client against a live server', async (t) => {
  const { app, db, writer } = await build(t, { env: { RATE_LIMIT_MAX: '100000' } })
  await seed(db.prisma)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}/`
  const client = createNewsdeskClient({ baseUrl, apiKey: writer.token, headers: { 'x-request-id': 'client-test' } })

  t.test('lists with filters, following nextCursor to the last page', async (t) => {
    const { ids, pages, total } = await listAll(t, client, { source: 'panarmenian-net', status: 'published' })
    t.equal(total, 5, 'count=true gives the total')
    t.equal(ids.length, 5, 'every article once')
    t.equal(new Set(ids).size, 5, 'no article twice')
    t.equal(pages, 3, 'pages of two')
  })

  t.test('creates, publishes and edits with If-Match; a stale version is a typed 412', async (t) => {
    const created = await client.POST('/v1/articles', {
      body: { headline: 'Typed client writes an article', body: 'A paragraph.', source: 'panarmenian-net' },
    })
    t.equal(created.response.status, 201)
    if (!created.data) throw new Error(`create: ${created.error?.detail}`)
    t.equal(created.data.status, 'draft')
    const id = created.data.id

    const published = await client.POST('/v1/articles/{id}/publish', { params: { path: { id } } })
    t.equal(published.data?.status, 'published')
    const etag = published.response.headers.get('etag')
    t.equal(etag, `"v${published.data?.version}"`, 'the ETag names the version')

    const edited = await client.PATCH('/v1/articles/{idOrSlug}', {
      params: { path: { idOrSlug: id }, header: { 'if-match': etag ?? '' } },
      body: { summary: 'Written through the typed client.' },
    })
    t.equal(edited.response.status, 200)
    t.equal(edited.data?.summary, 'Written through the typed client.')
    t.not(edited.response.headers.get('etag'), etag, 'a new version, a new ETag')

    const stale = await client.PATCH('/v1/articles/{idOrSlug}', {
      params: { path: { idOrSlug: id }, header: { 'if-match': etag ?? '' } },
      body: { summary: 'Based on a version that is gone.' },
    })
    t.equal(stale.response.status, 412)
    t.equal(stale.data, undefined)
    const problem: Problem | undefined = stale.error
    t.equal(problem?.code, 'ND_PRECONDITION_FAILED')
    t.equal(problem?.status, 412)
    t.equal(problem?.requestId, 'client-test', 'the X-Request-Id given is the problem’s requestId')

    const read = await client.GET('/v1/articles/{idOrSlug}', {
      params: { path: { idOrSlug: published.data?.slug ?? '' } },
    })
    t.equal(read.data?.summary, 'Written through the typed client.', 'the stale write changed nothing')
  })

  t.test('a missing record is a typed 404', async (t) => {
    const { data, error, response } = await client.GET('/v1/articles/{idOrSlug}', {
      params: { path: { idOrSlug: 'no-such-article' } },
    })
    t.equal(response.status, 404)
    t.equal(data, undefined)
    t.ok(isProblem(error))
    t.equal(error?.code, 'ND_NOT_FOUND')
    t.match(response.headers.get('content-type'), /^application\/problem\+json/)
  })

  t.test('revalidates with If-None-Match: 304 and no body', async (t) => {
    const first = await client.GET('/v1/sources/{idOrSlug}', { params: { path: { idOrSlug: 'panarmenian-net' } } })
    t.equal(first.data?.slug, 'panarmenian-net')
    const etag = first.response.headers.get('etag')
    t.ok(etag, 'an ETag to revalidate with')
    const again = await client.GET('/v1/sources/{idOrSlug}', {
      params: { path: { idOrSlug: 'panarmenian-net' } },
      headers: { 'if-none-match': etag ?? '' },
    })
    t.equal(again.response.status, 304)
    t.equal(again.data, undefined, 'nothing to parse: the cached copy is current')
  })

  t.test('without a key: published content reads, writes are a typed 401', async (t) => {
    const anonymous = createNewsdeskClient({ baseUrl })
    const sources = await anonymous.GET('/v1/sources')
    t.ok(sources.data?.data.some((s) => s.slug === 'panarmenian-net'))
    const denied = await anonymous.POST('/v1/sources', { body: { name: 'Nobody', kind: 'partner' } })
    t.equal(denied.response.status, 401)
    t.equal(denied.error?.code, 'ND_UNAUTHORIZED')
  })
})
