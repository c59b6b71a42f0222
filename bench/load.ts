// Drives one scenario against one server with autocannon, in this process: a warm-up that is not
// recorded, the measured run at full speed, then (reads) a run at half the measured rate for the
// tail latency a server with headroom gives. The server's RSS is sampled throughout.
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { request } from './http.js'
import { cpuSeconds, type RssSampler } from './processes.js'
import type { Scenario, ScenarioKind, Workload } from './scenarios.js'

export type PassName = 'uncached' | 'cached' | 'baseline' | 'embedded'

export interface LoadSettings {
  warmup: number
  duration: number
  connections: number
  /** The longest wait after a run for the requests it abandoned (5 s; smoke: 0.5 s). */
  drainCapMs: number
}

/**
 * Writes warm up at least this long: a new server's first create took 0.7 s (then 60–200 ms), so a
 * short warm-up could leave it inside the measured run, and a 1 s smoke run could end before any
 * create was answered.
 */
const minWriteWarmupS = 2

export interface ErrorCounts {
  /** Responses with another status than the scenario expects. */
  status: number
  /** Connection errors other than timeouts. */
  socket: number
  timeouts: number
  total: number
}

export interface RunStats {
  rps: number
  requests: number
  seconds: number
  latencyMs: { p50: number; p90: number; p99: number; max: number }
  statusCodes: Record<string, number>
  errors: ErrorCounts
  /** The server process's CPU time (user + system) during the run per request completed; null without /proc. */
  cpuMsPerReq: number | null
}

export interface ScenarioResult {
  scenario: string
  pass: PassName
  kind: ScenarioKind
  request: string
  expectStatus: number
  peak: RunStats
  /** The fixed-rate run (reads): its target rate and what it measured. */
  halfRate?: RunStats & { targetRps: number }
  /** Every run of the scenario, warm-up included. */
  errors: ErrorCounts
  maxRssMB: number | null
}

function cannon(origin: string, requests: autocannon.Request[], seconds: number, connections: number, rate?: number) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: origin,
        connections,
        duration: seconds,
        requests,
        // Runs end at the first sample tick after `duration`: fine ticks end short runs on time.
        sampleInt: 100,
        // With a rate, autocannon would otherwise add made-up samples for "missed" requests, using
        // 1 ms (not the rate's interval) as the expected gap: the percentiles would be invented.
        ...(rate ? { overallRate: rate, ignoreCoordinatedOmission: true, skipAggregateResult: true } : {}),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    )
  })
}

// Merges the raw results of several instances (run with skipAggregateResult); not in the typings.
const aggregate = (autocannon as unknown as { aggregateResult(results: unknown[], opts: object): autocannon.Result })
  .aggregateResult

/**
 * `rate` requests per second over `connections` connections. autocannon paces a connection in
 * one-second buckets — it sends its share of a second back to back, then waits for the next second —
 * so connections of one instance all fire at the start of each second, and the server would be
 * measured saturated half of every second. One single-connection instance per connection, started
 * 1/n s apart, spreads those bursts over the second.
 */
async function fixedRate(origin: string, workload: Workload, seconds: number, connections: number, rate: number) {
  const n = Math.max(1, Math.min(connections, rate))
  const results = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      await sleep((i * 1000) / n)
      const share = Math.floor(rate / n) + (i < rate % n ? 1 : 0)
      return cannon(origin, await workload.requests(), seconds, 1, share)
    }),
  )
  return aggregate(results, { url: origin, connections: n })
}

function statsOf(result: autocannon.Result, expectStatus: number, cpuS: number | null): RunStats {
  const statusCodes: Record<string, number> = {}
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count ?? 0
  const unexpected = Object.entries(statusCodes)
    .filter(([code]) => Number(code) !== expectStatus)
    .reduce((sum, [, count]) => sum + count, 0)
  // autocannon counts a timeout as an error too.
  const socket = result.errors - result.timeouts
  return {
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    requests: result.requests.total,
    seconds: result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    statusCodes,
    errors: { status: unexpected, socket, timeouts: result.timeouts, total: unexpected + result.errors },
    cpuMsPerReq: cpuS !== null && result.requests.total > 0 ? (cpuS * 1000) / result.requests.total : null,
  }
}

function addErrors(a: ErrorCounts, b: ErrorCounts): ErrorCounts {
  return {
    status: a.status + b.status,
    socket: a.socket + b.socket,
    timeouts: a.timeouts + b.timeouts,
    total: a.total + b.total,
  }
}

/** A server under load, as the runs see it. */
export interface LoadTarget {
  origin: string
  /** The server's process, whose CPU time is read around each run. */
  pid: number
  rss: RssSampler
  /** A request that waits behind the server's database work (it queries the database). */
  drainPath: string
}

/**
 * autocannon abandons the requests in flight when a run ends, and the server still serves them:
 * the next run starts once they are done — after a request that queues behind them has been
 * answered, and as long again as the slowest response seen.
 */
async function drain(server: LoadTarget, stats: RunStats, capMs: number): Promise<void> {
  await request(`${server.origin}${server.drainPath}`, { timeoutMs: 60_000 }).catch(() => undefined)
  await sleep(Math.min(capMs, stats.latencyMs.max))
}

export async function runScenario(
  scenario: Scenario,
  pass: PassName,
  server: LoadTarget,
  settings: LoadSettings,
  log: (message: string) => void,
): Promise<ScenarioResult> {
  server.rss.mark()
  const workload: Workload = await scenario.prepare(server.origin)
  const run = async (seconds: number, rate?: number) => {
    const requests = rate ? undefined : await workload.requests()
    const cpuBefore = cpuSeconds(server.pid)
    const result = requests
      ? await cannon(server.origin, requests, seconds, settings.connections)
      : await fixedRate(server.origin, workload, seconds, settings.connections, rate as number)
    const cpuAfter = cpuSeconds(server.pid)
    const cpuS = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null
    const stats = statsOf(result, scenario.expectStatus, cpuS)
    await drain(server, stats, settings.drainCapMs)
    return stats
  }
  const warmup = await run(scenario.kind === 'write' ? Math.max(settings.warmup, minWriteWarmupS) : settings.warmup)
  const peak = await run(settings.duration)
  let errors = addErrors(warmup.errors, peak.errors)
  let halfRate: ScenarioResult['halfRate']
  if (scenario.kind === 'read') {
    const targetRps = Math.max(1, Math.round(peak.rps / 2))
    halfRate = { ...(await run(settings.duration, targetRps)), targetRps }
    errors = addErrors(errors, halfRate.errors)
  }
  const result: ScenarioResult = {
    scenario: scenario.name,
    pass,
    kind: scenario.kind,
    request: workload.label,
    expectStatus: scenario.expectStatus,
    peak,
    halfRate,
    errors,
    maxRssMB: server.rss.mark(),
  }
  log(
    `${scenario.name} (${pass}): ${peak.rps.toFixed(0)} req/s, p50 ${peak.latencyMs.p50} ms, p99 ${peak.latencyMs.p99} ms` +
      (peak.cpuMsPerReq !== null ? `, ${peak.cpuMsPerReq.toFixed(2)} CPU ms/req` : '') +
      (halfRate ? `, p99 at ${halfRate.targetRps} req/s ${halfRate.latencyMs.p99} ms` : '') +
      `, errors ${errors.total}` +
      (errors.total > 0 ? ` ${JSON.stringify({ ...peak.statusCodes })}` : ''),
  )
  return result
}
