import type { RawDb } from '../../db/direct.js'
import { claimFirstFree } from '../../db/locks.js'
import { type Db, idOrSlugWhere } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { SourceKind } from '../../generated/prisma/enums.js'
import { keysetWhere, type SortSpec } from '../../lib/pagination.js'
import type { Redistribution } from './sources.rights.js'

export type SourceRow = Prisma.SourceGetPayload<object>
export type SourceSortField = 'nameKey' | 'createdAt'

export interface SourceListFilter {
  kind?: SourceKind
  q?: string
  sort: SortSpec<SourceSortField>
  after?: { value: unknown; id: string }
  limit: number
}

// Prisma passes `contains` to LIKE as is: a user's % or _ would otherwise act as a wildcard.
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export function findSource(db: Db, idOrSlug: string): Promise<SourceRow | null> {
  return db.source.findUnique({ where: idOrSlugWhere(idOrSlug) as Prisma.SourceWhereUniqueInput })
}

/** The sources these ids or slugs name, in one query: the id of each by the key that names it. */
export async function findSourceIds(db: RawDb, keys: string[]): Promise<Map<string, string>> {
  const named = keys.map((key) => ({ key, where: idOrSlugWhere(key) }))
  const ids = named.flatMap(({ where }) => ('id' in where ? [where.id] : []))
  const slugs = named.flatMap(({ where }) => ('slug' in where ? [where.slug] : []))
  const rows = await db.$queryRaw<{ id: string; slug: string }[]>`
    SELECT id, slug FROM sources WHERE id = ANY (${ids}::uuid[]) OR slug = ANY (${slugs}::text[])`
  const found = new Map<string, string>()
  for (const { key, where } of named) {
    const row = rows.find((r) => ('id' in where ? r.id === where.id : r.slug === where.slug))
    if (row) found.set(key, row.id)
  }
  return found
}

/** The id of the source with this id or slug, if there is one. */
export async function findSourceId(db: RawDb, idOrSlug: string): Promise<string | null> {
  const where = idOrSlugWhere(idOrSlug)
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM sources WHERE ${'id' in where ? Prisma.sql`id = ${where.id}::uuid` : Prisma.sql`slug = ${where.slug}`}`
  return rows[0]?.id ?? null
}

export function listSources(db: Db, filter: SourceListFilter): Promise<SourceRow[]> {
  const { field, direction } = filter.sort
  const where: Prisma.SourceWhereInput = {
    kind: filter.kind,
    // LIKE '%q%' on the lower-cased name, served by its pg_trgm GIN index.
    nameKey: filter.q ? { contains: escapeLike(filter.q.toLowerCase()) } : undefined,
    ...(filter.after ? keysetWhere(field, direction, filter.after.value, filter.after.id) : {}),
  }
  return db.source.findMany({
    where,
    orderBy: [{ [field]: direction }, { id: direction }],
    take: filter.limit + 1,
  })
}

/** Claims the first of these slugs no concurrent source write holds (see claimFirstFree). */
export function claimSlug(tx: Db, candidates: string[]): Promise<string | null> {
  return claimFirstFree(tx, 'sources.slug', candidates)
}

export async function slugTaken(tx: Db, slug: string): Promise<boolean> {
  return (await tx.source.count({ where: { slug } })) > 0
}

export async function slugsStartingWith(db: Db, base: string): Promise<string[]> {
  const rows = await db.source.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })
  return rows.map((r) => r.slug)
}

export function createSource(db: Db, data: Prisma.SourceUncheckedCreateInput): Promise<SourceRow> {
  return db.source.create({ data })
}

/**
 * Locks the articles crediting the source, then the source, for the rest of the transaction: a
 * change to what their stored credit lists show (written by a trigger with the source) then
 * waits for article writes under way, and no article write credits the source meanwhile.
 */
export async function lockSourceAndArticles(tx: Db, id: string): Promise<void> {
  await tx.$queryRaw`
    SELECT a.id FROM articles a WHERE a.id IN (SELECT article_id FROM article_credits WHERE source_id = ${id}::uuid)
    ORDER BY a.id FOR UPDATE`
  await tx.$queryRaw`SELECT id FROM sources WHERE id = ${id}::uuid FOR UPDATE`
}

export function updateSource(db: Db, id: string, data: Prisma.SourceUncheckedUpdateInput): Promise<SourceRow> {
  return db.source.update({ where: { id }, data })
}

/** How many articles, credits, teasers and people point at the source, in one query (null: no such source). */
export async function sourceReferences(db: Db, id: string) {
  const row = await db.source.findUnique({
    where: { id },
    select: { _count: { select: { articles: true, credits: true, teasers: true, people: true } } },
  })
  return row?._count ?? null
}

export function deleteSource(db: Db, id: string): Promise<SourceRow> {
  return db.source.delete({ where: { id } })
}

/** What the rights of an article need of each of these sources (a pinned revision's credits). */
export async function findCreditRights(db: Db, ids: string[]) {
  const rows = await db.source.findMany({
    where: { id: { in: ids } },
    select: { id: true, slug: true, name: true, redistribution: true, creditLine: true },
  })
  return new Map(
    rows.map(({ id, ...rights }) => [id, { ...rights, redistribution: rights.redistribution as Redistribution }]),
  )
}
