// Browser-facing headers and a bound on the request URI: security headers (helmet) and CORS on
// every response, errors included. Registered before authentication, so that a 401, a 403 or a
// 414 reaches a browser on another origin as a readable problem, not as "Failed to fetch".

import type { IncomingMessage, ServerResponse } from 'node:http'
import cors from '@fastify/cors'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'
import type { Config } from '../config.js'
import { UriTooLongError } from '../errors.js'

const maxUriLength = 4096

// Every response header the README tells clients to read. Surrogate-Key is for CDNs and is not
// exposed; Cache-Control, Content-Type and the like are readable by every page anyway.
const exposedHeaders = [
  'Age',
  'ETag',
  'Idempotent-Replayed',
  'Last-Modified',
  'Link',
  'Location',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'WWW-Authenticate',
  'X-Request-Id',
].join(', ')

// Helmet's middleware is built once per variant here: the Fastify wrapper builds it again on
// every request (a CSP parse each time, measured at ~2% of a cached read). Over plain HTTP the
// CSP has no upgrade-insecure-requests (it made a browser fetch Swagger UI's files over https
// from any host but localhost: a blank page), and there is no HSTS (RFC 6797: only over a secure
// transport) nor Cross-Origin-Opener-Policy.
export function securityHeaders(https: boolean) {
  return helmet({
    // Strict enough for an API, loose enough for Swagger UI at /docs (its scripts are files
    // served from 'self'; its styles are partly inline; its logo is a data: URL).
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // Browsers ignore both over plain HTTP (and say so in the console, for COOP).
    crossOriginOpenerPolicy: https,
    strictTransportSecurity: https,
  })
}

/** The headers helmet's middleware sets, captured once: they depend on the variant only, never on the request. */
export function helmetHeaders(https: boolean): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  let failure: unknown
  securityHeaders(https)({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => {
    failure = err
  })
  if (failure) throw failure
  return headers
}

/**
 * The headers every response carries, chosen per request: helmet's (by the request's protocol,
 * which honours X-Forwarded-Proto under TRUST_PROXY) and CORS for an allowed Origin. Each set is
 * made once, at start-up, and added with one reply.headers() call: running helmet's middleware on
 * every request rebuilt the same ten headers each time.
 */
export function createBrowserHeaders(corsOrigins: Config['corsOrigins']) {
  const anyOrigin = corsOrigins === '*'
  const exposed = { 'access-control-expose-headers': exposedHeaders }
  // '*': the same answer for every origin, no Vary. A list: every answer varies on Origin (so that
  // a cache never hands one origin's answer to another); a disallowed origin gets no CORS header.
  const variants = (https: boolean) => {
    const security = helmetHeaders(https)
    return {
      refused: anyOrigin ? security : { ...security, vary: 'Origin' },
      allowed: anyOrigin
        ? { ...security, 'access-control-allow-origin': '*', ...exposed }
        : { ...security, vary: 'Origin', ...exposed },
    }
  }
  const secure = variants(true)
  const plain = variants(false)
  /** The Access-Control-Allow-Origin for this Origin, or false: no CORS header at all. */
  const allowOrigin = (origin: string | undefined): string | false =>
    anyOrigin ? '*' : origin !== undefined && corsOrigins.includes(origin) ? origin : false
  /** The security headers, and the CORS ones unless `cors` is false (preflights: @fastify/cors answers them). */
  const apply = (request: FastifyRequest, reply: FastifyReply, cors: boolean): void => {
    const variant = request.protocol === 'https' ? secure : plain
    if (!cors) {
      reply.headers(variant.refused)
      return
    }
    const allowed = allowOrigin(request.headers.origin)
    if (!allowed) {
      reply.headers(variant.refused)
      return
    }
    reply.headers(variant.allowed)
    if (!anyOrigin) reply.header('access-control-allow-origin', allowed)
  }
  return {
    anyOrigin,
    allowOrigin,
    apply,
    /**
     * Both sets of headers, for answers no hook runs for: errors the router raises before a
     * route is found. Those requests skip Fastify's trust-proxy handling, so they count as
     * plain HTTP behind a proxy: an error answer without HSTS, which earlier answers set.
     */
    applyAll(request: FastifyRequest, reply: FastifyReply): void {
      apply(request, reply, true)
    },
  }
}

export type BrowserHeaders = ReturnType<typeof createBrowserHeaders>

// @fastify/cors in a context of its own: its preflight route (OPTIONS *) and its hook, which then
// runs for preflights only. Every other answer gets the same CORS headers from the hook below.
const preflights = async (app: FastifyInstance, { headers }: { headers: BrowserHeaders }) => {
  // Its onRequest hook answers preflights (before authentication: a browser sends no
  // credentials with them).
  await app.register(cors, {
    origin: headers.anyOrigin ? '*' : (origin, callback) => callback(null, headers.allowOrigin(origin)),
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders,
    maxAge: 600,
    // An OPTIONS request that is not a full preflight gets the same answer, rather than the
    // plugin's text/plain 400 (every error of this API is a problem).
    strictPreflight: false,
  })
}

export default fp<{ headers: BrowserHeaders }>(
  async (app: FastifyInstance, { headers }) => {
    // One synchronous hook for every request, refusals included (this plugin is registered
    // before anything that may refuse one): the request id, the security and CORS headers, and
    // the bound on the URI.
    app.addHook('onRequest', (request, reply, done) => {
      headers.apply(request, reply, request.method !== 'OPTIONS')
      reply.header('x-request-id', request.id)
      done(request.url.length > maxUriLength ? new UriTooLongError(maxUriLength) : undefined)
    })
    await app.register(preflights, { headers })
  },
  { name: 'newsdesk-security', fastify: '5.x', dependencies: ['newsdesk-problem'] },
)
