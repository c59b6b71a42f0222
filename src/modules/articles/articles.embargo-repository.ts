// Whether an article is public at an instant, as SQL: the one condition every public read, count,
// box and event check shares (its TypeScript twin is isPublic in articles.view.ts).
import { Prisma } from '../../generated/prisma/client.js'

export interface PublicSqlOptions {
  /** The caller holds content:embargoed: published articles still under embargo count as public. */
  embargoed?: boolean
}

/**
 * The article of alias `alias` is public at `at` (a timestamptz expression: a parameter, or a
 * sub-select so that a statement plans the same whatever the time): live, published (or scheduled
 * and due), and its embargo, if any, lifted by then.
 */
export function publicArticleSql(alias: string, at: Prisma.Sql, options: PublicSqlOptions = {}): Prisma.Sql {
  const a = Prisma.raw(alias)
  const embargo = options.embargoed
    ? Prisma.empty
    : Prisma.sql`AND (${a}.embargoed_until IS NULL OR ${a}.embargoed_until <= ${at})`
  return Prisma.sql`${a}.deleted_at IS NULL AND ${a}.status IN ('published', 'scheduled') AND ${a}.published_at <= ${at}
    ${embargo}`
}
