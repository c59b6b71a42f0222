// The only reader of process.env: reads and checks every variable src/config.variables.ts declares
// (one line naming the first bad one) and builds the typed configuration the server runs on.
import { dirname, join } from 'node:path'
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import {
  ConfigError,
  parseBaseUrl,
  parseOrigins,
  parsePreviewUrl,
  parsePublicUrls,
  parseReplicaUrls,
  parseTrustProxy,
} from './config.parsers.js'
import { type LogLevelSchema, type VariableSpec, variables } from './config.variables.js'
import type { PublicUrlTemplates } from './lib/public-urls.js'

export { ConfigError }

export type ConfigVariable = keyof typeof variables

export type LogLevel = Static<typeof LogLevelSchema>

export interface Config {
  host: string
  port: number
  logLevel: LogLevel
  logFormat: 'auto' | 'json' | 'pretty'
  database:
    | { kind: 'server'; url: string; poolMax: number; replicas?: ReplicaConfig }
    // dataDir 'memory://' keeps everything in memory; wasmTierUp: EMBEDDED_WASM_TIER_UP (src/server.ts).
    | { kind: 'embedded'; dataDir: string; cacheMb?: number; wasmTierUp?: boolean }
  /** Apply pending migrations when the server starts (default: yes on the embedded database). */
  migrateOnStart: boolean
  /** Seed example content when the database is empty (default: yes on the embedded database). */
  seedOnStart: boolean
  bodyLimit: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  /** After SIGTERM/SIGINT: how long readiness answers 503 while requests are still served. */
  shutdownDrainMs: number
  shutdownTimeoutMs: number
  /** Anonymous callers may read published content. */
  publicRead: boolean
  /** An article write naming a tag slug no tag has or had creates the tag (otherwise a 422). */
  tagsCreateOnWrite: boolean
  rateLimit: { max: number; anonymousMax: number; windowMs: number; redisUrl?: string }
  /** Failed authentications allowed per client IP and window (then 429 until the window ends). */
  authFailures: { max: number; windowMs: number }
  /** '*' or an allow-list of origins. */
  corsOrigins: '*' | string[]
  /**
   * Which X-Forwarded-For hops to believe for the client address: none (false), the last n, those
   * added by these proxy addresses or ranges, or all (true: only behind a proxy that overwrites it).
   */
  trustProxy: boolean | number | string[]
  /**
   * The URL clients reach the API at, without a trailing slash: the base of absolute links
   * (Link: rel="next"). Unset: links are relative. Never taken from Host or X-Forwarded-*:
   * a cached answer would hand every reader a link to whatever host one request named.
   */
  publicUrl?: string
  /** Templates of the public URLs of articles, sections and people on the newsroom's site (unset: none). */
  publicUrls: PublicUrlTemplates
  /** The Google News sitemap's publication name for articles without a source (unset: they are left out). */
  sitemapNewsName?: string
  previews: {
    /** Where a preview link points: a URL with {token} (the frontend's preview page); unset: the API's own. */
    urlTemplate?: string
    /** Visits per preview link and rate-limit window. */
    rateLimit: number
  }
  /** Memory for the response cache of public reads, in bytes (0: off). */
  responseCacheBytes: number
  /** The change feed keeps events this many days; an older cursor is answered 410. */
  changesRetentionDays: number
  webhooks: {
    /** Plain http:// webhook URLs are accepted (otherwise https only). */
    allowHttp: boolean
    /** The address check is off: webhooks may reach loopback and private networks (development, tests). */
    allowPrivateTargets: boolean
    /** Time allowed for one delivery attempt, connection to response. */
    timeoutMs: number
    /** Consecutive failed attempts after which a webhook is disabled. */
    failureLimit: number
    /** This instance runs the background worker (deliveries, scheduled changes, retention). */
    worker: boolean
    /** Deliveries attempted at once by this instance. */
    concurrency: number
  }
  /** How often the background worker looks for due work when not woken by a change. */
  workerPollMs: number
  /** GET /metrics (Prometheus) is served, to keys with metrics:read. */
  metricsEnabled: boolean
  media: MediaConfig
  /** OpenTelemetry tracing (src/observability/tracing.ts); unset: off. */
  tracing?: TracingConfig
}

