// Article writes: the row lock, inserts and versioned updates, deletion, the credit and tag links,
// and the slugs (current and former) a write must check or keep. Each takes the transaction
// client of the service's write, so one change is one transaction.

import type { RawDb } from '../../db/direct.js'
import { claimFirstFree } from '../../db/locks.js'
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { ContributorRole } from '../../generated/prisma/enums.js'
import { type ArticleRecord, allRelations, type RawRecord, toArticleRecord } from './articles.record.js'
import { articleColumnOf, recordColumns } from './articles.record-repository.js'
import { syndicatableSql } from './articles.rights-repository.js'

type ArticleRow = Prisma.ArticleGetPayload<object>
/** Column values a change sets, by field (plain values: the versioned update writes them as SQL). */
export type ArticleChanges = Partial<
  Omit<ArticleRow, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'tagList' | 'creditList' | 'syndicatable'>
>

/**
 * Locks the article's row for the rest of the transaction: changes to one article run one after
 * the other, each judging (If-Match, transitions) the state the previous one left.
 */
export async function lockArticle(tx: Db, id: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM articles WHERE id = ${id}::uuid FOR UPDATE`
}

/**
 * Locks the live article's row and reads its record (every relation) in one statement; null when
 * there is none. `stale`: the lock waited for a change that committed after the statement began,
 * whose relations (read as of its start) may be older than the row: read the record again.
 */
export async function lockAndFindArticle(
  tx: RawDb,
  id: string,
): Promise<{ record: ArticleRecord; stale: boolean } | null> {
  const rows = await tx.$queryRaw<(RawRecord & { seenVersion: number | null })[]>`
    SELECT ${recordColumns(allRelations)}, (SELECT s.version FROM articles s WHERE s.id = a.id) AS "seenVersion"
    FROM articles a WHERE a.id = ${id}::uuid AND a.deleted_at IS NULL FOR UPDATE OF a`
  const row = rows[0]
  if (!row) return null
  const { seenVersion, ...raw } = row
  return { record: toArticleRecord(raw), stale: seenVersion !== raw.version }
}

function setClause(data: ArticleChanges): Prisma.Sql[] {
  return Object.entries(data).flatMap(([field, value]) => {
    if (value === undefined) return []
    const column = articleColumnOf(field)
    if (!column) throw new Error(`No article column for ${field}`)
    const cast = field === 'status' ? Prisma.raw('::article_status') : Prisma.empty
    return [Prisma.sql`${Prisma.raw(column)} = ${value}${cast}`]
  })
}

/**
 * Applies changes to the article if it is still at `version`, bumping it, and answers its record
 * as it is then, with every relation (as findArticle does), in one statement: the stored
 * syndicatable flag follows the rights the change sets and the credits as the transaction left
 * them. Null when a concurrent change won.
 */
export async function updateArticleAt(
  tx: RawDb,
  id: string,
  version: number,
  data: ArticleChanges,
): Promise<ArticleRecord | null> {
  const allow = data.allowSyndication === undefined ? undefined : Prisma.sql`${data.allowSyndication}::boolean`
  const override = data.syndicationOverride === undefined ? undefined : Prisma.sql`${data.syndicationOverride}::text`
  const rows = await tx.$queryRaw<RawRecord[]>`
    UPDATE articles a SET ${Prisma.join(setClause(data), ', ')}, version = a.version + 1, updated_at = ${new Date()},
      syndicatable = ${syndicatableSql(allow, override)}
    WHERE a.id = ${id}::uuid AND a.version = ${version}
    RETURNING ${recordColumns(allRelations)}`
  return rows[0] ? toArticleRecord(rows[0]) : null
}

export async function articleVersion(tx: RawDb, id: string): Promise<number | null> {
  const rows = await tx.$queryRaw<{ version: number }[]>`SELECT version FROM articles WHERE id = ${id}::uuid`
  return rows[0]?.version ?? null
}

/** Marks the live article at `version` deleted; false when it is not (deleted or changed meanwhile). */
export async function markDeleted(
  tx: Db,
  id: string,
  version: number,
  deletedAt: Date,
  keyId: string | null,
): Promise<boolean> {
  const { count } = await tx.article.updateMany({
    where: { id, version, deletedAt: null },
    data: { deletedAt, updatedById: keyId },
  })
  return count > 0
}

/**
 * Kills the live article at `version`: deleted (it leaves every read) and marked killed with the
 * reason and notice; false when it is not (deleted or changed meanwhile).
 */
export async function markKilled(
  tx: Db,
  id: string,
  version: number,
  kill: { at: Date; reason: string; notice: string; keyId: string | null },
): Promise<boolean> {
  const { count } = await tx.article.updateMany({
    where: { id, version, deletedAt: null },
    data: {
      deletedAt: kill.at,
      killedAt: kill.at,
      killReason: kill.reason,
      killNotice: kill.notice,
      updatedById: kill.keyId,
    },
  })
  return count > 0
}

/** True when the article with this id was killed. */
export async function isKilled(db: RawDb, id: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ killed: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM articles WHERE id = ${id}::uuid AND killed_at IS NOT NULL) AS killed`
  return rows[0]?.killed === true
}

