// Article slugs: generated from the headline so that concurrent writers never clash, and checked
// when a caller chooses one.

import type { RawDb } from '../../db/direct.js'
import { UniqueViolationError, withProblem } from '../../errors.js'
import { allocateSlug, slugCandidate, slugify } from '../../lib/slug.js'
import { uuidPattern } from '../../lib/uuid.js'
import * as writes from './articles.write-repository.js'

const maxLength = 200

/** Slugs that are paths under /v1/articles: an article with one could not be read by its slug. */
const reservedSlugs = ['deletions']

/**
 * The taken slugs of base, base-2, … base-50, asked by exact slugs (unique index lookups): a
 * prefix search (LIKE 'base%') cannot use the index under a locale collation and read every
 * article (~30 ms at 100,000). Only when all fifty are taken does it search by prefix.
 */
async function takenNear(tx: RawDb, base: string): Promise<string[]> {
  const near = Array.from({ length: 50 }, (_, i) => slugCandidate(base, i + 1, maxLength))
  const taken = await writes.takenSlugs(tx, { in: near })
  return new Set(taken).size < near.length ? taken : writes.takenSlugs(tx, { startsWith: base })
}

/**
 * A slug for a new article from its headline: the first free of base, base-2, … (see allocateSlug).
 * Usually one statement reads which of the first fifty are taken and claims the first free one;
 * when none is, allocateSlug looks further.
 */
export async function generateSlug(tx: RawDb, headline: string): Promise<string> {
  const base = slugify(headline, maxLength) || 'article'
  const near = Array.from({ length: 50 }, (_, i) => slugCandidate(base, i + 1, maxLength)).filter(
    (slug) => !reservedSlugs.includes(slug) && !uuidPattern.test(slug),
  )
  const claimed = await writes.claimUntakenSlug(tx, near)
  if (claimed !== null) return claimed
  return allocateSlug(
    base,
    {
      taken: (base) => takenNear(tx, base),
      claim: (candidates) => writes.claimSlug(tx, candidates),
      isTaken: async (slug) => (await writes.takenSlugs(tx, { in: [slug] })).length > 0,
    },
    { maxLength, reserved: reservedSlugs },
  )
}

/** A slug the caller chose: 409 when reserved or when it still resolves to another article. */
export async function assertSlugFree(tx: RawDb, slug: string, articleId?: string): Promise<void> {
  const owner = reservedSlugs.includes(slug) ? null : await writes.formerSlugOwner(tx, slug)
  if (reservedSlugs.includes(slug) || (owner && owner !== articleId)) {
    throw withProblem(new UniqueViolationError('slug'), { field: 'slug' })
  }
}
