// The response cache's store: entries by key in generations, least recently used evicted first
// within a byte budget, and when a generation ends (a content change, or the next instant content
// changes by itself). The plugin that serves and stores answers is in response-cache.ts.

export interface Entry {
  /** UTF-8, outside the V8 heap: kept entries add nothing to garbage collection. */
  body: Buffer
  /** Set on a hit with one reply.headers() call. */
  headers: Record<string, string>
  storedAt: number
  bytes: number
}

export interface ResponseCacheOptions {
  maxBytes: number
  clock: () => Date
  /** The next instant public content changes by itself (null: nothing scheduled). */
  nextScheduledChange: (now: Date) => Promise<Date | null>
}

export interface ResponseCacheStats {
  enabled: boolean
  connected: boolean
  entries: number
  bytes: number
  maxBytes: number
  hits: number
  misses: number
  /** Entries removed to keep within the byte budget. */
  evictions: number
  invalidations: number
}

export class ResponseCache {
  readonly #entries = new Map<string, Entry>()
  readonly #options: ResponseCacheOptions
  #bytes = 0
  #generation = 0
  #connected = false
  /** Until when the current generation holds, once known. */
  #horizon: { generation: number; at: number } | null = null
  #loadingHorizon: Promise<void> | null = null
  #hits = 0
  #misses = 0
  #evictions = 0
  #invalidations = 0

  constructor(options: ResponseCacheOptions) {
    this.#options = options
  }

  get generation(): number {
    return this.#generation
  }

  /** Serving and storing are possible (a budget, and change notifications arriving). */
  get active(): boolean {
    return this.#connected && this.#options.maxBytes > 0
  }

  /** Content changed: every entry goes. */
  invalidate(): void {
    this.#generation++
    this.#invalidations++
    this.#entries.clear()
    this.#bytes = 0
    this.#horizon = null
  }

  /** The change notifications went down or came back: either way, what is stored may be stale. */
  setConnected(connected: boolean): void {
    this.#connected = connected
    this.invalidate()
  }

  /**
   * Readies the current generation: true when it may serve and store. Ends it when its time is
   * up; otherwise learns its end (one query per generation, shared by concurrent requests).
   */
  prepare(): boolean | Promise<boolean> {
    return this.ready() ?? this.#learnHorizon()
  }

  /** prepare() when it can answer at once (nearly always): undefined while the horizon is unknown. */
  ready(): boolean | undefined {
    if (!this.active) return false
    if (this.#horizon?.generation === this.#generation) {
      if (this.#options.clock().getTime() < this.#horizon.at) return true
      this.invalidate()
    }
    return undefined
  }

  async #learnHorizon(): Promise<boolean> {
    const now = this.#options.clock().getTime()
    const generation = this.#generation
    this.#loadingHorizon ??= this.#options
      .nextScheduledChange(new Date(now))
      .then((at) => {
        if (this.#generation === generation) this.#horizon = { generation, at: at?.getTime() ?? Infinity }
      })
      .finally(() => {
        this.#loadingHorizon = null
      })
    await this.#loadingHorizon
    return this.#horizon?.generation === this.#generation && now < this.#horizon.at
  }

  get(key: string): Entry | undefined {
    const entry = this.#entries.get(key)
    if (!entry) {
      this.#misses++
      return undefined
    }
    // Most recently used last: eviction takes from the front.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    this.#hits++
    return entry
  }

  /** Stores an answer read in `generation`, unless content changed since. */
  set(key: string, generation: number, body: Buffer, headers: Record<string, string>): void {
    if (generation !== this.#generation || !this.active) return
    const bytes = body.length + 2 * key.length + 64 * Object.keys(headers).length + 256
    // One answer never takes more than a sixteenth of the budget.
    if (bytes > this.#options.maxBytes / 16) return
    const previous = this.#entries.get(key)
    if (previous) {
      this.#entries.delete(key)
      this.#bytes -= previous.bytes
    }
    this.#entries.set(key, { body, headers, storedAt: this.#options.clock().getTime(), bytes })
    this.#bytes += bytes
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#options.maxBytes) break
      this.#entries.delete(oldest)
      this.#bytes -= entry.bytes
      this.#evictions++
    }
  }

  stats(): ResponseCacheStats {
    return {
      enabled: this.#options.maxBytes > 0,
      connected: this.#connected,
      entries: this.#entries.size,
      bytes: this.#bytes,
      maxBytes: this.#options.maxBytes,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      invalidations: this.#invalidations,
    }
  }

  /** Age in whole seconds of an entry, as the Age header gives it. */
  ageOf(entry: Entry): number {
    return Math.max(0, Math.floor((this.#options.clock().getTime() - entry.storedAt) / 1000))
  }
}
