// buildApp(): the one factory the server and the tests use. Order: framework plugins, then
// shared HTTP concerns, then modules under /v1, each registered explicitly with what it needs.
// It makes no database queries, so the OpenAPI spec can be generated without a database.
import { createHash, randomUUID } from 'node:crypto'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  LogController,
} from 'fastify'
import type { Logger } from 'pino'
import { components } from './components.js'
import type { Config } from './config.js'
import { type ChangeSource, sharedChanges } from './db/change-subscription.js'
import type { ChangeSubscription, Database } from './db/database.js'
import { nextScheduledChange } from './db/schedule.js'
import auth from './http/auth.js'
import { conditionalReads } from './http/caching.js'
import { useBoundedJsonParser } from './http/json-body.js'
import { publicLinks } from './http/pagination.js'
import problem, { clientErrorHandler, routerErrorHandler } from './http/problem.js'
import rateLimit from './http/rate-limit.js'
import replicaReads from './http/replica-reads.js'
import responseCache from './http/response-cache.js'
import security, { type BrowserHeaders, createBrowserHeaders } from './http/security.js'
import { buildSerializer } from './http/serialization.js'
import { shutdown } from './http/shutdown.js'
import { createValidatorCompiler, rejectNulCharacters } from './http/validation.js'
import { loggerOptions } from './logging.js'
import { createChangesService } from './modules/changes/changes.service.js'
import { healthRoutes } from './modules/health/health.routes.js'
import { createKeysService } from './modules/keys/keys.service.js'
import { createRenditionsService } from './modules/media/media.renditions.js'
import { mediaRenditionRoutes } from './modules/media/media.renditions.routes.js'
import { createMediaStorage, type MediaStorage } from './modules/media/media.storage.js'
import { registerMetrics } from './modules/metrics/metrics.routes.js'
import type { Resolve } from './modules/webhooks/webhooks.address.js'
import { createDeliveryTask } from './modules/webhooks/webhooks.worker.js'
import type { Tracing } from './observability/tracing.js'
import { finishDocument, openapiInfo, transformRoute } from './openapi.js'
import { v1Routes } from './routes.js'
import { createWorker, type Worker, type WorkerTask } from './worker.js'

export interface BuildAppOptions {
  config: Config
  db: Database
  /** Overrides the logger configuration (tests pass a stream to capture log lines). */
  logger?: FastifyServerOptions['logger']
  /** A logger already made (the server makes one before the app, to log start-up). */
  loggerInstance?: FastifyBaseLogger
  /** The current time; tests inject a clock to cross expiry and publish times without sleeping. */
  clock?: () => Date
  /** Resolves webhook host names (tests inject DNS answers); the system resolver by default. */
  resolveHost?: Resolve
  /** Where media bytes live; made from config.media by default (tests pass one that fails). */
  mediaStorage?: MediaStorage
  /** OpenTelemetry tracing, when on (src/observability/tracing.ts): a span per request, the trace id in its log line. */
  tracing?: Tracing
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/

export async function buildApp({
  config,
  db,
  logger,
  loggerInstance,
  clock = () => new Date(),
  resolveHost,
  mediaStorage,
  tracing,
}: BuildAppOptions) {
  const storage = mediaStorage ?? (await createMediaStorage(config.media.storage))
  const changes = createChangesService(db.prisma, { clock, retentionDays: config.changesRetentionDays })
  // One listening connection for the response cache and the worker.
  const changeSource = sharedChanges(db)
  const browserHeaders = createBrowserHeaders(config.corsOrigins)
  const app = Fastify(
    serverOptions(
      config,
      browserHeaders,
      loggerInstance ? { loggerInstance } : { logger: logger ?? loggerOptions(config) },
    ),
  ).withTypeProvider<TypeBoxTypeProvider>()

  // Tracing first: every hook and route added after it runs inside the request's span.
  if (tracing) await app.register(tracing.plugin)
  app.setValidatorCompiler(createValidatorCompiler())
  rejectNulCharacters(app)
  // The API speaks JSON only; Fastify's built-in text/plain parser would hand a string to the
  // validator and answer 400 where 415 is the truth.
  app.removeContentTypeParser('text/plain')
  useBoundedJsonParser(app)
  // The request id is set with the security headers (src/http/security.ts).
  app.addHook('onResponse', (request, reply, done) => {
    // traceId: undefined (tracing off) leaves the line as it was.
    const traceId = tracing?.traceId(request)
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime, traceId }, 'request completed')
    done()
  })
  // Added first, so run last on close: the lines of the last requests reach the log's output
  // (an asynchronous destination buffers them, see src/logging.ts) before close resolves.
  app.addHook('onClose', (_app, done) => (app.log as Logger).flush(() => done()))

  for (const schema of components) app.addSchema(schema)
  await app.register(problem)
  await app.register(publicLinks, { publicUrl: config.publicUrl })
  // Before anything that may refuse a request, so that refusals carry the CORS headers too.
  await app.register(security, { headers: browserHeaders })
  // After security: its refusals during shutdown carry the CORS headers too.
  await app.register(shutdown)
  const keys = createKeysService(db.prisma, {
    clock,
    onBackgroundError: (err) => app.log.warn({ err }, 'could not record API key use'),
  })
  // Before anything that adds routes: every route must pass through its access rule.
  await app.register(auth, {
    authenticate: keys.authenticate,
    publicRead: config.publicRead,
    failureBudget: config.authFailures,
    clock,
  })
  await app.register(rateLimit, { config, clock })
  // Before the response cache: a change holds replicas back before the cache refills (replica-routing.ts).
  await app.register(replicaReads, { replicas: db.replicas, changes: changeSource })
  // ETags and 304s for reads (src/http/caching.ts).
  await app.register(conditionalReads)
  await app.register(responseCache, {
    db: changeSource,
    clock,
    maxBytes: config.responseCacheBytes,
    nextScheduledChange: (now) => nextScheduledChange(db.prisma, now),
  })
  await app.register(swagger, {
    openapi: openapiInfo,
    // Shared schemas (added with addSchema) become named components instead of def-N.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    // HEAD is served for every GET (revalidation, CDNs): the spec says so.
    exposeHeadRoutes: true,
    transform: transformRoute,
    transformObject: finishDocument,
  })
  // Tags start collapsed: listing every operation at once (140 and more, HEADs included) left
  // Swagger UI's page blank after the first few in Chromium; a tag opens with one click.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'none' } })

  serveSpec(app)
  // GET /metrics (Prometheus): before the routes, so that its hook times every request.
  const metrics = config.metricsEnabled ? await registerMetrics(app, { db, clock }) : undefined
  await app.register(healthRoutes, {
    db,
    rateLimitStatus: () => app.rateLimitStatus(),
    draining: () => app.shutdown.draining,
  })
  const renditions = await renditionRoutes(app, db, storage, config)
  const worker = { current: undefined as Worker | undefined }
  const wake = () => worker.current?.kick()
  const deps = { db, config, clock, keys, changes, resolveHost, storage, renditions, wake }
  await app.register(v1Routes(deps), {
    prefix: '/v1',
  })
  const delivery = { clock, settings: config.webhooks, resolve: resolveHost, observe: metrics?.deliveries }
  worker.current = !config.webhooks.worker
    ? undefined
    : await startWorker(app, changeSource, config, [
        { name: 'change feed', run: () => changes.keep() },
        createDeliveryTask(db.prisma, { ...delivery, log: app.log }),
        { name: 'retention', run: () => changes.prune() },
      ])
  return app
}

