// Process entry. Starts Node again with the process settings the server needs (below), turns on
// Node's module compile cache (Node 22.1 and later), starts tracing when it is configured, then
// starts the server (src/start.ts). The cache keeps the compiled code of the modules the server
// loads (V8's code cache, in the folder NODE_COMPILE_CACHE names, else node-compile-cache in the
// system's temporary folder), so that a later start reads it instead of compiling again. Where the
// folder cannot be written, or the Node version has no cache, the server starts as it would without.
import module from 'node:module'
import type { Tracing } from './observability/tracing.js'

/** V8's option that keeps WebAssembly on its baseline compiler (Liftoff). */
const liftoffOnly = '--liftoff-only'

/**
 * Settings glibc and V8 read only as a process starts, so the server executes itself again, once,
 * with them (the same process id, arguments and Node options; Node 22.15 and later, not Windows):
 *
 * - On Linux, MALLOC_ARENA_MAX=2 unless the environment sets it. glibc gives each thread that
 *   allocates an arena of its own (up to eight per core) and keeps what was freed in it; libvips
 *   allocates from the threads that run uploads and renditions, and their arenas held ~20 MB that
 *   two arenas did not (docs/deploy.md). A value the environment sets is left as it is; other C
 *   libraries ignore the variable.
 * - On the embedded database (no DATABASE_URL), --liftoff-only unless EMBEDDED_WASM_TIER_UP=true.
 *   PostgreSQL runs there as WebAssembly in this process, and V8 recompiles its hottest functions
 *   with its optimising compiler: one of them took ~570 MB of compiler memory for seconds at the
 *   first queries (a peak of ~810 MB RSS), and RSS stayed ~45 MB higher, for uncached reads 10–20 %
 *   faster (docs/deploy.md). Node takes the option only on its command line (not from NODE_OPTIONS).
 *
 * Where the process cannot execute itself, it goes on without them: never a reason not to start.
 * (An invalid EMBEDDED_WASM_TIER_UP is reported by the configuration, in src/start.ts.)
 */
function restartWithProcessSettings(): void {
  const { execve } = process as typeof process & {
    execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never
  }
  if (!execve) return
  const capArenas = process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined
  const embedded = !process.env.DATABASE_URL
  const baselineWasm =
    embedded && process.env.EMBEDDED_WASM_TIER_UP !== 'true' && !process.execArgv.includes(liftoffOnly)
  if (!capArenas && !baselineWasm) return
  try {
    execve(
      process.execPath,
      [process.execPath, ...process.execArgv, ...(baselineWasm ? [liftoffOnly] : []), ...process.argv.slice(1)],
      capArenas ? { ...process.env, MALLOC_ARENA_MAX: '2' } : process.env,
    )
  } catch {
    // This process goes on with glibc's default arenas and V8's default compilers.
  }
}

restartWithProcessSettings()
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
