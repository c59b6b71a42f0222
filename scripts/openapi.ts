// npm run openapi         writes openapi/openapi.json from the route schemas
// npm run openapi:check   fails when the committed file differs from what the routes produce
import { readFile, writeFile } from 'node:fs/promises'
import { renderSpec, specPath } from '../src/spec.js'

const check = process.argv.includes('--check')
const spec = await renderSpec()
if (check) {
  const committed = await readFile(specPath, 'utf8').catch(() => '')
  if (committed !== spec) {
    console.error('openapi/openapi.json is stale: run `npm run openapi` and commit the result')
    process.exit(1)
  }
  console.log('openapi/openapi.json matches the routes')
} else {
  await writeFile(specPath, spec)
  console.log(`wrote ${specPath}`)
}
