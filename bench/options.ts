// The runner's command line and environment, read here once into typed options.
import { parseArgs } from 'node:util'

export interface BenchOptions {
  smoke: boolean
  /** Seconds of each measured run. */
  duration: number
  /** Seconds of load before each measured run, not recorded. */
  warmup: number
  connections: number
  /** Synthetic articles the benchmark database must hold. */
  articles: number
  /** How many pages deep the deep-page scenario reads. */
  deepPages: number
  /** Where results go; undefined: bench/results (with latest.json and latest.md). */
  out?: string
  /** Start the API servers with --cpu-prof into bench/profiles. */
  profile: boolean
  /** BENCH_DATABASE_URL: the benchmark database, as is. */
  benchDatabaseUrl?: string
  /** DATABASE_URL: a server whose newsdesk_bench database is used (created when missing). */
  databaseUrl?: string
  /** What child processes inherit: nothing that could change how the servers behave. */
  childEnv: NodeJS.ProcessEnv
}

export const usage = `Usage: npm run bench -- [options]
  --duration <s>      seconds of each measured run (default 8; smoke 1)
  --warmup <s>        seconds of warm-up load before each run (default 2; smoke 0.3)
  --connections <n>   concurrent connections (default 10)
  --articles <n>      synthetic articles in the benchmark database (default 100000; smoke 300)
  --deep-pages <n>    pages walked for the deep-page scenario (default 2000; smoke 5)
  --smoke             tiny sizes and durations, results to a temporary folder unless --out
  --out <dir>         write results there instead of bench/results
  --profile           start the API servers with --cpu-prof --cpu-prof-dir bench/profiles
Environment: BENCH_DATABASE_URL (the benchmark database), else DATABASE_URL (its server gets a
newsdesk_bench database), else embedded PGlite in .data/bench-pglite.`

export class UsageError extends Error {}

// Enough to find node and npm and write temporary files; DATABASE_URL, LOG_LEVEL, NODE_OPTIONS
// (a test runner's loaders) and the like are not passed on.
const inherited = ['PATH', 'HOME', 'TMPDIR', 'LANG']

function positive(name: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, not ${JSON.stringify(value)}`)
  }
  return n
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  if (values.help) return 'help'
  const smoke = values.smoke === true
  return {
    smoke,
    duration: positive('duration', values.duration, smoke ? 1 : 8, false),
    warmup: positive('warmup', values.warmup, smoke ? 0.3 : 2, false),
    connections: positive('connections', values.connections, 10, true),
    articles: positive('articles', values.articles, smoke ? 300 : 100_000, true),
    deepPages: positive('deep-pages', values['deep-pages'], smoke ? 5 : 2000, true),
    out: values.out,
    profile: values.profile === true,
    benchDatabaseUrl: env.BENCH_DATABASE_URL || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    childEnv: Object.fromEntries(inherited.filter((k) => env[k] !== undefined).map((k) => [k, env[k]])),
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      articles: { type: 'string' },
      'deep-pages': { type: 'string' },
      smoke: { type: 'boolean' },
      out: { type: 'string' },
      profile: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
