// Responses as the spec documents them: each status with a description, the headers it carries
// and its body, in the shape @fastify/swagger reads (and Fastify serializes by `content`). The
// headers are described once here; the spec names them in components.headers (src/openapi.ts).
import Type, { type TSchema } from 'typebox'

/** Counts and seconds. */
const count = { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 } as const
const text = (maxLength?: number, pattern?: string) =>
  ({ type: 'string', ...(maxLength ? { maxLength } : {}), ...(pattern ? { pattern } : {}) }) as const

/** Every response header the API documents, by the name the spec gives it. */
export const headerDefinitions = {
  'X-Request-Id': {
    description:
      "The request id: the caller's X-Request-Id when it is a sane token (1-128 letters, digits and `._:-`), " +
      'otherwise a new UUID. Problems carry it as `requestId`; the server log names requests by it.',
    required: true,
    schema: text(128, '^[A-Za-z0-9._:-]{1,128}$'),
  },
  ETag: {
    description:
      'The version of this representation: `"v<version>"` for the full representation of a versioned record ' +
      '(If-Match takes it on changes), otherwise a hash of the body (of a media file: of the original and the ' +
      'file name). Send it in If-None-Match to revalidate.',
    required: true,
    schema: text(64, '^"[^"]+"$'),
  },
  'Last-Modified': {
    description: 'When the content shown last changed (an HTTP date)',
    schema: text(29, '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$'),
  },
  'Cache-Control': {
    description:
      'How long caches may keep the answer: `public, max-age=60, stale-while-revalidate=300` for the public ' +
      'view (less when it changes by itself sooner), `private, no-store` for previews, editors, writes and ' +
      'media originals; `public, max-age=31536000, immutable` for image renditions (their URL changes with them); ' +
      '`no-store` for metrics.',
    schema: text(100),
  },
  Vary: {
    description: 'Authorization: the answer depends on the credentials (and Origin when CORS_ORIGINS lists origins)',
    schema: text(100),
  },
  'Surrogate-Key': {
    description:
      'Space-separated keys naming the records the answer shows, for CDN purges (the change feed names the ' +
      'keys each change affects). A list names itself (e.g. `articles`, purged by every change to an article) ' +
      'and the other records whose data its items show (a record named only by its id or slug needs none), ' +
      'not each article',
    schema: text(undefined, '^[^ ]+( [^ ]+)*$'),
  },
  Age: {
    description: "Seconds the answer spent in the server's response cache (only on answers served from it)",
    schema: count,
  },
  Link: {
    description:
      '`<…>; rel="next"`: the next page (absent on the last page); on article lists also `<…>; rel="alternate"; ' +
      'type="…"`: the same filters as RSS, Atom and JSON Feed (GET /v1/feeds/articles.*); ' +
      '`<…>; rel="profile"`: the schema a ninjs answer follows (format=ninjs). Relative unless PUBLIC_URL is set',
    schema: text(
      undefined,
      '^<[^>]+>; rel="(next|alternate|profile)"(; type="[^"]+")?(, <[^>]+>; rel="(next|alternate)"(; type="[^"]+")?)*$',
    ),
  },
  Location: {
    description: 'The path of the resource created (or of the delivery accepted)',
    required: true,
    schema: text(200, '^/v1/'),
  },
  'Idempotent-Replayed': {
    description: '`true` when the answer replays the first answer to this Idempotency-Key: nothing new was created',
    schema: { type: 'string' as const, enum: ['true'] },
  },
  'RateLimit-Limit': {
    description: 'Requests allowed per window: for the API key, or for the client IP when anonymous',
    schema: count,
  },
  'RateLimit-Remaining': { description: 'Requests left in the current window', schema: count },
  'RateLimit-Reset': { description: 'Seconds until the current window ends', schema: count },
  'Retry-After': { description: 'Seconds to wait before sending the request again', schema: count },
  'Access-Control-Allow-Origin': {
    description:
      "CORS: `*` while CORS_ORIGINS is `*` (the default); otherwise the request's Origin when CORS_ORIGINS lists it",
    schema: text(),
  },
}

export type HeaderName = keyof typeof headerDefinitions

/** The headers a rate-limited route sends on every answer the rate limiter saw. */
export const rateLimitHeaders: HeaderName[] = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']

/** Headers as a route schema declares them for @fastify/swagger: a schema with a description each. */
function headerSchemas(names: readonly HeaderName[]) {
  return Object.fromEntries(
    ['X-Request-Id' as const, ...names].map((name) => {
      const { description, schema } = headerDefinitions[name]
      return [name, { ...schema, description }]
    }),
  )
}

/**
 * A response with a JSON body. X-Request-Id and ETag are always among its headers: @fastify/etag
 * gives every body an ETag the route did not set itself.
 */
export function success<T extends TSchema>(description: string, schema: T, headers: readonly HeaderName[] = []) {
  const names = headers.includes('ETag') ? headers : (['ETag', ...headers] as const)
  return { description, headers: headerSchemas(names), content: { 'application/json': { schema } } }
}

/**
 * A response whose body is a file in one of these media types (an image, served as stored). Its
 * ETag is the route's own: @fastify/etag hashes only bodies held in memory.
 */
export function file(description: string, mimeTypes: readonly string[], headers: readonly HeaderName[] = []) {
  const names = headers.includes('ETag') ? headers : (['ETag', ...headers] as const)
  return {
    description,
    headers: headerSchemas(names),
    content: Object.fromEntries(
      mimeTypes.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }]),
    ),
  }
}

/** A response without a body (204, 304). */
export function empty(description: string, headers: readonly HeaderName[] = []) {
  return Type.Null({ description, headers: headerSchemas(headers) })
}

const revalidation: readonly HeaderName[] = ['ETag', 'Cache-Control', 'Last-Modified', 'Vary', 'Surrogate-Key', 'Age']

/**
 * A read: 200 with its body, and 304 when If-None-Match names the current ETag (@fastify/etag
 * answers it for every GET), with the caching headers the 200 would have carried.
 */
export function readResponses<T extends TSchema>(description: string, schema: T, headers: readonly HeaderName[] = []) {
  const kept = revalidation.filter((name) => name === 'ETag' || headers.includes(name))
  return {
    200: success(description, schema, headers),
    304: empty('Not modified: the ETag given in If-None-Match is still current (no body)', kept),
  }
}

/** The If-None-Match request header of every read (see readResponses()). */
export const ConditionalHeadersSchema = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({
      maxLength: 1024,
      description: 'The ETag of an earlier answer: 304 without a body while it is still current',
    }),
  ),
})

/** Every response of a route, each with more headers (documenting a hook that sets them on every answer). */
export function withHeadersOnAll(
  responses: Record<string, object> | undefined,
  names: readonly HeaderName[],
  except: readonly string[] = [],
) {
  if (!responses) return responses
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => [
      status,
      except.includes(status) ? response : withHeaders(response, names),
    ]),
  )
}

/** The same response with more headers (a new object: response schemas may be shared). */
export function withHeaders<R extends object>(response: R, names: readonly HeaderName[]): R {
  const { headers } = response as { headers?: object }
  return { ...response, headers: { ...headers, ...headerSchemas(names) } }
}