export async function replaceCredits(
  tx: RawDb,
  articleId: string,
  credits: { sourceId: string; role: string }[],
): Promise<void> {
  await tx.$executeRaw`DELETE FROM article_credits WHERE article_id = ${articleId}::uuid`
  if (credits.length === 0) return
  await tx.$executeRaw`INSERT INTO article_credits (article_id, source_id, role, position)
    SELECT ${articleId}::uuid, c.id, c.role, c.n - 1
    FROM unnest(${credits.map((c) => c.sourceId)}::uuid[], ${credits.map((c) => c.role)}::text[])
      WITH ORDINALITY AS c(id, role, n)`
}

export async function replaceTags(tx: RawDb, articleId: string, tagIds: string[]): Promise<void> {
  await tx.$executeRaw`DELETE FROM article_tags WHERE article_id = ${articleId}::uuid`
  if (tagIds.length === 0) return
  await tx.$executeRaw`INSERT INTO article_tags (article_id, tag_id) SELECT ${articleId}::uuid, unnest(${tagIds}::uuid[])`
}

/** Which of these source ids still exist. */
export async function existingSourceIds(tx: RawDb, ids: string[]): Promise<Set<string>> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM sources WHERE id = ANY (${ids}::uuid[])`
  return new Set(rows.map((r) => r.id))
}

/** Claims the first of these slugs no concurrent article write holds (see claimFirstFree). */
export function claimSlug(tx: RawDb, candidates: string[]): Promise<string | null> {
  return claimFirstFree(tx, slugLocks, candidates)
}

/** The namespace of the advisory locks of article slugs (see claimFirstFree). */
const slugLocks = 'articles.slug'

/**
 * Claims (as claimSlug) the first of these slugs that no article has or had, in one statement:
 * null when each is taken or held. A slug committed by another write after the statement began is
 * not seen here; the slugs' unique index refuses it then (a clash: the create runs again).
 */
export async function claimUntakenSlug(tx: RawDb, candidates: string[]): Promise<string | null> {
  const rows = await tx.$queryRaw<{ slug: string }[]>`
    SELECT c AS slug FROM unnest(${candidates}::text[]) AS c
    WHERE CASE WHEN EXISTS (SELECT 1 FROM articles WHERE slug = c) OR EXISTS (SELECT 1 FROM article_slugs WHERE slug = c)
      THEN false ELSE pg_try_advisory_xact_lock(hashtext(${slugLocks}), hashtext(c)) END
    LIMIT 1`
  return rows[0]?.slug ?? null
}

/** The slugs among these, or starting with `prefix`, that an article has or had (one round trip). */
export async function takenSlugs(tx: RawDb, slugs: { in: string[] } | { startsWith: string }): Promise<string[]> {
  const match =
    'in' in slugs ? Prisma.sql`slug = ANY (${slugs.in}::text[])` : Prisma.sql`starts_with(slug, ${slugs.startsWith})`
  const rows = await tx.$queryRaw<{ slug: string }[]>`
    SELECT slug FROM articles WHERE ${match} UNION ALL SELECT slug FROM article_slugs WHERE ${match}`
  return rows.map((r) => r.slug)
}

/** The article a former slug still resolves to, if any. */
export async function formerSlugOwner(tx: RawDb, slug: string): Promise<string | null> {
  const rows = await tx.$queryRaw<{ articleId: string }[]>`
    SELECT article_id AS "articleId" FROM article_slugs WHERE slug = ${slug}`
  return rows[0]?.articleId ?? null
}

/** True when another article has this slug now. */
export async function slugInUse(tx: RawDb, slug: string, exceptId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ used: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM articles WHERE slug = ${slug} AND id <> ${exceptId}::uuid) AS used`
  return rows[0]?.used === true
}

