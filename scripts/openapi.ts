// npm run openapi         writes openapi/openapi.json from the route schemas, and the typed
//                         client's types (clients/typescript/src/schema.ts) from that spec
// npm run openapi:check   fails when either committed file differs from what the routes produce
import { readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import { projectRoot } from '../src/db/paths.js'
import { renderSpec, specPath } from '../src/spec.js'

const clientTypesPath = join(projectRoot, 'clients', 'typescript', 'src', 'schema.ts')

async function renderClientTypes(spec: string): Promise<string> {
  // Offline: the spec is passed as an object, so nothing is fetched and no $ref leaves the file.
  const ast = await openapiTS(JSON.parse(spec) as OpenAPI3, { silent: true })
  return `// Generated from openapi/openapi.json by \`npm run openapi\` (openapi-typescript): do not edit.\n${astToString(ast)}`
}

const check = process.argv.includes('--check')
const spec = await renderSpec()
const files: [string, string][] = [
  [specPath, spec],
  [clientTypesPath, await renderClientTypes(spec)],
]
let stale = false
for (const [path, content] of files) {
  const name = relative(projectRoot, path)
  if (!check) {
    await writeFile(path, content)
    console.log(`wrote ${name}`)
  } else if ((await readFile(path, 'utf8').catch(() => '')) !== content) {
    console.error(`${name} is stale: run \`npm run openapi\` and commit the result`)
    stale = true
  } else {
    console.log(`${name} matches the routes`)
  }
}
if (stale) process.exit(1)
