// Process entry. Turns on Node's module compile cache (Node 22.1 and later), then starts the server
// (src/start.ts). The cache keeps the compiled code of the modules the server loads (V8's code
// cache, in the folder NODE_COMPILE_CACHE names, else node-compile-cache in the system's temporary
// folder), so that a later start reads it instead of compiling again. Where the folder cannot be
// written, or the Node version has no cache, the server starts as it would without.
import module from 'node:module'

const { enableCompileCache } = module as typeof module & { enableCompileCache?: () => unknown }
try {
  enableCompileCache?.()
} catch {
  // Never a reason not to start.
}

await import('./start.js')
