// Every query on sections. A section is named by its id or its path (the slugs from the root
// down): a path is never shaped like an id, since no slug is.
import type { RawDb } from '../../db/direct.js'
import { claimFirstFree } from '../../db/locks.js'
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { uuidPattern } from '../../lib/uuid.js'
import type { SectionRow } from './sections.mapper.js'

/** Where-clause for a section named by id or path. */
function keyWhere(key: string): { id: string } | { path: string } {
  return uuidPattern.test(key) ? { id: key.toLowerCase() } : { path: key }
}

/** The same as SQL, on the alias `s`. */
function keySql(key: string): Prisma.Sql {
  return uuidPattern.test(key) ? Prisma.sql`s.id = ${key.toLowerCase()}::uuid` : Prisma.sql`s.path = ${key}`
}

export function findSection(db: Db, key: string): Promise<SectionRow | null> {
  return db.section.findUnique({ where: keyWhere(key) as Prisma.SectionWhereUniqueInput })
}

/**
 * The ids of the sections these keys (ids or paths) name, in one query: a map from each key that
 * names a section to its id; a key naming none is absent. For the inputs of other records (an
 * article's sections).
 */
export async function findSectionIds(db: Db, keys: string[]): Promise<Map<string, string>> {
  const where = keys.map(keyWhere)
  const ids = where.flatMap((w) => ('id' in w ? [w.id] : []))
  const paths = where.flatMap((w) => ('path' in w ? [w.path] : []))
  const rows = await db.section.findMany({
    where: { OR: [{ id: { in: ids } }, { path: { in: paths } }] },
    select: { id: true, path: true },
  })
  const byKey = new Map(rows.flatMap((r) => [[r.id, r.id] as const, [r.path, r.id] as const]))
  return new Map(
    keys.flatMap((key, i) => {
      const w = where[i] as { id: string } | { path: string }
      const id = byKey.get('id' in w ? w.id : w.path)
      return id ? [[key, id] as const] : []
    }),
  )
}

export interface SectionListFilter {
  /** Only the children of the section with this id or path. */
  parent?: string
  /** The path of the last section of the previous page. */
  after?: string
  limit: number
}

/** By path (unique: the cursor needs no tie-breaker), on its unique index. */
export function listSections(db: Db, filter: SectionListFilter): Promise<SectionRow[]> {
  const parent = filter.parent === undefined ? undefined : keyWhere(filter.parent)
  return db.section.findMany({
    where: {
      ...(parent === undefined ? {} : 'id' in parent ? { parentId: parent.id } : { parent: { is: parent } }),
      ...(filter.after === undefined ? {} : { path: { gt: filter.after } }),
    },
    orderBy: { path: 'asc' },
    take: filter.limit + 1,
  })
}

/** Up to `limit` sections, siblings in their order: the tree is built from them in one query. */
export function sectionsInTreeOrder(db: Db, limit: number): Promise<SectionRow[]> {
  return db.section.findMany({ orderBy: [{ position: 'asc' }, { slug: 'asc' }], take: limit })
}

/** What a write needs of a section it places others under, or moves. */
export interface Placement {
  id: string
  path: string
  depth: number
}

/**
 * The section named by id or path, locked against moves and renames (FOR SHARE) until the
 * transaction ends, as it is once any move under way is committed: its children get its path.
 */
export async function lockParent(tx: Db, key: string): Promise<Placement | null> {
  const [row] = await tx.$queryRaw<Placement[]>`
    SELECT s.id, s.path, s.depth FROM sections s WHERE ${keySql(key)} FOR SHARE`
  return row ?? null
}

/** The slugs of a parent's children (of the roots: parentId null) that start with base. */
export async function childSlugsStartingWith(tx: Db, parentId: string | null, base: string): Promise<string[]> {
  const rows = await tx.section.findMany({ where: { parentId, slug: { startsWith: base } }, select: { slug: true } })
  return rows.map((r) => r.slug)
}

/**
 * Claims the first of these slugs no concurrent write of a child of the same parent (of a root:
 * null) holds (see claimFirstFree): slugs are unique among siblings.
 */
