// The results: ratios to the baselines, the targets, the environment they were measured in, as
// JSON (bench/results/<time>.json and latest.json) and as a Markdown table (latest.md, stdout).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../src/db/paths.js'
import type { Fixtures } from './database.js'
import type { LoadSettings } from './load.js'
import type { StartupTiming } from './startup.js'
import type { StatementReport } from './statements.js'
import type { Row, Target } from './targets.js'

export interface Environment {
  node: string
  postgres: string
  packages: Record<string, string>
  cpus: { count: number; model: string }
  memoryMB: number
  os: string
  git: { commit: string | null; dirty: boolean }
}

export interface Report {
  mode: 'full' | 'smoke'
  startedAt: string
  finishedAt: string
  durationS: number
  settings: LoadSettings & { articles: number; deepPages: number }
  database: { description: string; kind: 'server' | 'embedded'; syntheticArticles: number; addedThisRun: number }
  fixtures: Omit<Fixtures, 'slugs' | 'postgresVersion'> & { slugs: number }
  environment: Environment
  rows: Row[]
  /** The pg baseline's answers compared with the API's (same articles, same fields). */
  baselineChecks: Record<string, boolean>
  startup: StartupTiming[]
  /** PostgreSQL's time for the uncached reads' statements (a server database only). */
  statements: StatementReport | null
  targets: Target[]
  notes: string[]
}

