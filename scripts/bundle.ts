// The server as `npm start` runs it: the compiled entry (dist/src/server.js) and every module of
// the server's own, with TypeBox, bundled into a few files in dist/server/. Run by `npm run build`
// after tsc.
//
// Why: loading an ES module costs Node ~0.3–0.5 ms of resolution and linking whatever its size,
// and the server loaded ~1,400 of them at start-up, 680 of them TypeBox's. Bundled, importing the
// server's modules took ~0.3 s instead of ~0.65 s (Node 24, repeated starts). Every other package
// stays external, loaded from node_modules as before: several find their own files (WebAssembly,
// Swagger UI's assets, pino's worker) next to their modules. What src/server.ts imports on first
// use (tracing, the rest of the server) becomes chunks of its own, so that the entry stays small
// and Node's compile cache is on before the large chunk loads.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { build, type Plugin } from 'esbuild'
import { projectRoot } from '../src/db/paths.js'

/** Packages bundled with the server's modules: pure ES modules that find no files of their own. */
const bundled = /^typebox(\/|$)/

const externalPackages: Plugin = {
  name: 'external-packages',
  setup(builder) {
    // A bare specifier (a package, or node:…) stays an import unless its package is bundled.
    builder.onResolve({ filter: /^[^./]/ }, ({ path }) => (bundled.test(path) ? undefined : { path, external: true }))
  },
}

const outdir = join(projectRoot, 'dist', 'server')
await rm(outdir, { recursive: true, force: true })
const result = await build({
  // start.js (what server.js imports once the compile cache is on) as an entry of its own: a file
  // name that stays the same from build to build, for stack traces and profiles.
  entryPoints: ['server', 'start'].map((name) => join(projectRoot, 'dist', 'src', `${name}.js`)),
  entryNames: '[name]',
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Stack traces name the bundle's files; the linked source maps lead back to the sources (node
  // --enable-source-maps, or a debugger). Functions keep the names they were written with, where
  // two modules' names clash too, and nothing is minified: the bytes saved are not the cost.
  sourcemap: 'linked',
  keepNames: true,
  minify: false,
  plugins: [externalPackages],
  logLevel: 'warning',
  metafile: true,
})
const files = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'))
process.stdout.write(`bundled the server into ${files.length} files in dist/server\n`)
