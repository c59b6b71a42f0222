// A map with a size bound and an expiry per entry, for per-client and per-token counters that
// an attacker must not be able to grow without limit: past the bound, the least recently
// written entry goes first.
export class BoundedMap<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>()

  constructor(readonly maxEntries: number) {}

  /** The value, unless it is missing or expired at `now` (ms). */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= now) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: string, value: V, expiresAt: number): void {
    // Deleting first moves the key to the end of the insertion order, which eviction follows.
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt })
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }

  delete(key: string): void {
    this.#entries.delete(key)
  }

  get size(): number {
    return this.#entries.size
  }
}
