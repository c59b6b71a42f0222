// When public content changes by itself, with no write: a scheduled article falls due, an
// article's embargo lifts, or a teaser's time window opens or closes. Caches of public reads stay
// valid until that instant.
import type { Db } from './types.js'

/** The first such instant after `now`, or null when nothing is scheduled. */
export async function nextScheduledChange(db: Db, now: Date): Promise<Date | null> {
  // Each part reads the start of an index range (articles) or a small table (teasers).
  const rows = await db.$queryRaw<{ at: Date | null }[]>`
    SELECT least(
      (SELECT min(published_at) FROM articles
        WHERE status IN ('published', 'scheduled') AND published_at > ${now} AND deleted_at IS NULL),
      (SELECT min(embargoed_until) FROM articles
        WHERE embargoed_until > ${now} AND status IN ('published', 'scheduled') AND deleted_at IS NULL),
      (SELECT min(starts_at) FROM teasers WHERE starts_at > ${now}),
      (SELECT min(ends_at) FROM teasers WHERE ends_at > ${now})
    ) AS at`
  return rows[0]?.at ?? null
}
