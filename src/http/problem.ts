// One error handler for the whole API: every failure leaves as application/problem+json
// (RFC 9457) with a stable code, and nothing internal (stack, SQL) ever reaches the client.
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { translateDatabaseError } from '../db/errors.js'
import { describeInvalidFields, type ProblemCode, type ProblemExtensions } from '../errors.js'
import type { Problem } from './schemas.js'

export const problemContentType = 'application/problem+json; charset=utf-8'
export const problemTypeBase = 'https://newsdesk.dev/problems/'

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

// Framework error codes that deserve a clearer code and sentence than Fastify's own.
const frameworkErrors: Record<string, { status: number; code: ProblemCode; detail?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'ND_MALFORMED_JSON',
    detail: 'The request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'ND_MALFORMED_JSON',
    detail: 'The request says its body is JSON but the body is empty',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'ND_UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'ND_BAD_CONTENT_LENGTH' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'ND_BODY_TOO_LARGE' },
  // @fastify/multipart's limits (registered by the media upload only).
  FST_REQ_FILE_TOO_LARGE: {
    status: 413,
    code: 'ND_BODY_TOO_LARGE',
    detail: 'The file is larger than the configured limit (MEDIA_MAX_BYTES)',
  },
  FST_FILES_LIMIT: { status: 413, code: 'ND_BODY_TOO_LARGE', detail: 'The upload holds more than one file' },
  FST_FIELDS_LIMIT: { status: 413, code: 'ND_BODY_TOO_LARGE', detail: 'The upload holds too many fields' },
  FST_INVALID_JSON_FIELD_ERROR: {
    status: 400,
    code: 'ND_MALFORMED_JSON',
    detail: 'A part sent as application/json is not valid JSON',
  },
  FST_PARTS_LIMIT: { status: 413, code: 'ND_BODY_TOO_LARGE', detail: 'The upload holds too many parts' },
  // Raised by the router before any route or hook runs (see routerErrorHandler).
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'ND_BAD_URL',
    detail: 'The request path is not a valid URL path (malformed percent-encoding)',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'ND_URI_TOO_LONG',
    detail: 'A segment of the request path is too long',
  },
  FST_ERR_ASYNC_CONSTRAINT: { status: 500, code: 'ND_INTERNAL', detail: 'The request could not be routed' },
}

type ProblemField = NonNullable<Problem['errors']>[number]

const partNames: Record<string, ProblemField['in']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
}

interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

// Errors of a union ("must be null", "must match a schema in anyOf") only restate the real one.
const keywordRank: Record<string, number> = { anyOf: 3, const: 2, type: 1 }

function describeAjvError(e: AjvError, where: ProblemField['in']): { pointer: string; message: string } {
  switch (e.keyword) {
    case 'required':
      return { pointer: `${e.instancePath}/${escapePointer(String(e.params.missingProperty))}`, message: 'is required' }
    case 'additionalProperties':
      return {
        pointer: `${e.instancePath}/${escapePointer(String(e.params.additionalProperty))}`,
        message: where === 'query' ? 'is not a known query parameter' : 'is not an allowed field',
      }
    case 'enum':
      return { pointer: e.instancePath, message: `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}` }
    case 'const':
    case 'anyOf':
      return { pointer: e.instancePath, message: 'is not one of the allowed values' }
    case 'format':
      // {idOrSlug} of a change (WriteIdParamsSchema): reads of the same path take a slug, changes do not.
      if (where === 'path' && e.instancePath === '/idOrSlug') {
        return { pointer: e.instancePath, message: 'must be the record id (a UUID): changes do not take a slug' }
      }
      return { pointer: e.instancePath, message: `must be a valid ${String(e.params.format)}` }
    case 'pattern':
      return { pointer: e.instancePath, message: 'has an invalid format' }
    default:
      return { pointer: e.instancePath, message: e.message ?? 'is invalid' }
  }
}

/** One entry per offending field, with the most specific of the validator's messages for it. */
export function validationFields(errors: AjvError[], context: string | undefined): ProblemField[] {
  const where = partNames[context ?? 'body'] ?? 'body'
  const best = new Map<string, { rank: number; field: ProblemField }>()
  for (const e of errors) {
    const { pointer, message } = describeAjvError(e, where)
    const rank = keywordRank[e.keyword] ?? 0
    const current = best.get(pointer)
    if (!current || rank < current.rank) best.set(pointer, { rank, field: { in: where, pointer, message } })
  }
  return [...best.values()].map((b) => b.field)
}

