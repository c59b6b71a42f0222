// The background worker each instance runs: a loop of tasks (writing the events of moments that
// fell due, webhook deliveries, retention) woken by change notifications and by a poll timer.
// Tasks coordinate through the database (row claims, locks), never through this process, so any
// number of instances may run one and a crash loses nothing.
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
  /** Runs every task once now (after the run in progress): for tests and shutdown-free callers. */
  runOnce(): Promise<void>
}

export function createWorker(tasks: WorkerTask[], options: { pollMs: number; log: FastifyBaseLogger }): Worker {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | null = null
  let again = false
  let stopped = true

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

  const schedule = (ms: number) => {
    clearTimeout(timer)
    if (stopped) return
    timer = setTimeout(() => void loop(), ms)
    timer.unref()
  }

  const loop = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      let more = true
      while (more && !stopped) {
        again = false
        more = (await runTasks()) || again
      }
    })().finally(() => {
      running = null
      schedule(options.pollMs)
    })
    return running
  }

  return {
    start() {
      stopped = false
      schedule(0)
    },
    kick() {
      if (!stopped) void loop()
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
    async runOnce() {
      await running
      await runTasks()
    },
  }
}
