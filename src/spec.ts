// Renders the OpenAPI document from the route schemas, exactly as committed in openapi/openapi.json.
import { join } from 'node:path'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { openDatabase } from './db/database.js'
import { projectRoot } from './db/paths.js'

export const specPath = join(projectRoot, 'openapi', 'openapi.json')

export async function renderSpec(): Promise<string> {
  // buildApp makes no queries, and the pool connects lazily: no database is needed.
  const config = loadConfig({ LOG_LEVEL: 'silent', RESPONSE_CACHE_MB: '0' })
  const db = await openDatabase({ kind: 'server', url: 'postgres://localhost/unused', poolMax: 1 })
  const app = await buildApp({ config, db })
  try {
    await app.ready()
    return `${JSON.stringify(app.swagger(), null, 2)}\n`
  } finally {
    await app.close()
    await db.close()
  }
}
