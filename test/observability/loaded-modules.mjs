// Preloaded (NODE_OPTIONS=--import) into the servers test/observability/tracing-export.test.ts
// starts: when the process exits, writes the CommonJS modules it loaded (require.cache, which
// holds those imported from ES modules too) to the file LOADED_MODULES_FILE names.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const file = process.env.LOADED_MODULES_FILE
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify(Object.keys(require.cache))))
