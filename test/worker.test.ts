// The background worker's loop: the first run waits firstRunDelayMs after start() (a server that
// has just started listening serves its first requests first), unless a change wakes it sooner.
import { setTimeout as sleep } from 'node:timers/promises'
import pino from 'pino'
import { type Test, test } from 'tap'
import { createWorker } from '../src/worker.js'

const log = pino({ level: 'silent' })

/** A worker whose one task records when it ran; stopped when the test ends. */
function countingWorker(t: Test, firstRunDelayMs?: number) {
  const runs: number[] = []
  const task = { name: 'count', run: async () => void runs.push(Date.now()) }
  const worker = createWorker([task], { pollMs: 60_000, log, firstRunDelayMs })
  t.teardown(() => worker.stop())
  return { runs, worker }
}

/** Waits (5 s at most) until the task has run once. */
async function firstRun(runs: number[]): Promise<void> {
  const deadline = Date.now() + 5000
  while (runs.length === 0 && Date.now() < deadline) await sleep(5)
}

test('the first run waits for firstRunDelayMs after start', async (t) => {
  const { runs, worker } = countingWorker(t, 1000)
  const started = Date.now()
  worker.start()
  await sleep(200)
  t.equal(runs.length, 0, 'not at once')
  await firstRun(runs)
  t.equal(runs.length, 1, 'then once')
  t.ok((runs[0] as number) - started >= 990, `after the delay (${(runs[0] as number) - started} ms)`)
})

test('a change wakes the worker before the delay ends', async (t) => {
  const { runs, worker } = countingWorker(t, 30_000)
  worker.start()
  await sleep(50)
  t.equal(runs.length, 0)
  worker.kick()
  await firstRun(runs)
  t.equal(runs.length, 1, 'woken by the change')
})

test('without firstRunDelayMs the first run is at once', async (t) => {
  const { runs, worker } = countingWorker(t)
  worker.start()
  await firstRun(runs)
  t.equal(runs.length, 1)
})

test('a kick before start does not run the tasks', async (t) => {
  const { runs, worker } = countingWorker(t, 30_000)
  worker.kick()
  await sleep(100)
  t.equal(runs.length, 0)
})

test('stopped before the delay ends, the worker never runs', async (t) => {
  const { runs, worker } = countingWorker(t, 300)
  worker.start()
  await worker.stop()
  await sleep(500)
  t.equal(runs.length, 0)
})
