// Prisma's WebAssembly schema engine, driven through the same driver adapter as the app.
// Prisma's CLI would download a native engine binary for migrations; this one ships on npm.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import type { SchemaEngine } from '@prisma/schema-engine-wasm'

type WasmExports = Record<string, unknown>
// The subset of the WebAssembly global used here (TypeScript's Node typings do not declare it).
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: WasmExports } }>
}

type Glue = typeof import('@prisma/schema-engine-wasm') & {
  __wbg_set_wasm(exports: WasmExports): void
}

let loaded: Promise<Glue> | undefined

// Node 20 cannot import .wasm modules without a flag, so the bytes are instantiated by hand
// and handed to the wasm-bindgen glue. The glue holds module-level state: load it once.
function loadGlue(): Promise<Glue> {
  loaded ??= (async () => {
    const glueUrl = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
    const glue = (await import(glueUrl)) as Glue
    const bytes = await readFile(fileURLToPath(new URL('schema_engine_bg.wasm', glueUrl)))
    const imports: Record<string, unknown> = { ...glue }
    // The engine arms a timer (a lock timeout) that it never clears after the work is done;
    // unref'd, it no longer keeps a finished CLI command or test process alive for 10 seconds.
    for (const [name, fn] of Object.entries(glue)) {
      if (name.startsWith('__wbg_setTimeout_') && typeof fn === 'function') {
        imports[name] = (...args: unknown[]) => (fn as (...a: unknown[]) => NodeJS.Timeout)(...args).unref()
      }
    }
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': imports,
    })
    glue.__wbg_set_wasm(instance.exports)
    ;(instance.exports.__wbindgen_start as () => void)()
    return glue
  })()
  return loaded
}

export interface SchemaFile {
  path: string
  content: string
}

export async function openSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: SchemaFile,
  log: (message: string) => void = () => {},
): Promise<SchemaEngine> {
  const glue = await loadGlue()
  return glue.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    (message: string) => log(message),
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  )
}

export const noFilters = { externalTables: [], externalEnums: [] }
