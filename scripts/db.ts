// Database commands, all through Prisma's WebAssembly schema engine (no native engine needed):
//   npm run db:migrate                 apply pending migrations
//   npm run db:migration -- <name>     create the next migration from the schema diff
//   npm run db:seed                    add the example content (idempotent)
//   npm run db:seed -- --articles N    … then N synthetic articles (load and search testing)
//   npm run db:reset -- --force        drop everything, migrate and seed again
//   npm run db:backup -- <file>        back the database up into a file (--force overwrites it)
//   npm run db:restore -- <file>       restore a backup (--force over a database holding data)
//   npm run db:export-to -- <url>      copy the embedded database into an empty PostgreSQL database
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../src/config.js'
import { BackupError, backupDatabase, restoreDatabase } from '../src/db/backup.js'
import { DataDirInUseError } from '../src/db/data-dir-lock.js'
import { openDatabase } from '../src/db/database.js'
import { ExportError, exportToServer } from '../src/db/export.js'
import { applyMigrations, createMigration, MigrationError, resetDatabase } from '../src/db/migrations.js'
import { seed } from '../src/seed/seed.js'
import { seedSyntheticArticles } from '../src/seed/synthetic.js'

const usage =
  'Usage: db.ts migrate | migration <name> | seed [--articles N] | reset --force | backup <file> [--force] | restore <file> [--force] | export-to <url>'
const articlesUsage = 'Usage: npm run db:seed -- --articles N (N an integer from 1 to 1000000)'

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { force: { type: 'boolean', default: false }, articles: { type: 'string' } },
    })
  } catch (err) {
    // An unknown option, or --articles without a value.
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      throw new MigrationError(`${(err as Error).message}\n${usage}`)
    }
    throw err
  }
}

/** --articles N: an integer from 1 to 1,000,000, or undefined when absent. */
function articleCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = /^\d{1,7}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
  if (!(n >= 1 && n <= 1_000_000)) throw new MigrationError(articlesUsage)
  return n
}

function describe(database: ReturnType<typeof loadConfig>['database']): string {
  return database.kind === 'server' ? 'the PostgreSQL server' : `embedded database ${database.dataDir}`
}

async function exportTo(url: string | undefined, force: boolean): Promise<void> {
  const exportUsage = 'Usage: npm run db:export-to -- postgres://user:password@host:5432/database (an empty database)'
  if (!url) throw new ExportError(exportUsage)
  if (force)
    throw new ExportError('db:export-to has no --force: it copies into an empty database only, and never overwrites')
  const started = performance.now()
  const result = await exportToServer(loadConfig().database, url, {
    onTable: (table, rows) => console.log(`  ${table}: ${rows} row${rows === 1 ? '' : 's'}`),
  })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(
    `exported embedded database ${result.dataDir} to ${result.target}: ${result.rows} rows in ` +
      `${result.tables.length} tables, ${result.sequences} sequence(s) set, in ${seconds} s`,
  )
  console.log(
    'next: start the server with DATABASE_URL set to that URL (DATA_DIR is then not used) and the same ' +
      'MEDIA_DIR (media files are not in the database); the embedded folder is left as it was',
  )
}

async function main(): Promise<void> {
  const { positionals, values } = parseCommandLine()
  const [command, name] = positionals
  const articles = articleCount(values.articles)
  if (articles !== undefined && command !== 'seed') {
    throw new MigrationError(`--articles is for seed only\n${articlesUsage}`)
  }
  if (command === 'migration') {
    if (!name) throw new MigrationError('Usage: npm run db:migration -- <name>')
    const folder = await createMigration(name)
    console.log(
      folder ? `created prisma/migrations/${folder}/migration.sql` : 'the schema has no changes: nothing to create',
    )
    return
  }
  if (command === 'backup' || command === 'restore') {
    if (!name) throw new MigrationError(`Usage: npm run db:${command} -- <file> [--force]`)
    const config = loadConfig()
    if (command === 'backup') {
      const { file, bytes } = await backupDatabase(config.database, name, { force: values.force })
      console.log(`backed up ${describe(config.database)} into ${file} (${bytes} bytes)`)
    } else {
      await restoreDatabase(config.database, name, { force: values.force })
      console.log(`restored ${describe(config.database)} from ${name}; the next start applies any newer migrations`)
    }
    return
  }
  if (command === 'export-to') {
    await exportTo(name, values.force)
    return
  }
  // An unknown command is refused before a database is opened (or, for PGlite, created).
  if (command !== 'migrate' && command !== 'seed' && command !== 'reset') throw new MigrationError(usage)
  const config = loadConfig()
  const db = await openDatabase(config.database)
  const where = describe(config.database)
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
        if (articles !== undefined) {
          const started = performance.now()
          const progress = process.stderr.isTTY
            ? (written: number) => process.stderr.write(`\r${written} / ${articles} synthetic articles`)
            : undefined
          const result = await seedSyntheticArticles(db.prisma, {
            articles,
            // A server takes several batches at once (one connection each); PGlite has one connection.
            concurrency: config.database.kind === 'server' ? Math.min(3, config.database.poolMax) : 1,
            onProgress: progress,
          })
          if (progress) process.stderr.write('\n')
          const seconds = (performance.now() - started) / 1000
          console.log(
            `added ${result.created.articles} synthetic articles (synthetic-${result.first}… to synthetic-${result.last}…) ` +
              `in ${seconds.toFixed(1)} s, ${Math.round(result.created.articles / seconds)} articles/s: ` +
              JSON.stringify({ ...result.created, ...result.statuses, languages: result.languages }),
          )
        }
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
        throw new MigrationError(usage)
    }
  } finally {
    await db.close()
  }
}

try {
  await main()
} catch (err) {
  if (
    err instanceof ConfigError ||
    err instanceof MigrationError ||
    err instanceof DataDirInUseError ||
    err instanceof BackupError ||
    err instanceof ExportError
  ) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}
