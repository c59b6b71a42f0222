// Every application error, declared once with a code and an HTTP status. Services throw these;
// src/http/problem.ts turns them (and framework and database errors) into RFC 9457 responses.
import createError from '@fastify/error'
import type { ProblemMembers } from './http/schemas.js'

/**
 * Every code a problem can carry: those of the errors below, and those src/http/problem.ts gives
 * framework, router and HTTP parser errors. The spec declares Problem.code as this enum, and a
 * test checks that every error class's code is in it.
 */
export const problemCodes = [
  'ND_VALIDATION_FAILED',
  'ND_MALFORMED_JSON',
  'ND_JSON_TOO_DEEP',
  'ND_BAD_CONTENT_LENGTH',
  'ND_BAD_URL',
  'ND_BAD_REQUEST',
  'ND_INVALID_CURSOR',
  'ND_UNAUTHORIZED',
  'ND_FORBIDDEN',
  'ND_SCOPE_NOT_HELD',
  'ND_NOT_FOUND',
  'ND_ROUTE_NOT_FOUND',
  'ND_REQUEST_TIMEOUT',
  'ND_CONFLICT',
  'ND_UNIQUE_VIOLATION',
  'ND_INVALID_TRANSITION',
  'ND_CURSOR_EXPIRED',
  'ND_PRECONDITION_FAILED',
  'ND_BODY_TOO_LARGE',
  'ND_URI_TOO_LONG',
  'ND_UNSUPPORTED_MEDIA_TYPE',
  'ND_IMAGE_TOO_LARGE',
  'ND_IMAGE_UNREADABLE',
  'ND_MEDIA_IN_USE',
  'ND_RENDITION_FAILED',
  'ND_RENDITIONS_BUSY',
  'ND_SITEMAPS_BUSY',
  'ND_REFERENCE_MISSING',
  'ND_SECTION_TOO_DEEP',
  'ND_SECTION_CYCLE',
  'ND_INVALID_REFERENCE',
  'ND_NOT_PUBLISHABLE',
  'ND_NOT_YET_PUBLISHED',
  'ND_ARTICLE_KILLED',
  'ND_BODY_TOO_COMPLEX',
  'ND_WEBHOOK_TARGET_REFUSED',
  'ND_IDEMPOTENCY_KEY_REUSED',
  'ND_RATE_LIMITED',
  'ND_TOO_MANY_AUTH_FAILURES',
  'ND_HEADERS_TOO_LARGE',
  'ND_REQUEST_REJECTED',
  'ND_INTERNAL',
  'ND_DATABASE_UNAVAILABLE',
  'ND_SHUTTING_DOWN',
] as const
export type ProblemCode = (typeof problemCodes)[number]

export const NotFoundError = createError<[resource: string, key: string]>('ND_NOT_FOUND', 'No %s matches "%s"', 404)
/** A sitemap whose URLs cannot be made absolute: the variable named is unset (a 404: there is no such file). */
export const SitemapsNotConfiguredError = createError<[variable: string]>(
  'ND_NOT_FOUND',
  'This sitemap needs %s: a sitemap lists absolute URLs',
  404,
)
/**
 * A preview token that opens nothing: unknown, expired, revoked, or its article deleted. One
 * answer for all of them, so that a caller learns nothing about tokens it does not hold.
 */
export const PreviewNotFoundError = createError(
  'ND_NOT_FOUND',
  'No preview matches this link: it does not exist, has expired or was revoked',
  404,
)
export const ConflictError = createError<[detail: string]>('ND_CONFLICT', '%s', 409)
export const UniqueViolationError = createError<[field: string]>(
  'ND_UNIQUE_VIOLATION',
  'Another record already uses this %s',
  409,
)
export const MissingReferenceError = createError<[detail: string]>('ND_REFERENCE_MISSING', '%s', 422)
/** A section created or moved deeper than the tree may go (maxSectionDepth); the detail names the limit. */
export const SectionTooDeepError = createError<[detail: string]>('ND_SECTION_TOO_DEEP', '%s', 422)
/** A section moved under itself or one of its descendants; the detail names the loop. */
export const SectionCycleError = createError<[detail: string]>('ND_SECTION_CYCLE', '%s', 422)
/** A reference to a record that exists but may not be named there (e.g. a tag merged into itself). */
export const InvalidReferenceError = createError<[detail: string]>('ND_INVALID_REFERENCE', '%s', 422)
/** A rule the schema cannot express (e.g. a time that must be in the future); same code as schema failures. */
export const ValidationError = createError<[detail: string]>('ND_VALIDATION_FAILED', '%s', 400)
export const InvalidCursorError = createError(
  'ND_INVALID_CURSOR',
  'The cursor is invalid or belongs to another query',
  400,
)
export const CursorExpiredError = createError<[days: number]>(
  'ND_CURSOR_EXPIRED',
  'The cursor points before the oldest change the feed keeps (%s days): resync from the lists, then follow the feed from its current end',
  410,
)
/** A webhook URL the API will not call: not https, or reaching a loopback, private or metadata address. */
export const WebhookTargetRefusedError = createError<[detail: string]>('ND_WEBHOOK_TARGET_REFUSED', '%s', 422)
export const DatabaseUnavailableError = createError(
  'ND_DATABASE_UNAVAILABLE',
  'The database is not available; retry shortly',
  503,
)

/** This instance is shutting down; another instance (or this one, restarted) will answer. */
export const ShuttingDownError = createError(
  'ND_SHUTTING_DOWN',
  'This instance is shutting down; retry, another instance will answer',
  503,
)

