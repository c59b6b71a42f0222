// The background worker each instance runs: a loop of tasks (writing the events of moments that
// fell due, positioning new events, webhook deliveries, retention) woken by change notifications
// and by a poll timer. Tasks coordinate through the database (row claims, locks), never through
// this process, so any number of instances may run one and a crash loses nothing.
import type { FastifyBaseLogger } from 'fastify'

export interface WorkerTask {
  name: string
  /** Does the due work; returns true when there may be more right away (run again without waiting). */
  run(): Promise<boolean | undefined>
}

export interface Worker {
  start(): void
  /** Runs the tasks soon (a change was committed somewhere). */
  kick(): void
  /** Stops the loop and waits for the run in progress. */
  stop(): Promise<void>
}

export interface WorkerOptions {
  pollMs: number
  log: FastifyBaseLogger
  /**
   * Least time between the end of one run and the start of the next when woken by changes: under
   * a stream of writes, one run takes up the changes of many (default 250 ms). Each run costs a
   * few queries on every instance; at 50 ms they took a fifth of the write throughput.
   */
  minGapMs?: number
  /**
   * How long after start() the first run waits unless a change wakes it sooner (default 0). The
   * first run loads the ORM's query compiler and plans every task's statements, ~0.1 s of CPU: run
   * at once, it held up the first requests of a server that had just started listening.
   */
  firstRunDelayMs?: number
}

export function createWorker(tasks: WorkerTask[], options: WorkerOptions): Worker {
  const minGapMs = options.minGapMs ?? 250
  let timer: NodeJS.Timeout | undefined
  let timerAt = Number.POSITIVE_INFINITY
  let running: Promise<void> | null = null
  let again = false
  let stopped = true
  let lastEnd = 0

  const runTasks = async (): Promise<boolean> => {
    let more = false
    for (const task of tasks) {
      try {
        if (await task.run()) more = true
      } catch (err) {
        options.log.warn({ err, task: task.name }, 'background task failed; retried on the next run')
      }
    }
    return more
  }

  /** Runs in `ms` unless a run is already set for sooner. */
  const schedule = (ms: number) => {
    if (stopped) return
    const at = Date.now() + ms
    if (timer && timerAt <= at) return
    clearTimeout(timer)
    timerAt = at
    timer = setTimeout(() => {
      timer = undefined
      timerAt = Number.POSITIVE_INFINITY
      loop()
    }, ms)
    timer.unref()
  }

  const loop = () => {
    if (running) {
      again = true
      return
    }
    again = false
    running = (async () => {
      // A task with more work runs again at once: a backlog is worked off without waiting.
      while (!stopped && (await runTasks())) {}
    })().finally(() => {
      running = null
      lastEnd = Date.now()
      schedule(again ? minGapMs : options.pollMs)
    })
  }

  return {
    start() {
      stopped = false
      schedule(options.firstRunDelayMs ?? 0)
    },
    kick() {
      if (running) again = true
      else schedule(Math.max(0, lastEnd + minGapMs - Date.now()))
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      timer = undefined
      await running
    },
  }
}
