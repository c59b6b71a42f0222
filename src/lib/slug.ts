import slugifyText from '@sindresorhus/slugify'

/** URL-safe slug from a human name; transliterates non-Latin scripts ("Армения" → "armeniya"). */
export function slugify(text: string, maxLength = 100): string {
  const slug = slugifyText(text, { decamelize: false }).slice(0, maxLength).replace(/-+$/, '')
  return slug
}

/**
 * The first of base, base-2, base-3, … (from base-<from> when given) that is not taken. `taken`
 * holds the existing slugs that start with base (one query by the caller, not one per candidate).
 */
export function firstFreeSlug(base: string, taken: Iterable<string>, maxLength = 100, from = 1): string {
  const used = new Set(taken)
  if (from <= 1 && !used.has(base)) return base
  for (let n = Math.max(2, from); ; n++) {
    const suffix = `-${n}`
    const candidate = `${base.slice(0, maxLength - suffix.length).replace(/-+$/, '')}${suffix}`
    if (!used.has(candidate)) return candidate
  }
}
