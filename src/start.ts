// The server's start (after src/server.ts): configuration, database, migrations, seed, then buildApp() and listen.
// SIGINT/SIGTERM first make readiness answer 503 for SHUTDOWN_DRAIN_MS while serving as before, then
// stop accepting connections, let in-flight requests finish (bounded by SHUTDOWN_TIMEOUT_MS) and
// close the database, then export the last spans when tracing is on; a second signal exits at once.
import closeWithGrace from 'close-with-grace'
import type { FastifyBaseLogger } from 'fastify'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { DataDirInUseError } from './db/data-dir-lock.js'
import { type Database, openDatabase } from './db/database.js'
import { applyMigrations } from './db/migrations.js'
import { scopes } from './lib/principal.js'
import { createLogger } from './logging.js'
import { createKeysService } from './modules/keys/keys.service.js'
import type { Tracing } from './observability/tracing.js'
import { seed } from './seed/seed.js'

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

export interface StartOptions {
  /** Started by src/server.ts when configured: registered in the app, shut down last. */
  tracing?: Tracing
}

export async function start({ tracing }: StartOptions = {}) {
  const startedAt = performance.now()
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message)
    throw err
  }

  const log = createLogger(config)
  const { database } = config
  if (database.kind === 'embedded' && !database.wasmTierUp && !process.execArgv.includes('--liftoff-only')) {
    // src/server.ts could not start Node again with it (Node before 22.15, Windows, or an entry of one's own).
    log.warn(
      "the embedded database's WebAssembly may be recompiled by V8's optimising compiler, a peak of ~800 MB RSS at its first queries: start Node with --liftoff-only (docs/deploy.md)",
    )
  }
  let db: Database
  try {
    db = await openDatabase(config.database, {
      // An idle pooled connection dropped by a restarting server is not fatal: the pool reconnects.
      onConnectionError: (err) => log.warn({ err }, 'database connection error'),
    })
  } catch (err) {
    // The embedded folder is open in another process (a second server, a script): one line, as for configuration.
    if (err instanceof DataDirInUseError) fail(err.message)
    throw err
  }

  try {
    if (config.migrateOnStart) {
      const applied = await applyMigrations(db.adapterFactory)
      if (applied.length > 0) log.info({ applied }, `applied ${applied.length} migration(s)`)
    }
    if (config.seedOnStart) {
      const empty = (await db.prisma.source.count()) === 0 && (await db.prisma.article.count()) === 0
      if (empty) log.info({ created: (await seed(db.prisma)).created }, 'seeded example content')
    }
    // A newcomer's first start: an admin key, printed once (never logged) so that Swagger UI's
    // Authorize button works straight away. Later starts find a key and print nothing.
    if (db.kind === 'embedded') {
      const keys = createKeysService(db.prisma, { clock: () => new Date() })
      if ((await keys.count()) === 0) {
        const admin = await keys.createFromCli({ name: 'Admin (created on first start)', scopes: [...scopes] })
        process.stdout.write(
          `\nCreated an admin API key (all scopes). It is shown only this once:\n\n    ${admin.secret}\n\n` +
            'Use it as "Authorization: Bearer <key>", or with the Authorize button at /docs.\n\n',
        )
      }
    }
  } catch (err) {
    log.fatal({ err }, err instanceof Error ? err.message : 'start-up failed')
    await db.close().catch(() => {})
    process.exit(1)
  }

  const app = await buildApp({ config, db, loggerInstance: log, tracing })
  if (tracing) {
    // The endpoint without credentials a URL may carry.
    const endpoint = config.tracing?.endpoint.replace(/\/\/[^@/]*@/, '//')
    log.info({ ...config.tracing, endpoint }, 'tracing on: spans are exported over OTLP/HTTP')
  }

  // The drain period first (readiness 503, everything else served), then the bounded close.
  const drainMs = config.shutdownDrainMs
  closeWithGrace({ delay: drainMs + config.shutdownTimeoutMs, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error')
    else log.info({ signal, drainMs }, 'shutting down')
    // After an error the process cannot be trusted to serve: no drain.
    if (!err) await app.shutdown.drain(drainMs)
    app.shutdown.close()
    try {
      await app.close()
      await db.close()
    } finally {
      // Last, so that the spans of the last requests (and of closing) are exported before exit;
      // for 2 s at most, so that an unreachable collector cannot hold the exit past its budget.
      if (tracing) await exportLastSpans(tracing, log)
    }
  })

  try {
    await app.listen({ host: config.host, port: config.port })
    log.info(
      { database: db.kind, startupMs: Math.round(performance.now() - startedAt) },
      `Newsdesk ready: API docs at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/docs`,
    )
  } catch (err) {
    log.fatal({ err }, 'could not listen')
    await db.close().catch(() => {})
    process.exit(1)
  }
}

/** Ends tracing, exporting the spans still batched, for at most 2 s. */
async function exportLastSpans(tracing: Tracing, log: FastifyBaseLogger): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log.warn('the last spans were not exported within 2 s')
      resolve()
    }, 2000)
  })
  await Promise.race([tracing.shutdown().catch((err) => log.warn({ err }, 'could not export the last spans')), limit])
  clearTimeout(timer)
}
