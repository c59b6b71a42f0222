// Browser-facing headers and a bound on the request URI: security headers (helmet) and CORS on
// every response, errors included. Registered before authentication, so that a 401, a 403 or a
// 414 reaches a browser on another origin as a readable problem, not as "Failed to fetch".
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
function securityHeaders(https: boolean) {
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

/**
 * The headers every response carries, chosen per request: helmet's (by the request's protocol,
 * which honours X-Forwarded-Proto under TRUST_PROXY) and CORS for an allowed Origin.
 */
export function createBrowserHeaders(corsOrigins: Config['corsOrigins']) {
  const secure = securityHeaders(true)
  const plain = securityHeaders(false)
  /** The Access-Control-Allow-Origin for this Origin, or false: no CORS header at all. */
  const allowOrigin = (origin: string | undefined): string | false =>
    corsOrigins === '*' ? '*' : origin !== undefined && corsOrigins.includes(origin) ? origin : false
  const applySecurity = (request: FastifyRequest, reply: FastifyReply, done: (err?: unknown) => void) =>
    (request.protocol === 'https' ? secure : plain)(request.raw, reply.raw, done)
  return {
    anyOrigin: corsOrigins === '*',
    applySecurity,
    allowOrigin,
    /**
     * Both sets of headers, for answers no hook runs for: errors the router raises before a
     * route is found. Those requests skip Fastify's trust-proxy handling, so they count as
     * plain HTTP behind a proxy: an error answer without HSTS, which earlier answers set.
     */
    applyAll(request: FastifyRequest, reply: FastifyReply): void {
      applySecurity(request, reply, () => {})
      if (corsOrigins !== '*') reply.header('vary', 'Origin')
      const allowed = allowOrigin(request.headers.origin)
      if (allowed)
        reply.header('access-control-allow-origin', allowed).header('access-control-expose-headers', exposedHeaders)
    },
  }
}

export type BrowserHeaders = ReturnType<typeof createBrowserHeaders>

export default fp<{ headers: BrowserHeaders }>(
  async (app: FastifyInstance, { headers }) => {
    app.addHook('onRequest', (request, reply, done) => {
      headers.applySecurity(request, reply, (err) => done(err as Error | undefined))
    })

    // Its onRequest hook answers preflights (before authentication: a browser sends no
    // credentials with them) and adds the CORS headers to every other response, problems
    // included: this plugin is registered before anything that may refuse a request.
    await app.register(cors, {
      // A list: the request's Origin is allowed or not, and every answer varies on it (so that a
      // cache never hands one origin's answer to another); a disallowed origin gets no CORS
      // header at all. '*': the same answer for everyone, no Vary.
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

    app.addHook('onRequest', async (request) => {
      if (request.url.length > maxUriLength) throw new UriTooLongError(maxUriLength)
    })
  },
  { name: 'newsdesk-security', fastify: '5.x', dependencies: ['newsdesk-problem'] },
)