/**
 * Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT is set. The exporter reads that variable itself,
 * with the other standard OTEL_* variables (headers, timeouts, sampler, batching).
 */
export interface TracingConfig {
  endpoint: string
  serviceName: string
}

/** Where uploaded images and their renditions are kept, and the limits on uploads. */
export interface MediaConfig {
  storage: { kind: 'fs'; dir: string } | S3StorageConfig
  /** Largest upload accepted, in bytes (413 beyond). */
  maxBytes: number
  /** Largest picture accepted, width × height (a decompression bomb is refused with a 422). */
  maxPixels: number
  /** Uploads per API key and rate-limit window. */
  uploadMax: number
  /** Base of rendition URLs (a CDN's host), without a trailing slash; unset: the API's own paths. */
  publicUrl?: string
}

/** Streaming replicas of the server database that public reads may use. */
export interface ReplicaConfig {
  urls: string[]
  /** A replica further behind the primary than this is skipped. */
  maxLagMs: number
  /** How often each replica's replay position is read. */
  pollMs: number
}

export interface S3StorageConfig {
  kind: 's3'
  bucket: string
  region: string
  endpoint?: string
  forcePathStyle: boolean
  /** Prefix of every key Newsdesk writes, so that a bucket can be shared. */
  prefix: string
}

function readVariable(name: ConfigVariable, env: NodeJS.ProcessEnv): unknown {
  const spec: VariableSpec = variables[name]
  const raw = env[name]
  const schema = Type.Object({ value: spec.schema })
  // An empty variable counts as unset, as in most .env tooling.
  const input = raw === undefined || raw === '' ? {} : { value: raw }
  const converted = Value.Default(schema, Value.Convert(schema, input)) as { value?: unknown }
  // Value.Convert is lenient ('true' -> 1, '1.5' -> 1, ' ' -> 0, '0x10' -> 16): integers must be decimal digits.
  const integer = (spec.schema as { type?: unknown }).type === 'integer'
  if ((integer && raw && !/^[0-9]+$/.test(raw)) || !Value.Check(schema, converted)) {
    throw new ConfigError(name, `Invalid configuration: ${name}=${JSON.stringify(raw)} — expected ${spec.expected}`)
  }
  return converted.value
}

function resolveSwitch(value: 'auto' | 'true' | 'false', auto: boolean): boolean {
  return value === 'auto' ? auto : value === 'true'
}

/**
 * The tracing part alone, for src/server.ts: tracing starts before the modules that the rest of the
 * configuration serves are loaded. A bad value throws the ConfigError loadConfig throws too.
 */
export function loadTracingConfig(env: NodeJS.ProcessEnv = process.env): TracingConfig | undefined {
  const endpoint = readVariable('OTEL_EXPORTER_OTLP_ENDPOINT', env) as string | undefined
  return endpoint === undefined
    ? undefined
    : { endpoint, serviceName: readVariable('OTEL_SERVICE_NAME', env) as string }
}

