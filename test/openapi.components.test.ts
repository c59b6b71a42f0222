// The spec's schemas as generated clients see them: named components with what is always present
// required, string enums, and the Problem code enum matching every code the API emits.
import { readFile } from 'node:fs/promises'
import { test } from 'tap'
import * as errors from '../src/errors.js'
import { problemCodes } from '../src/errors.js'
import { articleFields } from '../src/modules/articles/articles.schemas.js'
import { specPath } from '../src/spec.js'
import { build, json, pointers } from './helper.js'

interface SchemaObject {
  required?: string[]
  properties?: Record<string, SchemaObject>
  enum?: unknown[]
  type?: string
}
type Spec = {
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, SchemaObject> }
}

const readSpec = async () => JSON.parse(await readFile(specPath, 'utf8')) as Spec

test('records, pages and problems are named components, with what is always there required', async (t) => {
  const { components } = await readSpec()
  const names = [
    ...['Article', 'SparseArticle', 'Credit', 'LeadImage', 'Revision', 'ArticleTombstone', 'Source', 'Tag'],
    ...['TagWithCount', 'Collection', 'Teaser', 'TeaserArticle', 'TeaserImage', 'TeaserBox', 'CollectionHistoryEntry'],
    ...[
      'ApiKey',
      'ApiKeyWithSecret',
      'AuditEntry',
      'Webhook',
      'WebhookWithSecret',
      'WebhookDelivery',
      'WebhookAttempt',
    ],
    ...['ChangeEvent', 'Problem', 'ProblemField', 'Page', 'Person', 'PersonPage', 'RelatedArticle', 'RelatedArticles'],
    ...['ArticlePage', 'RevisionPage', 'ArticleTombstonePage', 'SourcePage', 'TagPage', 'CollectionPage'],
    ...['Section', 'SectionNode', 'SectionTree', 'SectionPage', 'NinjsDocument'],
    ...['CollectionHistoryPage', 'ApiKeyPage', 'AuditEntryPage', 'WebhookPage', 'WebhookDeliveryPage', 'ChangePage'],
  ]
  t.same(
    names.filter((n) => !components.schemas[n]),
    [],
    'every named component exists',
  )

  const article = components.schemas.Article as SchemaObject
  t.same(article.required, ['id', ...articleFields], 'a full article has every field')
  t.same(
    Object.keys(article.properties ?? {}).filter((p) => !article.required?.includes(p)),
    ['bodyWithheld', 'source', 'tagDetails', 'related'],
    'only what include embeds is optional, and the syndication view’s marker',
  )
  t.same(components.schemas.SparseArticle?.required, ['id'], 'a sparse article promises its id')
  for (const [name, schema] of Object.entries(components.schemas)) {
    // A ninjs document follows IPTC's convention, not ours: a property it has no value for is absent (never null).
    if (name === 'Problem' || name === 'SparseArticle' || name === 'NinjsDocument' || !schema.properties) continue
    // Optional members are the embeds, the preview-only, the write-scope-only (a person's email)
    // and the single-read-only ones: nullable fields are required and null.
    const optional = Object.keys(schema.properties).filter((p) => !schema.required?.includes(p))
    // A person's email address is for write scopes only.
    const allowed = [
      'source',
      'person',
      'section',
      'email',
      'tagDetails',
      'related',
      'visible',
      'hiddenReason',
      'snapshot',
      // An article's body withheld from a partner key (content:syndicate): present only then.
      'bodyWithheld',
      // A lead or teaser image's media record: present for media images only, so that images by
      // URL read exactly as before.
      'media',
      // A change event's ninjs document: present only with format=ninjs.
      'ninjs',
    ]
    t.same(
      optional.filter((p) => !allowed.includes(p)),
      [],
      `${name}: every field it always has is required`,
    )
  }
})

test('enums are string enums: no anyOf of consts anywhere', async (t) => {
  const found: string[] = []
  const walk = (node: unknown, at: string): void => {
    if (!node || typeof node !== 'object') return
    const { anyOf } = node as { anyOf?: { const?: unknown }[] }
    if (Array.isArray(anyOf) && anyOf.some((s) => s.const !== undefined)) found.push(at)
    for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`)
  }
  const spec = await readSpec()
  walk(spec, '#')
  t.same(found, [])
  const sort = spec.paths['/v1/articles']?.get as unknown as { parameters: { name: string; schema: SchemaObject }[] }
  t.same(sort.parameters.find((p) => p.name === 'status')?.schema, {
    type: 'string',
    enum: ['draft', 'scheduled', 'published', 'archived'],
  })
})

test('an enum still refuses a value outside it, naming the field', async (t) => {
  const { app, auth } = await build(t)
  const query = await app.inject({ url: '/v1/articles?status=live&sort=oldest', headers: auth })
  t.same(pointers(t, query), ['/sort', '/status'])
  t.match(json(query), { errors: [{ in: 'query', message: /^must be one of: / }] })
  const body = await app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: auth,
    payload: { name: 'x', kind: 'blog' },
  })
  t.same(pointers(t, body), ['/kind'])
  t.match(json(body), { errors: [{ in: 'body', message: 'must be one of: publisher, agency, partner' }] })
})

test('Problem.code is the enum of every code the API emits', async (t) => {
  const { components } = await readSpec()
  const code = components.schemas.Problem?.properties?.code
  t.equal(code?.type, 'string')
  t.same(code?.enum, [...problemCodes])
  // Every error class of src/errors.ts (the codes of framework errors are typed ProblemCode).
  const classes = Object.entries(errors).filter(
    ([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error,
  ) as [string, new (...args: unknown[]) => Error & { code: string }][]
  t.ok(classes.length >= 20, `${classes.length} error classes`)
  for (const [name, ErrorClass] of classes) {
    const { code } = new ErrorClass('x', 'y')
    t.ok((problemCodes as readonly string[]).includes(code), `${name}: ${code} is in the enum`)
  }
  const members = Object.keys(components.schemas.Problem?.properties ?? {})
  for (const member of ['errors', 'field', 'currentVersion', 'currentEtag', 'currentStatus', 'missing', 'unexpected']) {
    t.ok(members.includes(member), `Problem declares ${member}`)
  }
})
