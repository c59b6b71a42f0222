import slugifyText from '@sindresorhus/slugify'
import { uuidPattern } from './uuid.js'

/** URL-safe slug from a human name; transliterates non-Latin scripts ("Армения" → "armeniya"). */
export function slugify(text: string, maxLength = 100): string {
  return slugifyText(text, { decamelize: false }).slice(0, maxLength).replace(/-+$/, '')
}

/** The n-th candidate for a slug: base itself for n = 1, then base-2, base-3, … within maxLength. */
export function slugCandidate(base: string, n: number, maxLength = 100): string {
  if (n <= 1) return base
  const suffix = `-${n}`
  return `${base.slice(0, maxLength - suffix.length).replace(/-+$/, '')}${suffix}`
}

/**
 * Runs a create again (at most five times) when the slug it generated was taken meanwhile by a
 * writer that does not take turns with it (a slug chosen by its caller, a rename). A slug the
 * caller chose (`chosen`) is never changed for them: its clash is thrown at once.
 */
export async function retryGeneratedSlug<T>(
  chosen: string | undefined,
  isSlugClash: (err: unknown) => boolean,
  run: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (err) {
      if (chosen !== undefined || attempt >= 5 || !isSlugClash(err)) throw err
    }
  }
}

/** Where a generated slug is allocated: the database of one write, inside its transaction. */
export interface SlugClaims {
  /** Slugs that are taken among those starting with base (it may read only those near base). */
  taken(base: string): Promise<Iterable<string>>
  /**
   * Claims, until the write's transaction ends, the first of these slugs that no concurrent
   * writer has claimed; null when every one is claimed.
   */
  claim(candidates: string[]): Promise<string | null>
  /** True when the slug is taken (by a write committed since `taken` read). */
  isTaken(slug: string): Promise<boolean>
}

const batch = 50

/**
 * The first free of base, base-2, base-3, … for a new record, never one of `reserved` nor one
 * shaped like an id (a path segment that looks like an id is read as one). Concurrent writers
 * get distinct slugs without waiting on each other: each claims the first candidate nobody else
 * claimed (a writer that waited instead held its pooled connection meanwhile: 50 creates of one
 * headline exhausted a pool of 5 and failed after two seconds), then checks it is still free.
 */
export async function allocateSlug(
  base: string,
  claims: SlugClaims,
  { maxLength, reserved = [] }: { maxLength: number; reserved?: string[] },
): Promise<string> {
  const excluded = new Set(await claims.taken(base))
  for (const slug of reserved) excluded.add(slug)
  for (;;) {
    const candidates: string[] = []
    for (let n = 1; candidates.length < batch; n++) {
      const candidate = slugCandidate(base, n, maxLength)
      if (!excluded.has(candidate) && !uuidPattern.test(candidate)) candidates.push(candidate)
    }
    const claimed = await claims.claim(candidates)
    if (claimed !== null && !(await claims.isTaken(claimed))) return claimed
    for (const slug of claimed === null ? candidates : [claimed]) excluded.add(slug)
  }
}
