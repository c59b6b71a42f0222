// The targets a run is judged by, each pass, fail or skipped, from the rows (with their ratios to
// the baselines), the statement times and the start-up timings.
import type { ScenarioResult } from './load.js'
import type { StartupTiming } from './startup.js'
import type { StatementReport } from './statements.js'

export interface Row extends ScenarioResult {
  /** rps / baseline-static rps (the same bytes, no middleware). */
  ratioStatic: number | null
  /** rps / baseline-stack rps (the same bytes through the API's middleware). */
  ratioStack: number | null
  /** rps / the rps of the baseline-pg run answering the same query. */
  ratioPg: number | null
  /** rps / baseline-write rps (writes). */
  ratioWrite: number | null
}

export interface Target {
  name: string
  status: 'pass' | 'fail' | 'skipped'
  actual: string
}

const P99_TARGET_MS = 25
const RSS_TARGET_MB = 250

/**
 * Edits (write-patch req/s) per baseline-write create (req/s), measured on the code of commit
 * 4cdf7c3 (the API as it was when this target was set), 20,000-article database, 10 connections,
 * on a shared and busy 2-core machine: three interleaved pairs of 8 s runs (the same two servers,
 * one after the other) gave 0.28 (44/156), 0.30 (59/197) and 0.32 (51/160); two full runs 0.40
 * (49/121) and 0.19 (30/153). 0.30 is their median. The target is twice that: edits at twice
 * today's rate, relative to the same floor (the issue's "2× 208/s").
 */
export const TODAY_PATCH_PER_WRITE = 0.3
export const PATCH_TARGET = 2 * TODAY_PATCH_PER_WRITE

type Pass = ScenarioResult['pass']

function ratioTarget(rows: Row[], scenario: string, pass: Pass, against: keyof Row, baseline: string, min: number) {
  const row = rows.find((r) => r.scenario === scenario && r.pass === pass)
  const value = row?.[against] as number | null | undefined
  const name = `${pass} ${scenario} ≥ ${+min.toFixed(2)}× ${baseline}`
  if (value === null || value === undefined) return { name, status: 'skipped', actual: `no ${baseline} run` } as Target
  return { name, status: value >= min ? 'pass' : 'fail', actual: `${value.toFixed(2)}×` } as Target
}

function tailTarget(rows: Row[]): Target {
  const reads = rows.filter((r) => (r.pass === 'uncached' || r.pass === 'cached') && r.halfRate)
  const p99 = (r: Row) => r.halfRate?.latencyMs.p99 ?? 0
  const slow = reads.filter((r) => p99(r) > P99_TARGET_MS)
  const worst = reads.reduce<Row | undefined>((w, r) => (!w || p99(r) > p99(w) ? r : w), undefined)
  return {
    name: `p99 at half the peak rate ≤ ${P99_TARGET_MS} ms, every read`,
    status: slow.length === 0 ? 'pass' : 'fail',
    actual: worst
      ? `worst ${p99(worst)} ms (${worst.scenario}, ${worst.pass})` +
        (slow.length ? `; over: ${slow.map((r) => `${r.scenario} (${r.pass})`).join(', ')}` : '')
      : 'no read runs',
  }
}

function rssTarget(rows: Row[], passes: Pass[], label: string, skipped: string | null): Target {
  const name = `API server RSS ≤ ${RSS_TARGET_MB} MB (${label})`
  if (skipped) return { name, status: 'skipped', actual: skipped }
  const known = rows.filter((r) => passes.includes(r.pass) && r.maxRssMB !== null)
  if (known.length === 0) return { name, status: 'skipped', actual: 'no RSS read (no /proc on this system?)' }
  const worst = known.reduce((w, r) => ((r.maxRssMB ?? 0) > (w.maxRssMB ?? 0) ? r : w))
  const max = worst.maxRssMB ?? 0
  return {
    name,
    status: max <= RSS_TARGET_MB ? 'pass' : 'fail',
    actual: `max ${max.toFixed(0)} MB (${worst.scenario}, ${worst.pass})`,
  }
}

function statementTarget(statements: StatementReport | null): Target {
  const name = 'first-page list statement ≤ 1.5× baseline-pg’s statement time'
  const first = statements?.timings.find((t) => t.read === 'first-page')
  if (!first?.baselineMs) return { name, status: 'skipped', actual: 'no statement times (a server database only)' }
  const share = first.mainMs / first.baselineMs
  return {
    name,
    status: share <= 1.5 ? 'pass' : 'fail',
    actual: `${share.toFixed(2)}× (${first.mainMs.toFixed(2)} ms vs ${first.baselineMs.toFixed(2)} ms)`,
  }
}

