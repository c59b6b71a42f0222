// The response cache: public reads that did not change since they were last answered are served
// from memory, without touching the database. A front page, a popular article or a box of top
// stories is asked for far more often than it changes.
//
// Correctness comes before hits:
// - Entries belong to a generation. Every content change ends the generation: the database
//   notifies each instance when a transaction that changed content commits (LISTEN/NOTIFY, see
//   db/database.ts), and the instance that made a write also ends it before answering the write.
//   A read that began in an earlier generation is never stored.
// - Content also changes by itself (a scheduled article falls due, a teaser window opens): a
//   generation ends at the next such instant (db/schedule.ts).
// - While the notification connection is down the cache is off: changes could go unseen.
// - With read replicas, a read that begins after a change is answered by the primary until a
//   replica has replayed the change (db/replica-routing.ts): a refill is never a replica's stale page.
// - Only the public views are cached: anonymous and content:read callers see the same thing;
//   partner keys (content:syndicate alone) see their own variant, withheld bodies and all, under
//   keys of their own; preview and content:embargoed callers always read the database.
// Hits keep the route's headers (ETag, Cache-Control, Last-Modified, Surrogate-Key, Link) and add
// Age, so shared caches downstream count the time spent here against max-age.
import type {
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onRequestHookHandler,
  onSendHookHandler,
} from 'fastify'
import fp from 'fastify-plugin'
import type { ChangeSubscription, Database } from '../db/database.js'
import { canSeeEmbargoed, readsSyndication } from './auth.js'
import { varyOnAuthorization } from './caching.js'
import { ResponseCache, type ResponseCacheOptions } from './response-cache-store.js'
import { withHeadersOnAll } from './responses.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** GET route whose public answers may be served from the response cache. */
    cache?: boolean
  }
}

/**
 * The headers a cached answer keeps; the rest (request id, rate limit, CORS, the security headers,
 * whose CSP depends on the request's scheme…) are per request.
 */
const storedHeaders = ['content-type', 'etag', 'cache-control', 'last-modified', 'surrogate-key', 'link'] as const

declare module 'fastify' {
  interface FastifyInstance {
    responseCache: ResponseCache
  }
}

const kGeneration = Symbol('responseCacheGeneration')
type CacheableRequest = FastifyRequest & { [kGeneration]?: number }

/** The entry of a request: its URL, in the syndication view's variant for partner keys. */
function keyOf(request: FastifyRequest): string {
  return readsSyndication(request) ? `syndication ${request.url}` : request.url
}

export interface ResponseCachePluginOptions extends ResponseCacheOptions {
  db: Pick<Database, 'listenForChanges'>
}

/** The spec: a hit is a 200 (or a 304) with Age and Vary (see lookup). */
function documentHits(schema: { response?: Record<string, object> } | undefined): void {
  if (!schema?.response) return
  const misses = Object.keys(schema.response).filter((status) => status !== '200' && status !== '304')
  schema.response = withHeadersOnAll(schema.response, ['Vary', 'Age'], misses)
}

function appendHook<T>(existing: T | T[] | undefined, hook: T): T[] {
  return [...(existing === undefined ? [] : [existing].flat()), hook] as T[]
}

export default fp<ResponseCachePluginOptions>(
  async (app, { db, ...options }) => {
    const cache = new ResponseCache(options)
    app.decorate('responseCache', cache)

    // Looked up as the last onRequest hook: after authentication (the view) and the rate limit,
    // before parsing and validation, which a hit can skip: an entry exists only for a URL that
    // was validated and answered 200 before, and the same URL validates the same way again.
    // Synchronous unless the generation's end is still being learnt (once per generation).
    const lookup: onRequestHookHandler = (request: CacheableRequest, reply, done) => {
      if (request.method !== 'GET' || canSeeEmbargoed(request)) return done()
      const ready = cache.ready()
      if (ready === undefined) {
        Promise.resolve(cache.prepare()).then((ok) => (ok ? serve(request, reply, done) : done()), done)
        return
      }
      if (ready) serve(request, reply, done)
      else done()
    }

    function serve(request: CacheableRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
      const entry = cache.get(keyOf(request))
      if (!entry) {
        request[kGeneration] = cache.generation
        done()
        return
      }
      reply.headers(entry.headers)
      varyOnAuthorization(reply)
      reply.header('age', String(cache.ageOf(entry)))
      reply.send(entry.body)
    }

    const store: onSendHookHandler = (request: CacheableRequest, reply, payload, done) => {
      const generation = request[kGeneration]
      // JSON is serialized to a string; a rendition is a Buffer (a stream is too large to keep).
      const text = typeof payload === 'string'
      if (generation === undefined || reply.statusCode !== 200 || !(text || Buffer.isBuffer(payload))) {
        return done(null, payload)
      }
      const headers: Record<string, string> = {}
      for (const name of storedHeaders) {
        const value = reply.getHeader(name)
        if (value !== undefined) headers[name] = String(value)
      }
      cache.set(keyOf(request), generation, text ? Buffer.from(payload) : (payload as Buffer), headers)
      done(null, payload)
    }

    // The instance that made a change ends the generation before it answers: its next read
    // sees the change even before the database's notification arrives.
    const invalidate: onSendHookHandler = (request, reply, payload, done) => {
      // A read that needs a write scope (a media original) changes nothing.
      if (reply.statusCode < 400 && request.method !== 'GET' && request.method !== 'HEAD') cache.invalidate()
      done(null, payload)
    }

    app.addHook('onRoute', (route) => {
      if (route.config?.cache) {
        route.onRequest = appendHook(route.onRequest, lookup)
        route.onSend = appendHook(route.onSend, store)
        documentHits(route.schema as Parameters<typeof documentHits>[0])
      } else if (route.config?.access === 'content:write') {
        route.onSend = appendHook(route.onSend, invalidate)
      }
    })

    let subscription: ChangeSubscription | undefined
    app.addHook('onReady', async () => {
      if (options.maxBytes <= 0) return
      subscription = await db.listenForChanges({
        onChange: () => cache.invalidate(),
        onState: (connected) => {
          cache.setConnected(connected)
          if (!connected) app.log.warn('content change notifications lost: response cache off until they resume')
          else app.log.debug('listening for content changes: response cache on')
        },
        onError: (err) => app.log.warn({ err }, 'content change notifications: connection error'),
      })
    })
    app.addHook('onClose', async () => {
      await subscription?.close()
    })
  },
  { name: 'response-cache' },
)
