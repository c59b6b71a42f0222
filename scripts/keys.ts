// npm run keys:create -- --name "Frontend" --scopes content:read[,content:preview,...]
//                        [--expires-at 2027-01-01T00:00:00Z] [--rate-limit 1200]
// Prints the new key on standard output (and nothing else there), its details on standard error.
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../src/config.js'
import { DataDirInUseError } from '../src/db/data-dir-lock.js'
import { type Database, openDatabase } from '../src/db/database.js'
import { type Scope, scopes } from '../src/lib/principal.js'
import { createKeysService } from '../src/modules/keys/keys.service.js'

function usage(message: string, code = 1): never {
  console.error(
    `${message}\nUsage: npm run keys:create -- --name <name> --scopes <${scopes.join('|')},...> [--expires-at <ISO time>] [--rate-limit <requests per window>]`,
  )
  process.exit(code)
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        scopes: { type: 'string' },
        'expires-at': { type: 'string' },
        'rate-limit': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    // An unknown option, or an option without its value: the usage line, not a stack trace.
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) usage((err as Error).message)
    throw err
  }
}

const { positionals, values } = parseCommandLine()
if (values.help) usage('Creates an API key and prints it.', 0)
if (positionals[0] !== 'create') usage('Unknown command')
if (!values.name) usage('--name is required')
const requested = (values.scopes ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
if (requested.length === 0) usage('--scopes is required')
const unknown = requested.filter((s) => !scopes.includes(s as Scope))
if (unknown.length) usage(`Unknown scope(s): ${unknown.join(', ')}`)
const expiresAt = values['expires-at']
if (expiresAt !== undefined && (Number.isNaN(Date.parse(expiresAt)) || Date.parse(expiresAt) <= Date.now())) {
  usage('--expires-at must be a future ISO 8601 time')
}
const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit'])
if (rateLimit !== undefined && !(Number.isInteger(rateLimit) && rateLimit >= 1 && rateLimit <= 1000000)) {
  usage('--rate-limit must be an integer between 1 and 1000000')
}

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) usage(err.message)
  throw err
}
let db: Database
try {
  db = await openDatabase(config.database)
} catch (err) {
  if (!(err instanceof DataDirInUseError)) throw err
  // Most likely the server: a key written beside it would be lost, so refuse with what to do instead.
  console.error(
    `Cannot create a key: the embedded database ${err.dataDir} is open in ${err.holder} (the running server?), ` +
      'and an embedded database cannot be shared with a running server. Stop the server and run this again, ' +
      'or create the key through the server: POST /v1/keys with a keys:manage key (such as the admin key printed on first start).',
  )
  process.exit(1)
}
try {
  const keys = createKeysService(db.prisma, { clock: () => new Date() })
  const key = await keys.createFromCli({
    name: values.name,
    scopes: [...new Set(requested)] as Scope[],
    expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null,
    rateLimit: rateLimit ?? null,
  })
  console.error(
    `Created API key ${key.id} "${key.name}" with scopes ${key.scopes.join(', ')}. Store it now: it is not shown again.`,
  )
  console.log(key.secret)
} finally {
  await db.close()
}