function startupTargets(startup: StartupTiming[]): Target[] {
  return (['embedded', 'server'] as const).map((database) => {
    const timing = startup.find((s) => s.database === database)
    const target = database === 'embedded' ? 1500 : 1000
    const name = `npm start → ready ≤ ${target / 1000} s (${database === 'embedded' ? 'existing embedded' : 'server'} database)`
    if (!timing) return { name, status: 'skipped', actual: 'no server database configured' }
    return {
      name,
      status: timing.wallMs <= target ? 'pass' : 'fail',
      actual: `${timing.wallMs} ms (server-reported startupMs ${timing.startupMs ?? '?'})`,
    }
  })
}

export function evaluateTargets(
  rows: Row[],
  startup: StartupTiming[],
  statements: StatementReport | null,
  serverDatabase: boolean,
): Target[] {
  const targets: Target[] = []
  for (const scenario of ['first-page', 'article-by-slug', 'top-stories']) {
    targets.push(ratioTarget(rows, scenario, 'cached', 'ratioStack', 'baseline-stack', 0.9))
    targets.push(ratioTarget(rows, scenario, 'cached', 'ratioStatic', 'baseline-static', 0.5))
  }
  targets.push(ratioTarget(rows, 'article-by-slug', 'uncached', 'ratioPg', 'baseline-pg-slug', 0.7))
  targets.push(ratioTarget(rows, 'first-page', 'uncached', 'ratioPg', 'baseline-pg-first-page', 0.6))
  targets.push(statementTarget(statements))

  const first = rows.find((r) => r.scenario === 'first-page' && r.pass === 'uncached')
  const deep = rows.find((r) => r.scenario === 'deep-page' && r.pass === 'uncached')
  if (first && deep) {
    const share = deep.peak.rps / first.peak.rps
    targets.push({
      name: 'uncached deep-page ≥ first-page / 1.2',
      status: share >= 1 / 1.2 ? 'pass' : 'fail',
      actual: `${share.toFixed(2)}× first-page`,
    })
  }
  targets.push(tailTarget(rows))
  targets.push(ratioTarget(rows, 'write-create', 'uncached', 'ratioWrite', 'baseline-write', 0.5))
  targets.push(ratioTarget(rows, 'write-patch', 'uncached', 'ratioWrite', 'baseline-write', PATCH_TARGET))

  const failing = rows.filter((r) => r.errors.total > 0)
  targets.push({
    name: 'zero errors',
    status: failing.length === 0 ? 'pass' : 'fail',
    actual: failing.length
      ? failing.map((r) => `${r.scenario} (${r.pass}): ${r.errors.total}`).join(', ')
      : `0 in ${rows.length} scenarios`,
  })
  targets.push(
    rssTarget(
      rows,
      ['uncached', 'cached'],
      'server database, every scenario',
      serverDatabase ? null : 'no server database configured',
    ),
  )
  targets.push(rssTarget(rows, ['embedded'], 'existing embedded database, first page and slug reads', null))
  targets.push(...startupTargets(startup))
  return targets
}

/** The rows with their ratios to the baselines measured in the same run. */
export function withRatios(results: ScenarioResult[]): Row[] {
  const rpsOf = (name: string) => results.find((r) => r.scenario === name && r.pass === 'baseline')?.peak.rps
  const ratio = (r: ScenarioResult, baseline: string | undefined) => {
    const rps = baseline ? rpsOf(baseline) : undefined
    return rps ? r.peak.rps / rps : null
  }
  const pgFor = (r: ScenarioResult) =>
    r.pass === 'baseline'
      ? undefined
      : r.scenario === 'article-by-slug'
        ? 'baseline-pg-slug'
        : r.scenario === 'first-page' || r.scenario === 'deep-page'
          ? 'baseline-pg-first-page'
          : undefined
  const read = (r: ScenarioResult, baseline: string) => (r.kind === 'read' ? ratio(r, baseline) : null)
  return results.map((r) => ({
    ...r,
    ratioStatic: read(r, 'baseline-static'),
    ratioStack: read(r, 'baseline-stack'),
    ratioPg: ratio(r, pgFor(r)),
    ratioWrite: r.kind === 'write' && r.pass !== 'baseline' ? ratio(r, 'baseline-write') : null,
  }))
}
