// Fixed-window request counts in this instance's memory, as @fastify/rate-limit's LocalStore
// counts them (a window starts with a client's first request and lasts windowMs; at most 5,000
// clients are remembered), without allocating per request: a client's entry is updated in place,
// and the answer is written into one object that the caller reads before the next count.
// Counting is synchronous, so that object is never shared by two requests at once.

export interface Count {
  /** Requests in the current window, this one included. */
  current: number
  /** Milliseconds until the window ends. */
  ttl: number
}

interface Window {
  current: number
  startedAt: number
}

export class WindowCounter {
  readonly #windows = new Map<string, Window>()
  readonly #count: Count = { current: 0, ttl: 0 }

  constructor(readonly maxClients = 5000) {}

  /** Counts one request of `client` at `now` (ms). The object returned is reused by the next call. */
  hit(client: string, now: number, windowMs: number): Readonly<Count> {
    const window = this.#windows.get(client)
    if (window && window.startedAt + windowMs > now) {
      window.current++
      this.#count.current = window.current
      this.#count.ttl = windowMs - (now - window.startedAt)
      return this.#count
    }
    if (window) {
      window.current = 1
      window.startedAt = now
      // To the end of the order eviction follows: the windows that end first go first.
      this.#windows.delete(client)
      this.#windows.set(client, window)
    } else {
      this.#windows.set(client, { current: 1, startedAt: now })
      if (this.#windows.size > this.maxClients) {
        const oldest = this.#windows.keys().next().value
        if (oldest !== undefined) this.#windows.delete(oldest)
      }
    }
    this.#count.current = 1
    this.#count.ttl = windowMs
    return this.#count
  }
}

/** A duration as the 429 problem words it ("1 minute", "30 seconds"), as @lukeed/ms formats it. */
export function describeDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  const [amount, unit] =
    ms < 60_000
      ? [ms / 1000, 'second']
      : ms < 3_600_000
        ? [ms / 60_000, 'minute']
        : ms < 86_400_000
          ? [ms / 3_600_000, 'hour']
          : [ms / 86_400_000, 'day']
  const n = Number.isInteger(amount) ? amount : Math.floor(amount + 0.5)
  return `${n} ${unit}${n !== 1 ? 's' : ''}`
}
