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
export type ArticleInsert = Prisma.ArticleUncheckedCreateInput

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
  tx: Db,
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

export async function insertArticle(tx: Db, data: ArticleInsert): Promise<string> {
  const created = await tx.article.create({ data, select: { id: true } })
  return created.id
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
  tx: Db,
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

export async function articleVersion(tx: Db, id: string): Promise<number | null> {
  const row = await tx.article.findUnique({ where: { id }, select: { version: true } })
  return row?.version ?? null
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
export async function isKilled(db: Db, id: string): Promise<boolean> {
  return (await db.article.count({ where: { id, killedAt: { not: null } } })) > 0
}

export async function replaceCredits(
  tx: Db,
  articleId: string,
  credits: { sourceId: string; role: string }[],
): Promise<void> {
  await tx.articleCredit.deleteMany({ where: { articleId } })
  await tx.articleCredit.createMany({
    data: credits.map((c, position) => ({ articleId, sourceId: c.sourceId, role: c.role, position })),
  })
}

export async function replaceTags(tx: Db, articleId: string, tagIds: string[]): Promise<void> {
  await tx.articleTag.deleteMany({ where: { articleId } })
  await tx.articleTag.createMany({ data: tagIds.map((tagId) => ({ articleId, tagId })) })
}

/** Which of these source ids still exist. */
export async function existingSourceIds(tx: Db, ids: string[]): Promise<Set<string>> {
  const rows = await tx.source.findMany({ where: { id: { in: ids } }, select: { id: true } })
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
export async function slugInUse(tx: Db, slug: string, exceptId: string): Promise<boolean> {
  return (await tx.article.count({ where: { slug, NOT: { id: exceptId } } })) > 0
}

/**
 * Moves the article from `from` to `to`: the old slug keeps resolving to it, and `to` stops
 * resolving elsewhere (a former slug of this article, or one the caller made sure is free).
 */
export async function renameSlug(tx: Db, articleId: string, from: string, to: string): Promise<void> {
  await tx.articleSlug.deleteMany({ where: { slug: to } })
  await tx.articleSlug.upsert({
    where: { slug: from },
    create: { slug: from, articleId },
    update: { articleId },
  })
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
  tx: Db,
  articleId: string,
  contributors: { personId: string; role: ContributorRole }[],
): Promise<void> {
  await tx.articleContributor.deleteMany({ where: { articleId } })
  await tx.articleContributor.createMany({
    data: contributors.map((c, position) => ({ articleId, personId: c.personId, role: c.role, position })),
  })
}

export async function replaceSections(
  tx: Db,
  articleId: string,
  sections: { sectionId: string; primary: boolean }[],
): Promise<void> {
  await tx.articleSection.deleteMany({ where: { articleId } })
  await tx.articleSection.createMany({
    data: sections.map((s, position) => ({ articleId, sectionId: s.sectionId, primary: s.primary, position })),
  })
}