function packageVersion(name: string): string {
  try {
    const file = join(projectRoot, 'node_modules', name, 'package.json')
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

export function environment(postgres: string, embedded: boolean): Environment {
  const cpus = os.cpus()
  const names = ['fastify', 'prisma', '@prisma/client', 'pg', 'autocannon', '@electric-sql/pglite']
  return {
    node: process.version,
    postgres: embedded ? `${postgres} (PGlite ${packageVersion('@electric-sql/pglite')})` : postgres,
    packages: Object.fromEntries(names.map((n) => [n, packageVersion(n)])),
    cpus: { count: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown' },
    memoryMB: Math.round(os.totalmem() / 2 ** 20),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    git: { commit: git(['rev-parse', 'HEAD']), dirty: (git(['status', '--porcelain']) ?? '') !== '' },
  }
}

const fixed = (n: number | null | undefined, digits = 0) => (n === null || n === undefined ? '—' : n.toFixed(digits))

function table(head: string[], body: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`
  return [line(head), rule, ...body.map(line)].join('\n')
}

function statementTable(statements: StatementReport | null): string {
  if (!statements) return 'Not measured: a PostgreSQL server database only.'
  const how =
    statements.method === 'explain'
      ? `EXPLAIN (ANALYZE, BUFFERS) execution time, median of ${statements.runs} runs after one (pg_stat_statements is not loaded)`
      : `pg_stat_statements mean execution time over ${statements.runs} requests`
  const body = statements.timings.map((t) => [
    t.read,
    String(t.statements),
    t.apiMs.toFixed(3),
    t.mainMs.toFixed(3),
    t.buffers ? `${t.buffers.hit}/${t.buffers.read}` : '—',
    t.baselineMs === null ? '—' : t.baselineMs.toFixed(3),
    t.baselineMs ? (t.mainMs / t.baselineMs).toFixed(2) : '—',
    `\`${t.mainSql.replace(/\|/g, '\\|')}…\``,
  ])
  const head = ['read', 'statements', 'API ms', 'main ms', 'main hit/read', 'baseline-pg ms', '× baseline', 'main']
  return `${how}.\n\n${table(head, body, [false, true, true, true, true, true, true, false])}`
}

export function markdown(report: Report): string {
  const env = report.environment
  const head = [
    'scenario',
    'pass',
    'req/s',
    'p50 ms',
    'p99 ms',
    'p99 ms @ ½ rate',
    'errors',
    'max RSS MB',
    'CPU ms/req',
    '× static',
    '× stack',
    '× pg',
    '× write',
  ]
  const body = report.rows.map((r) => [
    r.scenario,
    r.pass,
    fixed(r.peak.rps),
    fixed(r.peak.latencyMs.p50),
    fixed(r.peak.latencyMs.p99),
    r.halfRate ? `${fixed(r.halfRate.latencyMs.p99)} (${r.halfRate.targetRps}/s)` : '—',
    String(r.errors.total),
    fixed(r.maxRssMB),
    fixed(r.peak.cpuMsPerReq, 2),
    fixed(r.ratioStatic, 2),
    fixed(r.ratioStack, 2),
    fixed(r.ratioPg, 2),
    fixed(r.ratioWrite, 2),
  ])
  const right = [false, false, ...Array<boolean>(head.length - 2).fill(true)]
  const targets = table(
    ['target', 'result', 'measured'],
    report.targets.map((t) => [t.name, t.status === 'fail' ? '**fail**' : t.status, t.actual]),
    [false, false, false],
  )
  const startup = report.startup.length
    ? table(
        ['npm start → ready', 'wall ms', 'server startupMs', 'target ms'],
        report.startup.map((s) => [`${s.database} database`, String(s.wallMs), fixed(s.startupMs), String(s.targetMs)]),
        [false, true, true, true],
      )
    : 'No start-up timings.'
  const f = report.fixtures
  return [
    `# Newsdesk benchmark (${report.mode})`,
    '',
    `${report.startedAt} · ${report.durationS.toFixed(0)} s · commit ${env.git.commit?.slice(0, 12) ?? 'unknown'}` +
      `${env.git.dirty ? ' (uncommitted changes)' : ''}`,
    '',
    `Node ${env.node} · PostgreSQL ${env.postgres} · ${env.cpus.count} × ${env.cpus.model} · ${env.memoryMB} MB · ${env.os}`,
    `fastify ${env.packages.fastify} · prisma ${env.packages.prisma} · @prisma/client ${env.packages['@prisma/client']}` +
      ` · pg ${env.packages.pg} · autocannon ${env.packages.autocannon}`,
    '',
    `Database: ${report.database.description}, ${report.database.syntheticArticles} synthetic articles` +
      `${report.database.addedThisRun ? ` (${report.database.addedThisRun} added by this run)` : ''}.` +
      ` Load: ${report.settings.connections} connections, ${report.settings.warmup} s warm-up, ${report.settings.duration} s measured;` +
      ` deep page = page ${report.settings.deepPages + 1}; ${f.slugs} slugs in turn; search "${f.searchCommon.term}"` +
      ` (${f.searchCommon.matches} matches) and "${f.searchRare.term}" (${f.searchRare.matches});` +
      ` filter source=${f.filter.source} & tag=${f.filter.tag} (${f.filter.matches});` +
      ` section front ${f.sectionFront.section} (${f.sectionFront.matches}).`,
    '',
    table(head, body, right),
    '',
    '## Targets',
    '',
    targets,
    '',
    '## Statement time',
    '',
    statementTable(report.statements),
    '',
    '## Start-up',
    '',
    startup,
    ...(report.notes.length ? ['', '## Notes', '', ...report.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n')
}

/**
 * <time>.json, latest.json and latest.md in `dir`, put through the project's formatter so that the
 * committed ones pass `npm run lint` as written; returns the paths written.
 */
export async function writeResults(report: Report, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const json = `${JSON.stringify(report, null, 2)}\n`
  const stamped = join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`)
  const files: [string, string][] = [
    [stamped, json],
    [join(dir, 'latest.json'), json],
    [join(dir, 'latest.md'), markdown(report)],
  ]
  for (const [file, text] of files) await writeFile(file, text)
  const paths = files.map(([file]) => file)
  try {
    execFileSync(join(projectRoot, 'node_modules', '.bin', 'biome'), ['format', '--write', ...paths], {
      cwd: projectRoot,
      stdio: 'ignore',
    })
  } catch {
    // Biome is a development dependency: without it the files are still complete, only laid out differently.
  }
  return paths
}
