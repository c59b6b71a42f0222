// Failed authentications cost a database lookup each and were never rate limited (the rate
// limiter runs after authentication, keyed by the key). Two guards, both per instance and in
// bounded memory:
// - each client IP has a budget of failed authentications per window; past it, requests that
//   carry credentials get a 429 until the window ends, without any lookup;
// - a token that just failed is remembered (by its SHA-256) for a short while, so repeating it
//   costs no lookup (not an expired key: extending its expiry makes it valid again).
// A valid key adds to neither, but while its IP is over the budget it is refused too: telling it
// apart from the failures would take the lookup the budget exists to save.
import { createHash } from 'node:crypto'
import { BoundedMap } from '../lib/bounded-map.js'

/** Token hashes remembered as invalid; a flood of distinct tokens evicts the oldest. */
const negativeCacheEntries = 5000
const negativeCacheTtlMs = 30_000
/** Client IPs whose failures are counted at once; past it the oldest count is dropped. */
const trackedClients = 10_000

export interface FailureBudget {
  max: number
  windowMs: number
}

export function createAuthFailureGuard({ max, windowMs }: FailureBudget, clock: () => Date) {
  const failures = new BoundedMap<{ count: number; resetAt: number }>(trackedClients)
  const invalidTokens = new BoundedMap<string>(negativeCacheEntries)
  const hash = (token: string) => createHash('sha256').update(token).digest('hex')

  return {
    /** Seconds until this IP may try again, when it has used up its failures; otherwise 0. */
    blockedFor(ip: string): number {
      const now = clock().getTime()
      const window = failures.get(ip, now)
      return window && window.count >= max ? Math.ceil((window.resetAt - now) / 1000) : 0
    },

    /** Why this token failed a moment ago, if it did. */
    knownInvalid(token: string): string | undefined {
      return invalidTokens.get(hash(token), clock().getTime())
    },

    /** Counts a failed authentication against the client IP. */
    recordFailure(ip: string): void {
      const now = clock().getTime()
      const window = failures.get(ip, now) ?? { count: 0, resetAt: now + windowMs }
      failures.set(ip, { count: window.count + 1, resetAt: window.resetAt }, window.resetAt)
    },

    /** Remembers, briefly, that this token failed and why. */
    rememberInvalid(token: string, reason: string): void {
      invalidTokens.set(hash(token), reason, clock().getTime() + negativeCacheTtlMs)
    },
  }
}
