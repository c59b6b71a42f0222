// npm run bench -- --smoke: the benchmark's every code path at tiny sizes. The runner runs from the
// sources through tsx, and so starts every server from the sources: the test exercises the current
// code, not whatever dist/ was last built from. On a PostgreSQL server (TEST_DATABASE_URL, database
// <name>) it uses a <name>_bench_smoke database there, so that test runs on other databases of the
// same server do not share it, and runs baseline (2), baseline-write and the statement times too;
// otherwise embedded PGlite.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import tap, { test } from 'tap'
import type { Report } from '../bench/report.js'
import { serverUrl, withDatabase } from './db-url.js'

const root = fileURLToPath(new URL('..', import.meta.url))

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    // SIGINT lets the runner stop its servers and remove its writes before it exits.
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

// Thirty-odd scenarios of a few seconds each, three passes, five baselines, the statement times, a
// new embedded database and the start-up timings: six minutes on a busy 2-core machine.
tap.setTimeout(660_000)

const reads = [
  'first-page',
  'deep-page',
  'article-by-slug',
  'top-stories',
  'search-common',
  'search-rare',
  'section-front',
  'filtered',
  'related',
  'revalidate-304',
  'sitemap-index',
  'sitemap-month',
]
const writes = ['write-create', 'write-patch', 'media-upload']
const cached = ['first-page', 'article-by-slug', 'top-stories', 'rendition-hit', 'sitemap-index', 'sitemap-month']

test('npm run bench -- --smoke measures every scenario and every baseline', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'newsdesk-bench-test-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME }
  if (serverUrl) {
    const name = new URL(serverUrl).pathname.slice(1) || 'newsdesk'
    env.BENCH_DATABASE_URL = withDatabase(serverUrl, `${name}_bench_smoke`)
  }

  const { code, stdout, stderr } = await run(['--smoke', '--out', out], env, 630_000)
  t.equal(code, 0, 'the runner exits 0', { stderr: stderr.slice(-3000) })
  if (code !== 0) return

  const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as Report
  const row = (scenario: string, pass: string) => report.rows.find((r) => r.scenario === scenario && r.pass === pass)
  for (const [names, pass] of [
    [[...reads, ...writes], 'uncached'],
    [cached, 'cached'],
  ] as const) {
    for (const name of names) {
      const r = row(name, pass)
      t.ok(r && r.peak.rps > 0, `${name} (${pass}) was measured`)
      if (r && r.kind === 'read') {
        t.equal(r.errors.total, 0, `${name} (${pass}): no errors`, { statusCodes: r.peak.statusCodes })
        t.ok(r.halfRate && r.halfRate.requests > 0, `${name} (${pass}) has a fixed-rate run`)
      }
    }
  }
  t.ok((row('baseline-static', 'baseline')?.peak.rps ?? 0) > 0, 'baseline (1) static')
  t.ok((row('baseline-stack', 'baseline')?.peak.rps ?? 0) > 0, 'baseline-stack')
  for (const name of ['baseline-pg-slug', 'baseline-pg-first-page', 'baseline-write']) {
    if (serverUrl) t.ok((row(name, 'baseline')?.peak.rps ?? 0) > 0, `baseline ${name}`)
    else t.notOk(row(name, 'baseline'), `${name} is skipped on embedded PGlite`)
  }
  if (serverUrl) {
    t.same(report.baselineChecks, { firstPageSameArticles: true, articleSameFields: true })
    t.equal(row('baseline-write', 'baseline')?.errors.total, 0, 'baseline-write: no errors')
    const first = report.statements?.timings.find((s) => s.read === 'first-page')
    t.ok(first && first.statements > 0 && first.mainMs > 0 && (first.baselineMs ?? 0) > 0, 'statement times')
  } else t.equal(report.statements, null, 'statement times are skipped on embedded PGlite')
  for (const name of ['first-page', 'article-by-slug']) {
    const r = row(name, 'embedded')
    t.ok(r && r.peak.rps > 0 && r.errors.total === 0, `${name} on an embedded database`)
  }
  t.ok(
    report.rows.every((r) => r.peak.cpuMsPerReq === null || r.peak.cpuMsPerReq > 0),
    'CPU per request where /proc has it',
  )
  t.ok(
    report.startup.some((s) => s.database === 'embedded' && s.wallMs > 0),
    'start-up timed on embedded PGlite',
  )
  t.ok(report.targets.length > 0, 'targets evaluated')
  t.ok(
    report.notes.some((note) => note.includes('from the sources')),
    'the servers ran from the sources, not from dist/',
  )

  t.match(stdout, /^\| scenario +\| pass +\| req\/s/m, 'prints the Markdown table')
  t.match(await readFile(join(out, 'latest.md'), 'utf8'), /\| first-page +\| uncached /)
})
