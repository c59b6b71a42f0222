// At most `limit` tasks at once, the others waiting in order, and at most `maxWaiting` of them:
// past that a task is refused at once (tooBusy()), so a flood of work cannot queue without end.
export function createLimiter(limit: number, maxWaiting: number, tooBusy: () => Error) {
  let running = 0
  const waiting: (() => void)[] = []
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= limit) {
      if (waiting.length >= maxWaiting) throw tooBusy()
      await new Promise<void>((resolve) => waiting.push(resolve))
    } else running++
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else running--
    }
  }
}