/** Reads and validates the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = <T>(name: ConfigVariable) => readVariable(name, env) as T
  const databaseUrl = read<string | undefined>('DATABASE_URL')
  const embedded = databaseUrl === undefined
  const replicaUrls = parseReplicaUrls(read('DATABASE_REPLICA_URLS'), embedded)
  return {
    host: read('HOST'),
    port: read('PORT'),
    logLevel: read('LOG_LEVEL'),
    logFormat: read('LOG_FORMAT'),
    database: embedded
      ? {
          kind: 'embedded',
          dataDir: read('DATA_DIR'),
          cacheMb: read('EMBEDDED_CACHE_MB'),
          wasmTierUp: read('EMBEDDED_WASM_TIER_UP') === 'true',
        }
      : {
          kind: 'server',
          url: databaseUrl,
          poolMax: read('DATABASE_POOL_MAX'),
          ...(replicaUrls.length > 0
            ? { replicas: { urls: replicaUrls, maxLagMs: read('REPLICA_MAX_LAG_MS'), pollMs: read('REPLICA_POLL_MS') } }
            : {}),
        },
    migrateOnStart: resolveSwitch(read('MIGRATE_ON_START'), embedded),
    seedOnStart: resolveSwitch(read('SEED_ON_START'), embedded),
    bodyLimit: read('BODY_LIMIT'),
    requestTimeoutMs: read('REQUEST_TIMEOUT_MS'),
    keepAliveTimeoutMs: read('KEEP_ALIVE_TIMEOUT_MS'),
    shutdownDrainMs: read('SHUTDOWN_DRAIN_MS'),
    shutdownTimeoutMs: read('SHUTDOWN_TIMEOUT_MS'),
    changesRetentionDays: read('CHANGES_RETENTION_DAYS'),
    webhooks: {
      allowHttp: read('WEBHOOK_ALLOW_HTTP') === 'true',
      allowPrivateTargets: read('WEBHOOK_ALLOW_PRIVATE_TARGETS') === 'true',
      timeoutMs: read('WEBHOOK_TIMEOUT_MS'),
      failureLimit: read('WEBHOOK_FAILURE_LIMIT'),
      worker: read('WEBHOOK_WORKER') === 'true',
      concurrency: read('WEBHOOK_CONCURRENCY'),
    },
    workerPollMs: read('WORKER_POLL_MS'),
    metricsEnabled: read('METRICS_ENABLED') === 'true',
    publicRead: read('PUBLIC_READ') === 'true',
    tagsCreateOnWrite: read('TAGS_CREATE_ON_WRITE') === 'true',
    rateLimit: {
      max: read('RATE_LIMIT_MAX'),
      anonymousMax: read('RATE_LIMIT_ANONYMOUS_MAX'),
      windowMs: read('RATE_LIMIT_WINDOW_MS'),
      redisUrl: read('REDIS_URL'),
    },
    authFailures: { max: read('AUTH_FAILURE_MAX'), windowMs: read('AUTH_FAILURE_WINDOW_MS') },
    corsOrigins: parseOrigins(read('CORS_ORIGINS')),
    trustProxy: parseTrustProxy(read('TRUST_PROXY')),
    publicUrl: parseBaseUrl('PUBLIC_URL', read('PUBLIC_URL')),
    publicUrls: parsePublicUrls(read),
    sitemapNewsName: read('SITEMAP_NEWS_NAME'),
    previews: { urlTemplate: parsePreviewUrl(read('PREVIEW_URL')), rateLimit: read('PREVIEW_RATE_LIMIT') },
    responseCacheBytes: read<number>('RESPONSE_CACHE_MB') * 1024 * 1024,
    media: {
      storage: mediaStorage(read, embedded),
      maxBytes: read('MEDIA_MAX_BYTES'),
      maxPixels: read('MEDIA_MAX_PIXELS'),
      uploadMax: read('MEDIA_UPLOAD_MAX'),
      publicUrl: parseBaseUrl('MEDIA_PUBLIC_URL', read('MEDIA_PUBLIC_URL')),
    },
    tracing: loadTracingConfig(env),
  }
}

/**
 * The media folder defaults to `media` beside the embedded database's folder (./.data/media with
 * the default DATA_DIR), or ./.data/media with a server database or an in-memory one.
 */
function mediaStorage(read: <T>(name: ConfigVariable) => T, embedded: boolean): MediaConfig['storage'] {
  if (read('MEDIA_STORAGE') === 's3') {
    const bucket = read<string | undefined>('S3_BUCKET')
    if (!bucket) {
      throw new ConfigError('S3_BUCKET', 'Invalid configuration: MEDIA_STORAGE=s3 needs S3_BUCKET, the bucket to use')
    }
    return {
      kind: 's3',
      bucket,
      region: read('S3_REGION'),
      endpoint: read<string | undefined>('S3_ENDPOINT'),
      forcePathStyle: read('S3_FORCE_PATH_STYLE') === 'true',
      prefix: read('S3_PREFIX'),
    }
  }
  const dataDir = read<string>('DATA_DIR')
  const besideDatabase = embedded && dataDir !== 'memory://' ? join(dirname(dataDir), 'media') : './.data/media'
  return { kind: 'fs', dir: read<string | undefined>('MEDIA_DIR') ?? besideDatabase }
}

/** Names of every variable, so documentation tests can check .env.example and the README. */
export const configVariableNames = Object.keys(variables) as ConfigVariable[]
