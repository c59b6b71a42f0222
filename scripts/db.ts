// Database commands, all through Prisma's WebAssembly schema engine (no native engine needed):
//   npm run db:migrate                 apply pending migrations
//   npm run db:migration -- <name>     create the next migration from the schema diff
//   npm run db:seed                    add the example content (idempotent)
//   npm run db:reset -- --force        drop everything, migrate and seed again
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/database.js'
import { applyMigrations, createMigration, MigrationError, resetDatabase } from '../src/db/migrations.js'
import { seed } from '../src/db/seed.js'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { force: { type: 'boolean', default: false } },
})
const [command, name] = positionals

async function main(): Promise<void> {
  if (command === 'migration') {
    if (!name) throw new MigrationError('Usage: npm run db:migration -- <name>')
    const folder = await createMigration(name)
    console.log(
      folder ? `created prisma/migrations/${folder}/migration.sql` : 'the schema has no changes: nothing to create',
    )
    return
  }
  const config = loadConfig()
  const db = await openDatabase(config.database)
  const where =
    config.database.kind === 'server' ? 'the PostgreSQL server' : `embedded database ${config.database.dataDir}`
  try {
    switch (command) {
      case 'migrate': {
        const applied = await applyMigrations(db.adapterFactory)
        console.log(applied.length ? `applied to ${where}: ${applied.join(', ')}` : `${where} is up to date`)
        break
      }
      case 'seed': {
        const { created } = await seed(db.prisma)
        console.log(`seeded ${where}: ${JSON.stringify(created)}`)
        break
      }
      case 'reset': {
        if (!values.force) throw new MigrationError(`db:reset deletes every record in ${where}; run it with --force`)
        await resetDatabase(db.adapterFactory)
        const applied = await applyMigrations(db.adapterFactory)
        const { created } = await seed(db.prisma)
        console.log(`reset ${where}: applied ${applied.length} migration(s), seeded ${JSON.stringify(created)}`)
        break
      }
      default:
        throw new MigrationError('Usage: db.ts migrate | migration <name> | seed | reset --force')
    }
  } finally {
    await db.close()
  }
}

try {
  await main()
} catch (err) {
  if (err instanceof ConfigError || err instanceof MigrationError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}