export function claimSlug(tx: Db, parentId: string | null, candidates: string[]): Promise<string | null> {
  return claimFirstFree(tx, `sections.slug:${parentId ?? ''}`, candidates)
}

export async function pathTaken(tx: Db, path: string): Promise<boolean> {
  return (await tx.section.count({ where: { path } })) > 0
}

export function createSection(tx: Db, data: Prisma.SectionUncheckedCreateInput): Promise<SectionRow> {
  return tx.section.create({ data })
}

export function updateSection(tx: Db, id: string, data: Prisma.SectionUncheckedUpdateInput): Promise<SectionRow> {
  return tx.section.update({ where: { id }, data })
}

/** A row a move locked: in the moved subtree, or on the new parent's line of ancestors. */
export interface LockedRow extends Placement {
  slug: string
  parentId: string | null
  inSubtree: boolean
}

/**
 * Locks (FOR UPDATE, in id order) the section `id` with all its descendants and the section
 * `parentId` with all its ancestors, and returns them as they are once locked. Rows found by
 * the statement's snapshot: a caller repeats it until it returns the rows it had locked.
 */
export function lockForMove(tx: Db, id: string, parentId: string | null): Promise<LockedRow[]> {
  return tx.$queryRaw<LockedRow[]>`
    WITH RECURSIVE subtree AS (
      SELECT id FROM sections WHERE id = ${id}::uuid
      UNION
      SELECT c.id FROM sections c JOIN subtree ON c.parent_id = subtree.id
    ), line AS (
      SELECT id, parent_id FROM sections WHERE id = ${parentId}::uuid
      UNION
      SELECT a.id, a.parent_id FROM sections a JOIN line ON a.id = line.parent_id
    )
    SELECT s.id, s.slug, s.path, s.depth, s.parent_id AS "parentId", s.id IN (SELECT id FROM subtree) AS "inSubtree"
    FROM sections s
    WHERE s.id IN (SELECT id FROM subtree) OR s.id IN (SELECT id FROM line)
    ORDER BY s.id
    FOR UPDATE OF s`
}

/**
 * Rewrites the path and depth of these sections (a moved section's descendants) in one
 * statement: the prefix `from` becomes `to`, and each is `levels` deeper (or shallower).
 */
export function rewriteSubtree(
  tx: Db,
  ids: string[],
  change: { from: string; to: string; levels: number; at: Date; by: string | null },
): Promise<number> {
  return tx.$executeRaw`
    UPDATE sections
    SET path = ${change.to} || substr(path, ${change.from.length + 1}),
        depth = depth + ${change.levels},
        updated_at = ${change.at},
        updated_by_id = ${change.by}::uuid
    WHERE id = ANY(${ids}::uuid[])`
}

/**
 * The section (id or path) with how many child sections and live articles (any status) it has, in
 * one query. Deleted articles do not count: no write can reach them, and their links go with the
 * section (unlinkDeletedArticles).
 */
export function sectionReferences(db: Db, key: string) {
  return db.section.findUnique({
    where: keyWhere(key) as Prisma.SectionWhereUniqueInput,
    select: {
      id: true,
      path: true,
      _count: { select: { children: true, articles: { where: { article: { deletedAt: null } } } } },
    },
  })
}

/** Removes the section's links from deleted articles. */
export async function unlinkDeletedArticles(tx: Db, sectionId: string): Promise<void> {
  await tx.articleSection.deleteMany({ where: { sectionId, article: { deletedAt: { not: null } } } })
}

export function deleteSection(tx: Db, id: string): Promise<SectionRow> {
  return tx.section.delete({ where: { id } })
}

/** Which of these sections exist. */
export async function existingSectionIds(db: RawDb, ids: string[]): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ id: string }[]>`SELECT id FROM sections WHERE id = ANY (${ids}::uuid[])`
  return new Set(rows.map((r) => r.id))
}

/** The paths of these sections by id (a section deleted since is absent). */
export async function sectionPaths(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.section.findMany({ where: { id: { in: ids } }, select: { id: true, path: true } })
  return new Map(rows.map((r) => [r.id, r.path]))
}
