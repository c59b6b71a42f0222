// The document-level parts of the OpenAPI spec; operations come from the route schemas, with the
// few adjustments @fastify/swagger cannot be asked for in a route schema (transformRoute,
// finishDocument).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger'
import { projectRoot } from './db/paths.js'
import { ConditionalHeadersSchema, headerDefinitions } from './http/responses.js'

declare module 'fastify' {
  interface FastifySchema {
    /** The request body may be left out (the spec says `requestBody.required: false`). */
    'x-optional-body'?: true
    /**
     * A multipart/form-data body, for the spec only: the route reads its parts itself (a file is
     * streamed, never validated as a parsed body), so Fastify must not validate one.
     */
    'x-multipart-body'?: object
  }
}

const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }

export const openapiInfo = {
  openapi: '3.1.0',
  info: {
    title: 'Newsdesk API',
    version: pkg.version,
    description:
      'Newsdesk is a headless news CMS: articles, sources and curated teaser collections over REST/JSON.\n\n' +
      'Errors are `application/problem+json` (RFC 9457) with a stable `code`; validation errors list every ' +
      'offending field in `errors`. Lists return `{ data, page }` with an opaque `page.nextCursor` and a ' +
      '`Link: rel="next"` header.',
    contact: { name: 'Newsdesk', url: 'https://newsdesk.dev' },
    license: { name: 'MIT', identifier: 'MIT' },
  },
  // Relative: Try it out in Swagger UI (/docs) calls the host that served the page, whatever it is.
  servers: [
    {
      url: '/',
      description: 'The server this document was fetched from (local, staging or production alike)',
      'x-internal': false,
    },
  ],
  components: {
    headers: headerDefinitions,
    securitySchemes: {
      bearerAuth: {
        type: 'http' as const,
        scheme: 'bearer',
        bearerFormat: 'nd_<id>_<secret>',
        description:
          'An API key: `Authorization: Bearer nd_…`. Create one with `npm run keys:create` or POST /v1/keys.',
      },
    },
  },
  tags: [
    { name: 'Articles', description: 'The journalism: drafts, publishing, revisions, search' },
    {
      name: 'Previews',
      description: 'Links that show a draft to whoever holds them, without an API key (scope content:preview)',
    },
    { name: 'Tags', description: 'Topics articles are tagged with' },
    { name: 'Sections', description: 'The tree of site sections articles are filed in: World › Middle East' },
    { name: 'Collections', description: 'Curated, ordered boxes of teasers such as Top stories' },
    {
      name: 'Feeds',
      description: 'The article list and boxes as RSS 2.0, Atom 1.0 and JSON Feed 1.1, for feed readers and partners',
    },
    {
      name: 'Sitemaps',
      description: 'XML sitemaps of the public articles, sections and people, for search engines (Google News too)',
    },
    { name: 'Sources', description: 'Publishers, news agencies and partners' },
    { name: 'People', description: 'Authors, photographers and others credited on articles' },
    { name: 'Media', description: 'The image library: uploads with credits and rights, served in fixed renditions' },
    {
      name: 'Changes',
      description: 'The change feed: every change to content, in commit order, for partners and frontends to follow',
    },
    { name: 'API keys', description: 'Keys, their scopes and limits (scope keys:manage)' },
    {
      name: 'Webhooks',
      description:
        'Change events POSTed to your URLs, signed as Standard Webhooks, retried for a day (scope webhooks:manage)',
    },
    {
      name: 'Audit log',
      description: 'Every write made through the API, and every preview link visit (scope keys:manage)',
    },
    { name: 'Health', description: 'Liveness and readiness probes' },
    { name: 'Operations', description: 'Metrics for Prometheus (scope metrics:read)' },
  ],
}

interface ObjectSchema {
  properties?: Record<string, object & { default?: unknown }>
  required?: string[]
}
type RouteSchema = Record<string, unknown> & {
  operationId?: string
  summary?: string
  description?: string
  querystring?: ObjectSchema
  headers?: ObjectSchema
  response?: Record<string, { description?: string; headers?: object }>
}

/** A query parameter with a default is optional to the caller: the server fills it in. */
function optionalDefaults(querystring: NonNullable<RouteSchema['querystring']>) {
  const required = (querystring.required ?? []).filter((name) => querystring.properties?.[name]?.default === undefined)
  const { required: _, ...rest } = querystring
  return required.length > 0 ? { ...rest, required } : rest
}

/**
 * HEAD is served for every GET (Fastify's automatic HEAD routes): the same answer without the
 * body. @fastify/swagger names it "<operationId>-head"; camelCase keeps generated clients tidy.
 */
function headOperation(schema: RouteSchema): RouteSchema {
  const get = (schema.operationId ?? '').replace(/-head$/, '')
  return {
    ...schema,
    operationId: `${get}Head`,
    summary: `${schema.summary} (headers only)`,
    description:
      `The answer of GET without its body: to revalidate a copy (If-None-Match) or to check that it exists.` +
      (schema.description ? `\n\n${schema.description}` : ''),
    response: Object.fromEntries(
      Object.entries(schema.response ?? {}).map(([status, { description, headers }]) => {
        // The response cache answers GET only: HEAD never carries its Age.
        const { Age: _, ...sent } = (headers ?? {}) as Record<string, unknown>
        return [status, { type: 'null', description, headers: sent }]
      }),
    ),
  }
}

/** Adjusts one route's schema for the spec only (validation and serialization keep the original). */
export const transformRoute: SwaggerTransform = ({ schema, url, route }) => {
  if (!schema) return { schema, url }
  let documented = schema as RouteSchema
  const { 'x-multipart-body': multipartBody, ...rest } = documented
  if (multipartBody) documented = { ...rest, body: multipartBody, consumes: ['multipart/form-data'] }
  if (documented.querystring) documented = { ...documented, querystring: optionalDefaults(documented.querystring) }
  // A read documents its 304 (src/http/responses.ts): @fastify/etag answers it for If-None-Match.
  if (documented.response?.['304']) {
    const headers: ObjectSchema & { type?: string } = documented.headers ?? { type: 'object' }
    documented = {
      ...documented,
      headers: { ...headers, properties: { ...headers.properties, ...ConditionalHeadersSchema.properties } },
    }
  }
  if (route.method === 'HEAD') documented = headOperation(documented)
  return { schema: documented as typeof schema, url }
}

type Operation = {
  'x-optional-body'?: true
  requestBody?: { required?: boolean }
  responses?: Record<string, { headers?: Record<string, unknown> }>
}

/**
 * The finished document: every response declares the CORS header, response headers refer to
 * their components.headers entry, and a body
 * marked optional (x-optional-body) is not required.
 */
export const finishDocument: SwaggerTransformObject = (document) => {
  const spec = (document as { openapiObject: { paths?: Record<string, Record<string, Operation>> } }).openapiObject
  for (const item of Object.values(spec.paths ?? {})) {
    for (const operation of Object.values(item)) {
      if (operation['x-optional-body']) {
        delete operation['x-optional-body']
        if (operation.requestBody) operation.requestBody.required = false
      }
      for (const response of Object.values(operation.responses ?? {})) {
        // CORS headers go on every answer, refusals included (src/http/security.ts runs first).
        response.headers = { ...response.headers, 'Access-Control-Allow-Origin': {} }
        for (const name of Object.keys(response.headers)) {
          if (name in headerDefinitions && response.headers) {
            response.headers[name] = { $ref: `#/components/headers/${name}` }
          }
        }
      }
    }
  }
  return spec
}