/**
 * Moves the article from `from` to `to`: the old slug keeps resolving to it, and `to` stops
 * resolving elsewhere (a former slug of this article, or one the caller made sure is free).
 */
export async function renameSlug(tx: RawDb, articleId: string, from: string, to: string): Promise<void> {
  await tx.$executeRaw`DELETE FROM article_slugs WHERE slug = ${to}`
  await tx.$executeRaw`INSERT INTO article_slugs (slug, article_id) VALUES (${from}, ${articleId}::uuid)
    ON CONFLICT (slug) DO UPDATE SET article_id = EXCLUDED.article_id`
}

export interface IdempotencyRow {
  requestHash: string
  body: Prisma.JsonValue
}

export function findIdempotencyRecord(db: Db, keyId: string, key: string): Promise<IdempotencyRow | null> {
  return db.idempotencyRecord.findUnique({
    where: { keyId_key: { keyId, key } },
    select: { requestHash: true, body: true },
  })
}

/** Claims the key (a concurrent claim of the same key waits for this transaction, then fails). */
export async function claimIdempotencyKey(tx: RawDb, keyId: string, key: string, requestHash: string): Promise<void> {
  await tx.$executeRaw`INSERT INTO idempotency_records (key_id, key, request_hash, status, body)
    VALUES (${keyId}::uuid, ${key}, ${requestHash}, 201, '{}'::jsonb)`
}

export async function storeIdempotentBody(tx: RawDb, keyId: string, key: string, body: unknown): Promise<void> {
  await tx.$executeRaw`UPDATE idempotency_records SET body = ${JSON.stringify(body)}::jsonb
    WHERE key_id = ${keyId}::uuid AND key = ${key}`
}

export async function replaceContributors(
  tx: RawDb,
  articleId: string,
  contributors: { personId: string; role: ContributorRole }[],
): Promise<void> {
  await tx.$executeRaw`DELETE FROM article_contributors WHERE article_id = ${articleId}::uuid`
  if (contributors.length === 0) return
  await tx.$executeRaw`INSERT INTO article_contributors (article_id, person_id, role, position)
    SELECT ${articleId}::uuid, c.id, c.role::contributor_role, c.n - 1
    FROM unnest(${contributors.map((c) => c.personId)}::uuid[], ${contributors.map((c) => c.role)}::text[])
      WITH ORDINALITY AS c(id, role, n)`
}

export async function replaceSections(
  tx: RawDb,
  articleId: string,
  sections: { sectionId: string; primary: boolean }[],
): Promise<void> {
  await tx.$executeRaw`DELETE FROM article_sections WHERE article_id = ${articleId}::uuid`
  if (sections.length === 0) return
  await tx.$executeRaw`INSERT INTO article_sections (article_id, section_id, is_primary, position)
    SELECT ${articleId}::uuid, s.id, s.is_primary, s.n - 1
    FROM unnest(${sections.map((s) => s.sectionId)}::uuid[], ${sections.map((s) => s.primary)}::boolean[])
      WITH ORDINALITY AS s(id, is_primary, n)`
}
