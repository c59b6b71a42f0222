// Authentication and access rules for every route, in one place.
// Each route declares `config.access`; a route without one fails at start-up, so nothing is
// public by accident. The same rule documents the route in the spec (security, scope, 401/403).
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { isDatabaseUnavailable } from '../db/errors.js'
import { DatabaseUnavailableError, ForbiddenError, TooManyAuthFailuresError, UnauthorizedError } from '../errors.js'
import { BoundedMap } from '../lib/bounded-map.js'
import {
  type Actor,
  grants,
  type KeyPrincipal,
  mayAccess,
  type Principal,
  readsSyndicationOnly,
  type Scope,
} from '../lib/principal.js'
import type { Access } from './access.js'
import { createAuthFailureGuard, type FailureBudget } from './auth-failures.js'
import { rateLimitHeaders, withHeadersOnAll } from './responses.js'
import { problemResponsesOnly } from './schemas.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
    /**
     * The route answers while the database is down (GET /metrics): a key it accepted within the
     * last hour is accepted again while keys cannot be looked up (the lookup fails, or takes over
     * 2 s). Revocation is checked whenever the database answers.
     */
    keyDuringOutage?: boolean
  }
  interface FastifyRequest {
    principal: Principal
  }
  interface FastifyInstance {
    /** Every registered route with its access rule (tests enumerate it). */
    routeAccess: { method: string; url: string; access: Access }[]
  }
}

export interface AuthOptions {
  /** The principal an API key (the bearer token) stands for; throws UnauthorizedError for a bad one. */
  authenticate: (token: string) => Promise<KeyPrincipal>
  publicRead: boolean
  /** Failed authentications allowed per client IP and window before a 429. */
  failureBudget: FailureBudget
  clock: () => Date
}

const anonymous: Principal = { kind: 'anonymous' }

/**
 * Keys remembered for routes that answer during a database outage (scrapers: a handful), for ten
 * minutes from their last successful lookup and never past their own expiry. A key revoked while
 * the database is down (or on another instance) stays accepted on such a route for at most that.
 */
const outageKeys = 100
const outageKeyTtlMs = 600_000
/** How long such a route waits for a key lookup before taking the database for down. */
const outageLookupMs = 2000

/** The lookup, or a DatabaseUnavailableError once `ms` passed without an answer. */
function withDeadline<T>(lookup: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError()), ms)
  })
  return Promise.race([lookup, deadline]).finally(() => clearTimeout(timer))
}

// Routes that plugins add: Swagger UI's page and static files, public by nature; every other
// route must declare its rule. (@fastify/cors's preflight route is added before this plugin, so
// that its hook runs first: it answers preflights itself, and its handler only ever says 404.)
function isPluginPublicRoute(route: RouteOptions): boolean {
  return route.url === '/docs' || route.url.startsWith('/docs/')
}

function describeAccess(access: Access): string {
  if (access === 'content:read') {
    return (
      'Access: published content. Anonymous callers may read when `PUBLIC_READ` is on (the default); otherwise an API key with the `content:read` scope (or a wider one) is required. ' +
      'A `content:syndicate` key (a partner) reads too, with the bodies of articles that are not syndicatable withheld (`bodyWithheld`).'
    )
  }
  return `Access: requires an API key with the \`${access}\` scope${access === 'content:preview' ? ' (or content:write)' : ''}.`
}

// A GET's automatic HEAD route shares its schema object: each schema is documented once.
const documented = new WeakSet<object>()

function documentRoute(route: RouteOptions, access: Access): void {
  const schema = route.schema as Record<string, unknown> | undefined
  if (!schema || schema.hide || documented.has(schema)) return
  documented.add(schema)
  if (access === 'public') {
    schema.security = []
    return
  }
  schema.security = access === 'content:read' ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }]
  const note = describeAccess(access)
  // Fastify passes a GET route's schema object again for its HEAD route: note it once.
  if (typeof schema.description === 'string' && schema.description.endsWith(note)) return
  schema.description = schema.description ? `${schema.description}\n\n${note}` : note
  const responses: Record<string, object> = { ...(schema.response as object), ...problemResponsesOnly(401, 403, 429) }
  // The rate limiter counts every request past the access check, and says so in headers. Refused
  // before it: 401 and 403 (this check), 414 (the URI check, earlier still).
  schema.response = withHeadersOnAll(responses, rateLimitHeaders, ['401', '403', '414'])
}

export function actorOf(request: FastifyRequest): Actor {
  return { keyId: request.principal.kind === 'key' ? request.principal.id : null, requestId: request.id }
}

/** Preview and write scopes see drafts and scheduled content; public callers do not. */
export function canPreview(request: FastifyRequest): boolean {
  return request.principal.kind === 'key' && grants(request.principal.scopes, 'content:preview')
}

