// Every query of correction notes: appending one in the write's transaction, and the site-wide
// list (newest first) of the notes on articles a caller may see.
import type { RawDb } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { uuidv7 } from '../../lib/uuid.js'
import { publicArticleSql } from '../articles/articles.embargo-repository.js'
import type { CorrectionKind } from './corrections.schemas.js'

export interface NewCorrection {
  articleId: string
  kind: CorrectionKind
  text: string
  at: Date
  version: number
}

export async function insertCorrection(tx: RawDb, c: NewCorrection): Promise<void> {
  await tx.$executeRaw`INSERT INTO article_corrections (id, article_id, kind, text, at, version)
    VALUES (${uuidv7(c.at.getTime())}::uuid, ${c.articleId}::uuid, ${c.kind}::correction_kind, ${c.text}, ${c.at}, ${c.version})`
}

export interface CorrectionRow {
  id: string
  kind: CorrectionKind
  text: string
  at: Date
  version: number
  articleId: string
  slug: string
  headline: string
  updatedAt: Date
}

export interface CorrectionFilter {
  /** Public readers: only articles public at this time; null: every live article (preview). */
  publicAt: Date | null
  article?: { id: string } | { slug: string }
  kind?: CorrectionKind
  since?: Date
  /** The keyset position after which to read (newest first). */
  after?: { at: Date; id: string }
  limit: number
}

function conditions(f: CorrectionFilter): Prisma.Sql[] {
  const where = [
    f.publicAt ? publicArticleSql('a', Prisma.sql`${f.publicAt}::timestamptz`) : Prisma.sql`a.deleted_at IS NULL`,
  ]
  if (f.article && 'id' in f.article) where.push(Prisma.sql`k.article_id = ${f.article.id}::uuid`)
  if (f.article && 'slug' in f.article) {
    // A former slug names the article too, as it does for a single read.
    where.push(Prisma.sql`(a.slug = ${f.article.slug}
      OR a.id = (SELECT s.article_id FROM article_slugs s WHERE s.slug = ${f.article.slug}))`)
  }
  if (f.kind) where.push(Prisma.sql`k.kind = ${f.kind}::correction_kind`)
  if (f.since) where.push(Prisma.sql`k.at >= ${f.since}`)
  // The bound on `at` alone is redundant, and lets the planner range-scan the index (see keysetWhere).
  if (f.after) where.push(Prisma.sql`k.at <= ${f.after.at} AND (k.at, k.id) < (${f.after.at}, ${f.after.id}::uuid)`)
  return where
}

/** Notes newest first (`limit + 1` rows, for toPage), walking the (at desc, id desc) index. */
export function listCorrections(db: Db, f: CorrectionFilter): Promise<CorrectionRow[]> {
  return db.$queryRaw<CorrectionRow[]>`
    SELECT k.id, k.kind::text AS kind, k.text, k.at, k.version, a.id AS "articleId", a.slug, a.headline,
      a.updated_at AS "updatedAt"
    FROM article_corrections k JOIN articles a ON a.id = k.article_id
    WHERE ${Prisma.join(conditions(f), ' AND ')}
    ORDER BY k.at DESC, k.id DESC LIMIT ${f.limit + 1}`
}
