// The results: ratios to the baselines, the targets, the environment they were measured in, as
// JSON (bench/results/<time>.json and latest.json) and as a Markdown table (latest.md, stdout).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../src/db/paths.js'
import type { Fixtures } from './database.js'
import type { LoadSettings, ScenarioResult } from './load.js'
import type { StartupTiming } from './startup.js'

export interface Environment {
  node: string
  postgres: string
  packages: Record<string, string>
  cpus: { count: number; model: string }
  memoryMB: number
  os: string
  git: { commit: string | null; dirty: boolean }
}

export interface Row extends ScenarioResult {
  /** rps / baseline-static rps. */
  ratioStatic: number | null
  /** rps / the rps of the baseline-pg run answering the same query. */
  ratioPg: number | null
}

export interface Target {
  name: string
  status: 'pass' | 'fail' | 'skipped'
  actual: string
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
  maxServerRssMB: number | null
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

export function withRatios(results: ScenarioResult[]): Row[] {
  const rpsOf = (name: string) => results.find((r) => r.scenario === name && r.pass === 'baseline')?.peak.rps
  const staticRps = rpsOf('baseline-static')
  const pgFor = (r: ScenarioResult): string | undefined => {
    if (r.pass === 'baseline') return undefined
    if (r.scenario === 'article-by-slug') return 'baseline-pg-slug'
    if (r.scenario === 'first-page' || r.scenario === 'deep-page') return 'baseline-pg-first-page'
    return undefined
  }
  return results.map((r) => {
    const pgName = pgFor(r)
    const pgRps = pgName ? rpsOf(pgName) : undefined
    return {
      ...r,
      ratioStatic: staticRps ? r.peak.rps / staticRps : null,
      ratioPg: pgRps ? r.peak.rps / pgRps : null,
    }
  })
}

const P99_TARGET_MS = 25
const RSS_TARGET_MB = 250

export function evaluateTargets(rows: Row[], startup: StartupTiming[], maxServerRssMB: number | null): Target[] {
  const find = (scenario: string, pass: string) => rows.find((r) => r.scenario === scenario && r.pass === pass)
  const targets: Target[] = []
  const ratio = (scenario: string, pass: 'uncached' | 'cached', against: 'static' | 'pg', min: number) => {
    const row = find(scenario, pass)
    const value = against === 'static' ? row?.ratioStatic : row?.ratioPg
    const baseline = against === 'static' ? 'baseline-static' : 'baseline-pg'
    const name = `${pass} ${scenario} ≥ ${min}× ${baseline}`
    if (value === null || value === undefined) targets.push({ name, status: 'skipped', actual: `no ${baseline} run` })
    else targets.push({ name, status: value >= min ? 'pass' : 'fail', actual: `${value.toFixed(2)}×` })
  }
  ratio('article-by-slug', 'uncached', 'pg', 0.7)
  ratio('first-page', 'uncached', 'pg', 0.7)
  ratio('first-page', 'cached', 'static', 0.6)
  ratio('article-by-slug', 'cached', 'static', 0.6)
  ratio('top-stories', 'cached', 'static', 0.6)

  const first = find('first-page', 'uncached')
  const deep = find('deep-page', 'uncached')
  if (first && deep) {
    const share = deep.peak.rps / first.peak.rps
    targets.push({
      name: 'uncached deep-page ≥ first-page / 1.2',
      status: share >= 1 / 1.2 ? 'pass' : 'fail',
      actual: `${share.toFixed(2)}× first-page`,
    })
  }

  // A related box beside an article page: one ranked statement, worth at most two list pages.
  const related = find('related', 'uncached')
  if (first && related) {
    const share = related.peak.rps / first.peak.rps
    targets.push({
      name: 'uncached related ≥ first-page / 2',
      status: share >= 1 / 2 ? 'pass' : 'fail',
      actual: `${share.toFixed(2)}× first-page`,
    })
  }

  const reads = rows.filter((r) => r.pass !== 'baseline' && r.halfRate)
  const slow = reads.filter((r) => (r.halfRate?.latencyMs.p99 ?? 0) >= P99_TARGET_MS)
  const worst = reads.reduce<Row | undefined>(
    (w, r) => (!w || (r.halfRate?.latencyMs.p99 ?? 0) > (w.halfRate?.latencyMs.p99 ?? 0) ? r : w),
    undefined,
  )
  targets.push({
    name: `p99 at half the peak rate < ${P99_TARGET_MS} ms, every read`,
    status: slow.length === 0 ? 'pass' : 'fail',
    actual: worst
      ? `worst ${worst.halfRate?.latencyMs.p99} ms (${worst.scenario}, ${worst.pass})` +
        (slow.length ? `; over: ${slow.map((r) => `${r.scenario} (${r.pass})`).join(', ')}` : '')
      : 'no read runs',
  })

  const failing = rows.filter((r) => r.errors.total > 0)
  targets.push({
    name: 'zero errors',
    status: failing.length === 0 ? 'pass' : 'fail',
    actual: failing.length
      ? failing.map((r) => `${r.scenario} (${r.pass}): ${r.errors.total}`).join(', ')
      : `0 in ${rows.length} scenarios`,
  })

  targets.push(
    maxServerRssMB === null
      ? { name: `API server RSS < ${RSS_TARGET_MB} MB`, status: 'skipped', actual: 'no /proc on this system' }
      : {
          name: `API server RSS < ${RSS_TARGET_MB} MB`,
          status: maxServerRssMB < RSS_TARGET_MB ? 'pass' : 'fail',
          actual: `max ${maxServerRssMB.toFixed(0)} MB`,
        },
  )

  for (const database of ['embedded', 'server'] as const) {
    const timing = startup.find((s) => s.database === database)
    const target = database === 'embedded' ? 2000 : 1000
    const name = `npm start → ready < ${target / 1000} s (${database} database)`
    if (!timing) targets.push({ name, status: 'skipped', actual: 'no server database configured' })
    else {
      targets.push({
        name,
        status: timing.wallMs < target ? 'pass' : 'fail',
        actual: `${timing.wallMs} ms (server-reported startupMs ${timing.startupMs ?? '?'})`,
      })
    }
  }
  return targets
}

const fixed = (n: number | null | undefined, digits = 0) => (n === null || n === undefined ? '—' : n.toFixed(digits))

function table(head: string[], body: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`
  return [line(head), rule, ...body.map(line)].join('\n')
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
    '× static (1)',
    '× pg (2)',
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
    fixed(r.ratioStatic, 2),
    fixed(r.ratioPg, 2),
  ])
  const right = [false, false, true, true, true, true, true, true, true, true]
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
