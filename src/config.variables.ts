// Every environment variable the server reads, declared once: its schema, its default and what a
// bad value is told it should be. src/config.ts reads and checks them; the README and
// .env.example say the same.
import Type, { type TSchema } from 'typebox'

export const LogLevelSchema = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
)
const Switch = Type.Union([Type.Literal('auto'), Type.Literal('true'), Type.Literal('false')])

export interface VariableSpec {
  schema: TSchema
  expected: string
}

export const variables = {
  HOST: { schema: Type.String({ minLength: 1, default: '127.0.0.1' }), expected: 'a host name or IP address' },
  PORT: {
    schema: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
    expected: 'an integer between 0 and 65535',
  },
  LOG_LEVEL: {
    schema: { ...LogLevelSchema, default: 'info' },
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
  },
  LOG_FORMAT: {
    schema: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], { default: 'auto' }),
    expected: 'one of auto, json, pretty',
  },
  DATABASE_URL: {
    schema: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    expected: 'a postgres:// or postgresql:// connection URL',
  },
  DATABASE_POOL_MAX: {
    schema: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
    expected: 'an integer between 1 and 1000',
  },
  DATABASE_REPLICA_URLS: {
    schema: Type.Optional(Type.String({ minLength: 1 })),
    expected:
      'a comma-separated list of postgres:// or postgresql:// connection URLs of streaming replicas of DATABASE_URL',
  },
  REPLICA_MAX_LAG_MS: {
    schema: Type.Integer({ minimum: 0, maximum: 3600000, default: 10000 }),
    expected: 'milliseconds between 0 and 3600000',
  },
  REPLICA_POLL_MS: {
    schema: Type.Integer({ minimum: 10, maximum: 60000, default: 1000 }),
    expected: 'milliseconds between 10 and 60000',
  },
  DATA_DIR: {
    schema: Type.String({ minLength: 1, default: './.data/pglite' }),
    expected: 'a folder path, or memory:// for an in-memory database',
  },
  EMBEDDED_CACHE_MB: {
    schema: Type.Integer({ minimum: 8, maximum: 4096, default: 32 }),
    expected: 'an integer between 8 and 4096',
  },
  // Read by src/server.ts as the process starts (it decides the Node options); declared here to be checked.
  EMBEDDED_WASM_TIER_UP: {
    schema: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
    expected: 'true or false',
  },
  MIGRATE_ON_START: { schema: { ...Switch, default: 'auto' }, expected: 'one of auto, true, false' },
  SEED_ON_START: { schema: { ...Switch, default: 'auto' }, expected: 'one of auto, true, false' },
  BODY_LIMIT: {
    schema: Type.Integer({ minimum: 1024, maximum: 104857600, default: 1048576 }),
    expected: 'a number of bytes between 1024 and 104857600',
  },
  REQUEST_TIMEOUT_MS: {
    schema: Type.Integer({ minimum: 0, maximum: 600000, default: 30000 }),
    expected: 'milliseconds between 0 and 600000',
  },
  KEEP_ALIVE_TIMEOUT_MS: {
    schema: Type.Integer({ minimum: 0, maximum: 600000, default: 72000 }),
    expected: 'milliseconds between 0 and 600000',
  },
  PUBLIC_READ: {
    schema: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'true' }),
    expected: 'true or false',
  },
  TAGS_CREATE_ON_WRITE: {
    schema: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'true' }),
    expected: 'true or false',
  },
  RATE_LIMIT_MAX: {
    schema: Type.Integer({ minimum: 1, maximum: 1000000, default: 600 }),
    expected: 'requests per window for an API key, between 1 and 1000000',
  },
  RATE_LIMIT_ANONYMOUS_MAX: {
    schema: Type.Integer({ minimum: 1, maximum: 1000000, default: 120 }),
    expected: 'requests per window for one anonymous client IP, between 1 and 1000000',
  },
  RATE_LIMIT_WINDOW_MS: {
    schema: Type.Integer({ minimum: 1000, maximum: 86400000, default: 60000 }),
    expected: 'milliseconds between 1000 and 86400000',
  },
  AUTH_FAILURE_MAX: {
    schema: Type.Integer({ minimum: 1, maximum: 1000000, default: 20 }),
    expected: 'failed authentications per window for one client IP, between 1 and 1000000',
  },
  AUTH_FAILURE_WINDOW_MS: {
    schema: Type.Integer({ minimum: 1000, maximum: 86400000, default: 60000 }),
    expected: 'milliseconds between 1000 and 86400000',
  },
  REDIS_URL: {
    schema: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    expected: 'a redis:// or rediss:// URL',
  },
  CORS_ORIGINS: {
    schema: Type.String({ minLength: 1, default: '*' }),
    expected: '* or a comma-separated list of origins such as https://www.example.com',
  },
  TRUST_PROXY: {
    schema: Type.String({ minLength: 1, default: 'false' }),
    expected:
      'false, the number of proxies in front of the API (1-10), a comma-separated list of proxy addresses or CIDR ranges, or true',
  },
  PUBLIC_URL: {
    schema: Type.Optional(Type.String({ pattern: '^https?://' })),
    expected: 'an absolute http or https URL with a host and no query or fragment, such as https://api.example.com',
  },
  PUBLIC_ARTICLE_URL: {
    schema: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2000 })),
    expected:
      'an absolute http or https URL with the placeholders {slug}, {id}, {yyyy}, {mm}, {dd}, {section}, such as https://www.example.com/news/{yyyy}/{mm}/{slug}',
  },
  PUBLIC_SECTION_URL: {
    schema: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2000 })),
    expected:
      'an absolute http or https URL with the placeholders {path}, {slug}, {id}, such as https://www.example.com/{path}',
  },
  PUBLIC_PERSON_URL: {
    schema: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2000 })),
    expected:
      'an absolute http or https URL with the placeholders {slug}, {id}, such as https://www.example.com/people/{slug}',
  },
  PREVIEW_URL: {
    schema: Type.Optional(Type.String({ pattern: '^https?://' })),
    expected: 'an absolute http or https URL holding {token}, such as https://www.example.com/preview?token={token}',
  },
  SITEMAP_NEWS_NAME: {
    schema: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    expected: 'the publication name the Google News sitemap gives articles without a source (1-200 characters)',
  },
  PREVIEW_RATE_LIMIT: {
    schema: Type.Integer({ minimum: 1, maximum: 1000000, default: 60 }),
    expected: 'visits per window for one preview link, between 1 and 1000000',
  },
  RESPONSE_CACHE_MB: {
    schema: Type.Integer({ minimum: 0, maximum: 4096, default: 32 }),
    expected: 'megabytes of memory for cached public responses, between 0 (off) and 4096',
  },
  CHANGES_RETENTION_DAYS: {
    schema: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
    expected: 'days between 1 and 3650',
  },
  WEBHOOK_ALLOW_HTTP: {
    schema: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
    expected: 'true or false',
  },
  WEBHOOK_ALLOW_PRIVATE_TARGETS: {
    schema: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
    expected: 'true or false',
  },
  WEBHOOK_TIMEOUT_MS: {
    schema: Type.Integer({ minimum: 100, maximum: 60000, default: 10000 }),
    expected: 'milliseconds between 100 and 60000',
  },
  WEBHOOK_FAILURE_LIMIT: {
    schema: Type.Integer({ minimum: 1, maximum: 10000, default: 20 }),
    expected: 'consecutive failed attempts between 1 and 10000',
  },
  WEBHOOK_WORKER: {
    schema: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'true' }),
    expected: 'true or false',
  },
  WEBHOOK_CONCURRENCY: {
    schema: Type.Integer({ minimum: 1, maximum: 100, default: 4 }),
    expected: 'deliveries at once per instance, between 1 and 100',
  },
  WORKER_POLL_MS: {
    schema: Type.Integer({ minimum: 20, maximum: 60000, default: 1000 }),
    expected: 'milliseconds between 20 and 60000',
  },
  MEDIA_STORAGE: {
    schema: Type.Union([Type.Literal('fs'), Type.Literal('s3')], { default: 'fs' }),
    expected: 'fs (a folder) or s3 (an S3-compatible bucket)',
  },
  MEDIA_DIR: {
    schema: Type.Optional(Type.String({ minLength: 1 })),
    expected: 'a folder path for uploaded images and their renditions',
  },
  MEDIA_MAX_BYTES: {
    schema: Type.Integer({ minimum: 1024, maximum: 1073741824, default: 26214400 }),
    expected: 'a number of bytes between 1024 and 1073741824',
  },
  MEDIA_MAX_PIXELS: {
    schema: Type.Integer({ minimum: 1, maximum: 268402689, default: 100000000 }),
    expected: 'a number of pixels (width × height) between 1 and 268402689',
  },
  MEDIA_UPLOAD_MAX: {
    schema: Type.Integer({ minimum: 1, maximum: 100000, default: 30 }),
    expected: 'uploads per rate-limit window for an API key, between 1 and 100000',
  },
  MEDIA_PUBLIC_URL: {
    schema: Type.Optional(Type.String({ pattern: '^https?://' })),
    expected: 'an absolute http or https URL with a host and no query or fragment, such as https://img.example.com',
  },
  S3_BUCKET: {
    schema: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' })),
    expected: 'an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)',
  },
  S3_REGION: {
    schema: Type.String({ minLength: 1, default: 'us-east-1' }),
    expected: 'an AWS region name such as eu-central-1',
  },
  S3_ENDPOINT: {
    schema: Type.Optional(Type.String({ pattern: '^https?://' })),
    expected: 'an http or https URL of an S3-compatible service (unset for AWS itself)',
  },
  S3_FORCE_PATH_STYLE: {
    schema: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
    expected: 'true or false',
  },
  S3_PREFIX: {
    schema: Type.String({ pattern: '^([A-Za-z0-9._-]+/)*$', default: '' }),
    expected: 'a key prefix ending in / (such as newsdesk/), or empty',
  },
  METRICS_ENABLED: {
    schema: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'true' }),
    expected: 'true or false',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: Type.Optional(Type.String({ pattern: '^https?://[^/?#\\s]+' })),
    expected: 'the http or https URL of an OTLP/HTTP collector, such as http://localhost:4318 (unset: tracing off)',
  },
  OTEL_SERVICE_NAME: {
    schema: Type.String({ minLength: 1, maxLength: 200, default: 'newsdesk' }),
    expected: 'the service name traces are recorded under (1-200 characters)',
  },
  SHUTDOWN_DRAIN_MS: {
    schema: Type.Integer({ minimum: 0, maximum: 600000, default: 0 }),
    expected: 'milliseconds between 0 and 600000',
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: Type.Integer({ minimum: 0, maximum: 600000, default: 10000 }),
    expected: 'milliseconds between 0 and 600000',
  },
} satisfies Record<string, VariableSpec>