/**
 * Keys under an embargo agreement (content:embargoed, implied by preview and write) see published
 * articles before their embargo lifts: their reads are never shared (private, no-store, and never
 * the response cache).
 */
export function canSeeEmbargoed(request: FastifyRequest): boolean {
  return request.principal?.kind === 'key' && grants(request.principal.scopes, 'content:embargoed')
}

/** A partner key (content:syndicate and no other read scope): the syndication view of articles. */
export function readsSyndication(request: FastifyRequest): boolean {
  return request.principal.kind === 'key' && readsSyndicationOnly(request.principal.scopes)
}

/** Write scopes see what only the newsroom may (a person's email address); everyone else does not. */
export function canWrite(request: FastifyRequest): boolean {
  return request.principal.kind === 'key' && grants(request.principal.scopes, 'content:write')
}

export default fp<AuthOptions>(
  async (app: FastifyInstance, { authenticate, publicRead, failureBudget, clock }) => {
    const guard = createAuthFailureGuard(failureBudget, clock)
    const lastAccepted = new BoundedMap<KeyPrincipal>(outageKeys)
    app.decorate('routeAccess', [])
    // Set by the onRequest hook below on every request; null only until then.
    app.decorateRequest('principal', null as unknown as { getter: () => Principal })

    app.addHook('onRoute', (route) => {
      route.config ??= {}
      const config = route.config as { access?: Access; rateLimit?: unknown }
      if (!config.access && isPluginPublicRoute(route)) config.access = 'public'
      const access = config.access
      if (!access) throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule (config.access)`)
      if (access === 'public') config.rateLimit = false
      documentRoute(route, access)
      for (const method of [route.method].flat()) app.routeAccess.push({ method, url: route.url, access })
    })

    // Synchronous for what needs no key lookup (public routes, anonymous reads): most requests.
    app.addHook('onRequest', (request, reply, done) => {
      request.principal = anonymous
      const access = request.routeOptions.config.access
      // No access rule: no route matched (the 404 handler answers); public: credentials are not looked at.
      if (!access || access === 'public') return done()
      const header = request.headers.authorization
      if (header === undefined) {
        if (access === 'content:read' && publicRead) return done()
        return done(new UnauthorizedError(`This operation requires an API key with the ${access} scope`))
      }
      authenticateRequest(request, reply, header, access).then(() => done(), done as (err: unknown) => void)
    })

    async function authenticateRequest(request: FastifyRequest, reply: FastifyReply, header: string, access: Scope) {
      const blockedFor = guard.blockedFor(request.ip)
      if (blockedFor > 0) {
        reply.header('retry-after', String(blockedFor))
        throw new TooManyAuthFailuresError(blockedFor)
      }
      const match = /^Bearer ([^\s]+)$/i.exec(header)
      if (!match?.[1]) {
        guard.recordFailure(request.ip)
        throw new UnauthorizedError('The Authorization header must be "Bearer <API key>"')
      }
      const token = match[1]
      const knownInvalid = guard.knownInvalid(token)
      if (knownInvalid !== undefined) {
        guard.recordFailure(request.ip)
        throw new UnauthorizedError(knownInvalid)
      }
      const remember = request.routeOptions.config.keyDuringOutage === true
      const tokenHash = remember ? createHash('sha256').update(token).digest('hex') : ''
      let looked = true
      const lookup = remember ? withDeadline(authenticate(token), outageLookupMs) : authenticate(token)
      const principal = await lookup.catch((err: unknown) => {
        if ((err as { code?: string }).code === 'ND_UNAUTHORIZED') {
          if (remember) lastAccepted.delete(tokenHash)
          guard.recordFailure(request.ip)
          if (!(err as { mayRecover?: boolean }).mayRecover) guard.rememberInvalid(token, (err as Error).message)
          throw err
        }
        // Only when keys could not be looked up (the database is down, or did not answer in time).
        const unavailable = err instanceof DatabaseUnavailableError || isDatabaseUnavailable(err)
        const known = remember && unavailable ? lastAccepted.get(tokenHash, clock().getTime()) : undefined
        if (!known) throw err
        request.log.warn({ keyId: known.id }, 'database unavailable: key accepted as it was at its last lookup')
        looked = false
        return known
      })
      if (remember && looked && mayAccess(principal.scopes, access)) {
        const until = clock().getTime() + outageKeyTtlMs
        const expires = principal.expiresAt?.getTime() ?? until
        lastAccepted.set(tokenHash, principal, Math.min(until, expires))
      }
      request.principal = principal
      if (!mayAccess(principal.scopes, access)) throw new ForbiddenError(access)
    }
  },
  { name: 'newsdesk-auth', fastify: '5.x', dependencies: ['newsdesk-problem'] },
)