/** A request field at fault: where it is, its JSON pointer within that part, and what is wrong. */
export interface InvalidField {
  in: 'body' | 'query' | 'path' | 'header'
  pointer: string
  message: string
}

/** The detail of a 400 for these fields, worded the same wherever the check runs. */
export function describeInvalidFields(fields: InvalidField[]): string {
  return `The request is invalid: ${fields.map((f) => `${f.in} ${f.pointer || '(root)'} ${f.message}`).join('; ')}`
}

/** A 400 naming the fields at fault, for rules the schemas cannot express (same shape as theirs). */
export function invalidRequest(fields: InvalidField[]): Error {
  return withProblem(new ValidationError(describeInvalidFields(fields)), { errors: fields })
}

/** Extra members an error carries into its problem body (RFC 9457 extension members). */
export interface ProblemExtensions {
  problem?: ProblemMembers
}

/**
 * Attaches extension members (for example the field that clashed) to an error. Only members the
 * Problem schema declares: a new one is added there first, so the spec tells clients about it.
 */
export function withProblem<E extends Error>(err: E, members: ProblemMembers): E & ProblemExtensions {
  return Object.assign(err, { problem: members })
}

export const UnauthorizedError = createError<[detail: string]>('ND_UNAUTHORIZED', '%s', 401)
export const TooManyAuthFailuresError = createError<[seconds: number]>(
  'ND_TOO_MANY_AUTH_FAILURES',
  'Too many failed authentications from this address; retry in %s seconds',
  429,
)
export const ForbiddenError = createError<[scope: string]>(
  'ND_FORBIDDEN',
  'This operation requires an API key with the %s scope',
  403,
)
export const ScopeNotHeldError = createError<[scopes: string]>(
  'ND_SCOPE_NOT_HELD',
  'A key can only grant scopes it holds itself; this key does not hold %s',
  403,
)
export const RateLimitedError = createError<[limit: number, after: string]>(
  'ND_RATE_LIMITED',
  'Rate limit of %s requests exceeded; retry in %s',
  429,
)
export const JsonTooDeepError = createError<[max: number]>(
  'ND_JSON_TOO_DEEP',
  'The JSON body nests arrays and objects more than %s levels deep',
  400,
)
export const UriTooLongError = createError<[max: number]>(
  'ND_URI_TOO_LONG',
  'The request URI is longer than %s characters',
  414,
)
export const PreconditionFailedError = createError<[detail: string]>('ND_PRECONDITION_FAILED', '%s', 412)
export const InvalidTransitionError = createError<[detail: string]>('ND_INVALID_TRANSITION', '%s', 409)
export const NotPublishableError = createError<[detail: string]>('ND_NOT_PUBLISHABLE', '%s', 422)
/** A correction note or a kill asks for an article that was published at some time. */
export const NotYetPublishedError = createError<[detail: string]>('ND_NOT_YET_PUBLISHED', '%s', 422)
/** A killed article is withdrawn for good: it can be neither edited, restored nor deleted again. */
export const ArticleKilledError = createError<[id: string]>(
  'ND_ARTICLE_KILLED',
  'The article "%s" was killed: it can no longer be changed',
  409,
)
/** An article body the renderer will not take on (articles.body-limits.ts); names the budget. */
export const BodyTooComplexError = createError<[reason: string]>(
  'ND_BODY_TOO_COMPLEX',
  'The body is too complex to render: %s',
  422,
)
export const IdempotencyMismatchError = createError(
  'ND_IDEMPOTENCY_KEY_REUSED',
  'This Idempotency-Key was used with a different request body',
  422,
)

/** A request body (or an uploaded file) larger than the configured limit. */
export const BodyTooLargeError = createError<[detail: string]>('ND_BODY_TOO_LARGE', '%s', 413)
/** A body of a type the operation does not take: an upload that is not multipart, a file that is not an image. */
export const UnsupportedMediaTypeError = createError<[detail: string]>('ND_UNSUPPORTED_MEDIA_TYPE', '%s', 415)
/** An image with more pixels than MEDIA_MAX_PIXELS (a decompression bomb, or just too large to process). */
export const ImageTooLargeError = createError<[max: number]>(
  'ND_IMAGE_TOO_LARGE',
  'The image has more pixels than the %s this server processes',
  422,
)
/** An animation of more frames than the server decodes (same code: too much to process). */
export const TooManyFramesError = createError<[frames: number, max: number]>(
  'ND_IMAGE_TOO_LARGE',
  'The image has %s frames; this server processes at most %s',
  422,
)
/** Bytes that look like an image of an accepted type but cannot be decoded. */
export const ImageUnreadableError = createError('ND_IMAGE_UNREADABLE', 'The image cannot be decoded', 422)
/** A media record that an article, teaser or person still uses. */
export const MediaInUseError = createError<[detail: string]>('ND_MEDIA_IN_USE', '%s', 409)
/** A rendition the original cannot give (an undecodable original, or one over the pixel limit). */
export const RenditionFailedError = createError<[file: string]>(
  'ND_RENDITION_FAILED',
  'The rendition %s cannot be made from this image',
  500,
)
/** More sitemap files waiting to be built than an instance queues; Retry-After says when to try again. */
export const SitemapsBusyError = createError(
  'ND_SITEMAPS_BUSY',
  'Too many sitemap files are waiting to be built; retry shortly',
  503,
)
/** More renditions waiting to be generated than an instance queues; Retry-After says when to try again. */
export const RenditionsBusyError = createError(
  'ND_RENDITIONS_BUSY',
  'Too many renditions are waiting to be generated; retry shortly',
  503,
)
