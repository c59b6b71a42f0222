// Process entry. Caps glibc's malloc arenas (Linux), turns on Node's module compile cache (Node
// 22.1 and later), starts tracing when it is configured, then starts the server (src/start.ts).
// The cache keeps the compiled code of the modules the server loads (V8's code cache, in the
// folder NODE_COMPILE_CACHE names, else node-compile-cache in the system's temporary folder), so
// that a later start reads it instead of compiling again. Where the folder cannot be written, or
// the Node version has no cache, the server starts as it would without.
import module from 'node:module'
import type { Tracing } from './observability/tracing.js'

/**
 * On Linux, the process runs with MALLOC_ARENA_MAX=2 unless the environment sets it. glibc gives
 * each thread that allocates an arena of its own (up to eight per core) and keeps what was freed
 * in it; libvips allocates from the threads that run uploads and renditions, and their arenas held
 * ~20 MB that two arenas did not (docs/deploy.md). glibc reads the variable only as a process
 * starts, so the server executes itself again, once, with it set (the same process id, arguments
 * and Node options; Node 22.15 and later). A value the environment sets is left as it is; other
 * C libraries ignore the variable.
 */
function capMallocArenas(): void {
  const { execve } = process as typeof process & {
    execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never
  }
  if (process.platform !== 'linux' || !execve || process.env.MALLOC_ARENA_MAX !== undefined) return
  try {
    execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      ...process.env,
      MALLOC_ARENA_MAX: '2',
    })
  } catch {
    // Never a reason not to start: this process goes on with glibc's default arenas.
  }
}

capMallocArenas()
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
