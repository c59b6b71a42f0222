// The stored `syndicatable` flag of articles (alias a), computed in one place: the article's own
// setting, and no credited source forbids redistribution unless an editor overrode it with a
// reason. Every write that can change one of these keeps it: article changes (after their
// credits), a create in its insert (articles.create-repository.ts, from the sources it credits),
// and a source's redistribution change for the articles crediting it. Only the flag
// changes: neither the version nor updatedAt.

import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'

/** The flag of article a, from its own setting and override (columns, or the values a write sets) and its credits. */
export function syndicatableSql(
  allow: Prisma.Sql = Prisma.sql`a.allow_syndication`,
  override: Prisma.Sql = Prisma.sql`a.syndication_override`,
): Prisma.Sql {
  return Prisma.sql`(${allow} AND (${override} IS NOT NULL OR NOT EXISTS (
  SELECT 1 FROM article_credits c JOIN sources s ON s.id = c.source_id
  WHERE c.article_id = a.id AND s.redistribution = 'forbidden')))`
}

const computed = syndicatableSql()

/** Sets the flag of every article crediting the source, in one statement: the ids of those that changed. */
export async function refreshSyndicatableOfSource(tx: Db, sourceId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`UPDATE articles a SET syndicatable = ${computed}
    WHERE a.id IN (SELECT article_id FROM article_credits WHERE source_id = ${sourceId}::uuid)
      AND a.syndicatable <> ${computed}
    RETURNING a.id`
  return rows.map((r) => r.id)
}