/** Fastify's options: limits and timeouts from the configuration, request ids, proxies, and errors raised before routing. */
function serverOptions(
  config: Config,
  browserHeaders: BrowserHeaders,
  logging: Pick<FastifyServerOptions, 'logger'> | { loggerInstance: FastifyBaseLogger },
): FastifyServerOptions {
  return {
    ...logging,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    // A caller's X-Request-Id is kept when it is a sane token, so logs correlate across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID()
    },
    requestIdHeader: false,
    // A hop count as a function: Fastify's types take none, though proxy-addr counts hops this way.
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    // One access line per request (below) instead of Fastify's two (on arrival and on completion).
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    schemaController: { compilersFactory: { buildSerializer } },
    // Slugs may be 200 characters; Fastify's default (100) answered a long slug with a 414.
    routerOptions: { maxParamLength: 256 },
    // Errors raised before routing (a bad path, an unparseable request) are problems too, with
    // the security and CORS headers that no hook adds to them (none runs).
    frameworkErrors: (error, request, reply) => {
      browserHeaders.applyAll(request, reply)
      routerErrorHandler(error, request, reply)
    },
    clientErrorHandler,
    // Requests arriving while the server closes get a problem from src/http/shutdown.ts, not
    // Fastify's plain 503.
    return503OnClosing: false,
  }
}

/**
 * The spec at /openapi.json. Public and unmetered: rendered and hashed once (the document only
 * changes with the code), so serving it costs no more than a static file; @fastify/etag answers
 * 304 from the ETag set here.
 */
function serveSpec(app: FastifyInstance) {
  let spec: { body: string; etag: string } | undefined
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    if (!spec) {
      const body = JSON.stringify(app.swagger())
      spec = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
    }
    reply.header('etag', spec.etag).header('cache-control', 'public, max-age=300').type('application/json')
    return spec.body
  })
}

/** Renditions, outside /v1: the URLs pages embed and a CDN fetches from, stable across API versions. */
async function renditionRoutes(app: FastifyInstance, db: Database, storage: MediaStorage, config: Config) {
  const renditions = createRenditionsService(db.prisma, {
    storage,
    maxPixels: config.media.maxPixels,
    // Records are remembered while the response cache may serve: the same change notifications end both.
    contentGeneration: async () => ((await app.responseCache.prepare()) ? app.responseCache.generation : null),
    onGenerated: (event) => app.log.info(event, 'rendition generated'),
    onFailed: (err, key) => app.log.error({ err, key }, 'rendition cannot be made'),
  })
  await app.register(mediaRenditionRoutes, { renditions })
  return renditions
}

/**
 * Runs the background worker while the app is up: started when it is ready, woken by every
 * change notification (and when the notification connection comes back), stopped on close.
 */
async function startWorker(app: FastifyInstance, db: ChangeSource, config: Config, tasks: WorkerTask[]) {
  const worker = createWorker(tasks, {
    pollMs: config.workerPollMs,
    log: app.log,
    firstRunDelayMs: Math.min(1000, config.workerPollMs),
  })
  let subscription: ChangeSubscription | undefined
  app.addHook('onReady', async () => {
    subscription = await db.listenForChanges({
      onChange: () => worker.kick(),
      onState: (connected) => connected && worker.kick(),
      onError: (err) => app.log.debug({ err }, 'worker change subscription error'),
    })
    worker.start()
  })
  app.addHook('onClose', async () => {
    await subscription?.close()
    await worker.stop()
  })
  return worker
}
