// Every request-body example in the committed spec, sent as Swagger UI's Try it out sends it, to a
// freshly seeded database with a key holding every scope: each must succeed. Path parameters come
// from the parameter's own example, or from the Location of a record an earlier example created.
import { readFile } from 'node:fs/promises'
import { test } from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { scopes } from '../src/lib/principal.js'
import type { Resolve } from '../src/modules/webhooks/webhooks.address.js'
import { seed } from '../src/seed/seed.js'
import { specPath } from '../src/spec.js'
import { createKey, createTestDatabase, mediaDir } from './helper.js'
import { image, multipart } from './modules/media.helpers.js'

interface Schema {
  $ref?: string
  examples?: unknown[]
  example?: unknown
}
interface Parameter {
  name: string
  in: string
  example?: unknown
  schema?: Schema
}
interface Media {
  schema?: Schema
  example?: unknown
  examples?: Record<string, { value: unknown }>
}
interface Operation {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { content: Record<string, Media> }
}
interface Spec {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Schema> }
}

/** The example.com of the webhook example is public; the tests ask no real DNS. */
const resolveHost: Resolve = async (hostname) => {
  if (hostname !== 'example.com') throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  return [{ address: '93.184.215.14', family: 4 }]
}

function bodyExamples(spec: Spec, media: Media): unknown[] {
  if (media.example !== undefined) return [media.example]
  if (media.examples) return Object.values(media.examples).map((e) => e.value)
  const ref = media.schema?.$ref?.replace('#/components/schemas/', '')
  const schema = ref ? spec.components.schemas[ref] : media.schema
  return schema?.examples ?? (schema?.example === undefined ? [] : [schema.example])
}

const uploadBody = Symbol('multipart upload')

const paramExample = (p: Parameter) => p.example ?? p.schema?.example ?? p.schema?.examples?.[0]

test('every request-body example in the spec succeeds on the seeded database', async (t) => {
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as Spec
  const database = await createTestDatabase(t)
  await seed(database.db.prisma)
  const config = loadConfig({ LOG_LEVEL: 'silent', WEBHOOK_WORKER: 'false', MEDIA_DIR: await mediaDir(t) })
  const app = await buildApp({ config, db: database.db, resolveHost })
  t.teardown(() => app.close())
  await app.ready()
  const { headers: auth } = await createKey(database.db, [...scopes])

  const pending: { method: string; path: string; op: Operation; body: unknown }[] = []
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const media = op.requestBody?.content['application/json']
      for (const body of media ? bodyExamples(spec, media) : []) pending.push({ method, path, op, body })
      // A multipart body has no JSON example: an image made here stands in for its file.
      if (op.requestBody?.content['multipart/form-data']) pending.push({ method, path, op, body: uploadBody })
    }
  }
  t.ok(pending.length >= 12, `${pending.length} examples`)
  // A kill withdraws its article for good: it goes last, so other examples still find the article.
  pending.sort((a, b) => Number(a.op.operationId === 'killArticle') - Number(b.op.operationId === 'killArticle'))

  // Creates first (no path parameters), then whatever their Locations make reachable.
  const locations: string[] = []
  const resolve = (path: string, op: Operation): string | undefined => {
    let url = path
    for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
      const param = op.parameters?.find((p) => p.in === 'path' && p.name === name)
      const prefix = url.slice(0, url.indexOf(`{${name}}`))
      const created = locations.find((l) => l.startsWith(prefix) && !l.slice(prefix.length).includes('/'))
      const value = (param && paramExample(param)) ?? created?.slice(prefix.length)
      if (value === undefined) return undefined
      url = url.replace(`{${name}}`, encodeURIComponent(String(value)))
    }
    return url
  }
  for (let progress = true; pending.length > 0 && progress; ) {
    progress = false
    for (const item of [...pending]) {
      const url = resolve(item.path, item.op)
      if (url === undefined) continue
      pending.splice(pending.indexOf(item), 1)
      progress = true
      // A kill is for an article once published: the draft an earlier example created is published first.
      if (item.op.operationId === 'killArticle') {
        await app.inject({ method: 'POST', url: url.replace(/\/kill$/, '/publish'), headers: auth })
      }
      const upload = item.body === uploadBody ? multipart([{ name: 'file', file: await image('png') }]) : undefined
      const res = await app.inject({
        method: item.method.toUpperCase() as 'POST',
        url,
        headers: upload ? { ...auth, 'content-type': upload.contentType } : auth,
        payload: upload ? upload.payload : (item.body as object),
      })
      t.ok(res.statusCode >= 200 && res.statusCode < 300, `${item.op.operationId}: ${res.statusCode}`, {
        body: res.body,
      })
      if (typeof res.headers.location === 'string') locations.push(res.headers.location)
    }
  }
  t.same(
    pending.map((p) => p.op.operationId),
    [],
    'every example was sent (its path parameters had an example or a created record)',
  )
})
