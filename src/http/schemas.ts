// Schemas shared by every module: problem responses and the reusable bits of route schemas.
import Type, { type Static, type TSchema, type TSchemaOptions } from 'typebox'
import { problemCodes } from '../errors.js'
import { ArticleStatus } from '../generated/prisma/enums.js'
import { scopes } from '../lib/principal.js'
import { type HeaderName, withHeaders } from './responses.js'

/**
 * A string out of a fixed list, emitted as `{ type: 'string', enum: [...] }`: a union of literals
 * would be `anyOf: [{ const }]`, which Swagger UI offers as a dropdown of its first value only and
 * generators turn into less readable types. Validation is the same (400 naming the field).
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: TSchemaOptions = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

/**
 * A reference to a named component (a schema with an $id, added with app.addSchema in
 * src/components.ts), typed as the schema it names: the spec shows `#/components/schemas/<$id>`,
 * and the serializer resolves it.
 */
export function ref<T extends TSchema>(schema: T & { $id?: string }) {
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` })
}

const fieldLocations = ['body', 'query', 'path', 'header'] as const

export const ProblemFieldSchema = Type.Object(
  {
    in: StringEnum(fieldLocations, { description: 'The part of the request the field belongs to' }),
    pointer: Type.String({ description: 'JSON Pointer (RFC 6901) to the offending field within that part' }),
    message: Type.String(),
  },
  { $id: 'ProblemField', title: 'ProblemField', additionalProperties: false },
)

const uuidList = (description: string) => Type.Array(Type.String({ format: 'uuid' }), { description })

/** Extension members: each appears only on the problems named in its description. */
const problemMembers = {
  errors: Type.Optional(
    Type.Array(ref(ProblemFieldSchema), {
      description:
        'Every offending field: ND_VALIDATION_FAILED, and the 422s ND_NOT_PUBLISHABLE, ND_BODY_TOO_COMPLEX, ' +
        'ND_WEBHOOK_TARGET_REFUSED and ND_REFERENCE_MISSING (when an article names tags that do not exist)',
    }),
  ),
  field: Type.Optional(
    Type.String({
      description:
        'ND_UNIQUE_VIOLATION: the field whose value another record uses (e.g. slug); ND_REFERENCE_MISSING: ' +
        'the input field naming the record that does not exist (e.g. credits/0/source); ND_INVALID_REFERENCE: ' +
        'the input field naming a record it may not name (e.g. into)',
    }),
  ),
  currentVersion: Type.Optional(
    Type.Integer({ description: 'ND_PRECONDITION_FAILED: the version the resource is at now' }),
  ),
  currentEtag: Type.Optional(
    Type.String({ description: 'ND_PRECONDITION_FAILED: the ETag of that version, to send as If-Match' }),
  ),
  currentStatus: Type.Optional(
    StringEnum(Object.values(ArticleStatus), {
      description: 'ND_INVALID_TRANSITION: the status the article has now',
    }),
  ),
  missing: Type.Optional(uuidList('ND_CONFLICT on a reorder: teasers of the collection the list leaves out')),
  unexpected: Type.Optional(
    uuidList('ND_CONFLICT on a reorder: ids in the list that are not teasers of the collection'),
  ),
  references: Type.Optional(
    Type.Object(
      {
        articles: Type.Integer(),
        credits: Type.Optional(Type.Integer()),
        teasers: Type.Optional(Type.Integer()),
        people: Type.Optional(Type.Integer()),
      },
      {
        additionalProperties: false,
        description:
          'ND_CONFLICT on deleting a source: the articles, wire credits, teasers and people (affiliated) that ' +
          'still name it; on deleting a person: the articles that credit them (`articles` only); ND_MEDIA_IN_USE ' +
          'on deleting media: the articles (lead image or body), teasers and people that use it',
      },
    ),
  ),
  sectionReferences: Type.Optional(
    Type.Object(
      { children: Type.Integer(), articles: Type.Integer() },
      {
        additionalProperties: false,
        description: 'ND_CONFLICT on deleting a section: its child sections, and the articles filed in it (any status)',
      },
    ),
  ),
  articleCount: Type.Optional(
    Type.Integer({ description: 'ND_CONFLICT on deleting a tag: the articles (not deleted) that still use it' }),
  ),
  teaserCount: Type.Optional(
    Type.Integer({ description: 'ND_CONFLICT on deleting a collection: the teasers it still holds' }),
  ),
  scopesNotHeld: Type.Optional(
    Type.Array(StringEnum(scopes), {
      description: 'ND_SCOPE_NOT_HELD: the scopes asked for that the calling key does not hold',
    }),
  ),
  widenedScopes: Type.Optional(
    Type.Array(StringEnum(scopes), {
      description: 'ND_CONFLICT on changing a key: the scopes that would widen it (scopes can only be narrowed)',
    }),
  ),
}

/** RFC 9457 problem details. Extension members beyond these may appear for specific errors. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the kind of problem' }),
    title: Type.String({ description: 'Short summary of the kind of problem' }),
    status: Type.Integer({ description: 'HTTP status code' }),
    detail: Type.String({ description: 'Explanation specific to this occurrence' }),
    instance: Type.String({ description: 'The request path this problem occurred on' }),
    code: StringEnum(problemCodes, {
      description:
        'Stable machine-readable error code. ND_REQUEST_REJECTED: a request the framework refused for a reason ' +
        'without a code of its own (the status and detail say which).',
      examples: ['ND_NOT_FOUND'],
    }),
    requestId: Type.String({ description: 'The request id, also sent as X-Request-Id' }),
    ...problemMembers,
  },
  { $id: 'Problem', title: 'Problem', additionalProperties: true },
)
export type Problem = Static<typeof ProblemSchema>
/** The extension members an error may attach (src/errors.ts withProblem). */
export type ProblemMembers = Pick<Problem, keyof typeof problemMembers>

const problemRef = ref(ProblemSchema)

const problemDescriptions: Record<number, string> = {
  400: 'The request is malformed or fails validation; `errors` lists every offending field',
  401: 'Authentication is required',
  403: 'The credentials do not grant this operation',
  404: 'No such resource',
  409: 'The request conflicts with the current state of the resource',
  412: 'The resource changed since the version given in If-Match',
  410: 'The cursor is older than the change feed keeps (CHANGES_RETENTION_DAYS): resync from the lists',
  413: 'The request body is larger than the configured limit',
  414: 'The request URI is longer than the server accepts',
  415: 'The request body is not JSON',
  422: 'The request refers to a record that does not exist (or one it may not name, ND_INVALID_REFERENCE), or an article body is too complex to render (ND_BODY_TOO_COMPLEX), or a section would nest too deep (ND_SECTION_TOO_DEEP) or under itself (ND_SECTION_CYCLE)',
  429: 'Too many requests: over the request budget (with the RateLimit headers), or too many failed keys from one address (ND_TOO_MANY_AUTH_FAILURES); Retry-After says when to try again',
  500: 'Unexpected error (details are in the server log under the request id)',
  503: 'The database is not available; retry after the number of seconds in Retry-After',
}

const problemHeaders: Record<number, HeaderName[]> = { 429: ['Retry-After'], 503: ['Retry-After'] }

function problemResponse(status: number) {
  return withHeaders(
    {
      description: problemDescriptions[status] ?? 'Error',
      content: { 'application/problem+json': { schema: problemRef } },
    },
    problemHeaders[status] ?? [],
  ) as unknown as TSchema
}

/** Problem responses for exactly the given statuses. */
export function problemResponsesOnly(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries([...new Set(statuses)].sort().map((status) => [status, problemResponse(status)]))
}

/** Problem responses with the descriptions of some statuses replaced by a route's own reasons. */
export function describedProblems(
  responses: Record<number, TSchema>,
  descriptions: Record<number, string>,
): Record<number, TSchema> {
  const described = { ...responses }
  for (const [status, description] of Object.entries(descriptions)) {
    described[Number(status)] = { ...responses[Number(status)], description } as TSchema
  }
  return described
}

/** Problem responses for the given statuses, plus those every API route can return (400, 414, 500, 503). */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  return problemResponsesOnly(400, 414, 500, 503, ...statuses)
}

export const UuidSchema = Type.String({ format: 'uuid', maxLength: 36 })

// A slug shaped like a UUID would be read as an id where a path takes either (GET
// /v1/articles/{idOrSlug}): the record would be unreachable by its slug, or another record's.
const uuidShape = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
export const SlugSchema = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: `^(?!${uuidShape}$)[a-z0-9]+(?:-[a-z0-9]+)*$`,
  description: 'Lower-case letters and digits separated by single hyphens, not shaped like a UUID',
})
export const IdOrSlugParamsSchema = Type.Object(
  { idOrSlug: Type.String({ minLength: 1, maxLength: 200, description: 'The record id (UUID) or its slug' }) },
  { additionalProperties: false },
)
export const IdParamsSchema = Type.Object({ id: UuidSchema }, { additionalProperties: false })
/**
 * The path parameter of a change to a record whose reads take an id or a slug: one name per path
 * template (OpenAPI), but changes name the record by its id only; a slug is a 400.
 */
export const WriteIdParamsSchema = Type.Object(
  { idOrSlug: { ...UuidSchema, description: 'The record id (UUID); changes take the id, not the slug' } },
  { additionalProperties: false },
)

/**
 * Every date-time, in and out. Accepted input is stricter than format 'date-time' alone (see
 * src/lib/ranges.ts, applied by src/http/validation.ts): years 1000-9999, no leap second.
 */
export const TimestampSchema = Type.String({ format: 'date-time', maxLength: 64 })

/**
 * An absolute http(s) URL with a host, for every URL a client stores. Format 'uri' alone takes
 * "http://" and "http:///x" (no host; a browser resolves the second to the host "x"). User info
 * is refused: a published credential leaks, and "https://trusted.example@evil.example" misleads.
 * The pattern is linear: its parts match disjoint characters, so it cannot backtrack.
 */
export const HttpUrlSchema = Type.String({
  format: 'uri',
  maxLength: 2048,
  pattern: '^https?://(?:[^\\s/?#@:\\[\\]]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?(?:[/?#]\\S*)?$',
  description: 'An absolute http or https URL with a host (no user name or password)',
})

/** The If-Match header of every versioned write: a 412 when the record moved on since. */
export const IfMatchHeadersSchema = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'The ETag ("v<version>") the change is based on; 412 if the record has changed since',
    }),
  ),
})

/** A value or null (a field a client clears by sending null, a field a read shows as null). */
export const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
