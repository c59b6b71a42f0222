// Process entry. Turns on Node's module compile cache (Node 22.1 and later), starts tracing when
// it is configured, then starts the server (src/start.ts). The cache keeps the compiled code of
// the modules the server loads (V8's code cache, in the folder NODE_COMPILE_CACHE names, else
// node-compile-cache in the system's temporary folder), so that a later start reads it instead of
// compiling again. Where the folder cannot be written, or the Node version has no cache, the
// server starts as it would without.
import module from 'node:module'
import type { Tracing } from './observability/tracing.js'

const { enableCompileCache } = module as typeof module & { enableCompileCache?: () => unknown }
try {
  enableCompileCache?.()
} catch {
  // Never a reason not to start.
}

/**
 * Tracing starts before src/start.ts loads the server's modules: its instrumentation patches http
 * and pg as they are first required. Without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry SDK,
 * exporter or instrumentation is loaded (prom-client loads the API package alone, a no-op without them). A bad value is left for src/start.ts to report with the rest of the configuration.
 */
async function startTracing(): Promise<Tracing | undefined> {
  const { ConfigError, loadTracingConfig } = await import('./config.js')
  let config: ReturnType<typeof loadTracingConfig>
  try {
    config = loadTracingConfig()
  } catch (err) {
    if (err instanceof ConfigError) return undefined
    throw err
  }
  return config && (await import('./observability/tracing.js')).startTracing(config)
}

const tracing = await startTracing()
const { start } = await import('./start.js')
await start({ tracing })