function slugOf(code: string): string {
  return code.replace(/^ND_/, '').toLowerCase().replace(/_/g, '-')
}

export function buildProblem(
  request: FastifyRequest,
  status: number,
  code: ProblemCode,
  detail: string,
  extra: Partial<Problem> = {},
): Problem {
  return {
    type: `${problemTypeBase}${slugOf(code)}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: request.url.split('?')[0] ?? request.url,
    code,
    requestId: request.id,
    ...extra,
  }
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(problemContentType).send(problem)
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.validation) {
    const fields = validationFields(error.validation as AjvError[], error.validationContext)
    return sendProblem(
      reply,
      buildProblem(request, 400, 'ND_VALIDATION_FAILED', describeInvalidFields(fields), { errors: fields }),
    )
  }

  const framework = error.code ? frameworkErrors[error.code] : undefined
  if (framework) {
    return sendProblem(
      reply,
      buildProblem(request, framework.status, framework.code, framework.detail ?? error.message),
    )
  }

  // Every ND_ code is one of the errors of src/errors.ts, each in problemCodes (a test checks it).
  const known = error.code?.startsWith('ND_') ? error : (translateDatabaseError(error) as FastifyError | undefined)
  if (known) {
    const status = known.statusCode ?? 500
    if (status === 503) reply.header('retry-after', '5')
    if (status === 401) {
      const invalid = known.code === 'ND_UNAUTHORIZED' && request.headers.authorization !== undefined
      reply.header('www-authenticate', `Bearer realm="newsdesk"${invalid ? ', error="invalid_token"' : ''}`)
    }
    if (status >= 500) request.log.warn({ err: error }, known.message)
    // A database refusal answered as the client's 400 (a value out of range): logged, because the
    // same refusal would also be how a fault in a query of ours shows itself.
    else if (known !== error && status === 400)
      request.log.warn({ err: error }, `database refused the request: ${known.message}`)
    return sendProblem(
      reply,
      buildProblem(request, status, known.code as ProblemCode, known.message, (known as ProblemExtensions).problem),
    )
  }

  // Other client errors raised by Fastify or its plugins carry safe, specific messages; their
  // codes are not ours to promise, so they share one (the status and detail tell them apart).
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return sendProblem(reply, buildProblem(request, status, 'ND_REQUEST_REJECTED', error.message))
  }

  request.log.error({ err: error }, 'unexpected error')
  return sendProblem(
    reply,
    buildProblem(
      request,
      500,
      'ND_INTERNAL',
      `An unexpected error occurred; quote request id ${request.id} when reporting it`,
    ),
  )
}

/**
 * Fastify's `frameworkErrors` option: errors the router raises before a route is found (a bad
 * percent-encoding, an over-long path segment) get the same problem body as every other error,
 * instead of Fastify's own JSON. No hook has run, so the request id header is set here.
 */
export function routerErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id)
  handleError(error, request, reply)
}

const clientErrors: Record<string, { status: number; code: ProblemCode; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'ND_REQUEST_TIMEOUT',
    detail: 'The request was not received in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'ND_HEADERS_TOO_LARGE',
    detail: 'The request headers are too large',
  },
}

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser rejects (malformed, headers
 * too large, too slow) never reaches Fastify; it is answered on the socket, as a problem too.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const known = err.code ? clientErrors[err.code] : undefined
  const { status, code, detail } = known ?? {
    status: 400,
    code: 'ND_BAD_REQUEST',
    detail: 'The request is not valid HTTP',
  }
  const title = titles[status] ?? 'Error'
  const body = JSON.stringify({ type: `${problemTypeBase}${slugOf(code)}`, title, status, detail, code })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Type: ${problemContentType}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

export default fp(
  async (app) => {
    app.setErrorHandler(handleError)
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        buildProblem(
          request,
          404,
          'ND_ROUTE_NOT_FOUND',
          `No route matches ${request.method} ${request.url.split('?')[0]}`,
        ),
      ),
    )
  },
  { name: 'newsdesk-problem', fastify: '5.x' },
)
