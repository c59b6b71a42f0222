import type { RawDb } from '../../db/direct.js'
import { claimFirstFree } from '../../db/locks.js'
import { type Db, idOrSlugWhere } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere, type SortSpec } from '../../lib/pagination.js'
import { uuidPattern } from '../../lib/uuid.js'
import { mediaEmbedSelect } from '../media/media.embeds-repository.js'
import { escapeLike } from '../sources/sources.repository.js'
import type { PersonRecord } from './people.mapper.js'

/** Every read of a person's record brings their picture's media record (one statement for a page). */
const withImage = { imageMedia: { select: mediaEmbedSelect } } satisfies Prisma.PersonInclude

export type PersonSortField = 'nameKey' | 'createdAt'

export interface PersonListFilter {
  q?: string
  /** A source's id or slug. */
  affiliation?: string
  sort: SortSpec<PersonSortField>
  after?: { value: unknown; id: string }
  limit: number
}

export function findPerson(db: Db, idOrSlug: string): Promise<PersonRecord | null> {
  return db.person.findUnique({ where: idOrSlugWhere(idOrSlug) as Prisma.PersonWhereUniqueInput, include: withImage })
}

/** People of a source named by id or slug: by the column for an id, through the source for a slug. */
function affiliationWhere(key: string): Prisma.PersonWhereInput {
  const where = idOrSlugWhere(key)
  return 'id' in where ? { affiliationId: where.id } : { affiliation: { slug: where.slug } }
}

export function listPeople(db: Db, filter: PersonListFilter): Promise<PersonRecord[]> {
  const { field, direction } = filter.sort
  const where: Prisma.PersonWhereInput = {
    ...(filter.affiliation ? affiliationWhere(filter.affiliation) : {}),
    // LIKE '%q%' on the lower-cased name, served by its pg_trgm GIN index (as for sources).
    nameKey: filter.q ? { contains: escapeLike(filter.q.toLowerCase()) } : undefined,
    ...(filter.after ? keysetWhere(field, direction, filter.after.value, filter.after.id) : {}),
  }
  return db.person.findMany({
    where,
    orderBy: [{ [field]: direction }, { id: direction }],
    take: filter.limit + 1,
    include: withImage,
  })
}

/** Claims the first of these slugs no concurrent person write holds (see claimFirstFree). */
export function claimSlug(tx: Db, candidates: string[]): Promise<string | null> {
  return claimFirstFree(tx, 'people.slug', candidates)
}

export async function slugTaken(tx: Db, slug: string): Promise<boolean> {
  return (await tx.person.count({ where: { slug } })) > 0
}

export async function slugsStartingWith(db: Db, base: string): Promise<string[]> {
  const rows = await db.person.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })
  return rows.map((r) => r.slug)
}

export function createPerson(db: Db, data: Prisma.PersonUncheckedCreateInput): Promise<PersonRecord> {
  return db.person.create({ data, include: withImage })
}

export function updatePerson(db: Db, id: string, data: Prisma.PersonUncheckedUpdateInput): Promise<PersonRecord> {
  return db.person.update({ where: { id }, data, include: withImage })
}

/**
 * How many live articles credit the person (null: no such person). Deleted ones do not count: no
 * write can reach them any more, and their credits go with the person (unlinkDeletedArticles).
 */
export async function personReferences(db: Db, id: string): Promise<{ articles: number } | null> {
  const person = await db.person.findUnique({ where: { id }, select: { id: true } })
  if (!person) return null
  const articles = await db.article.count({ where: { deletedAt: null, contributors: { some: { personId: id } } } })
  return { articles }
}

/** Removes the person's credits on deleted articles (tombstones keep their revisions). */
export async function unlinkDeletedArticles(tx: Db, personId: string): Promise<void> {
  await tx.articleContributor.deleteMany({ where: { personId, article: { deletedAt: { not: null } } } })
}

export function deletePerson(db: Db, id: string): Promise<PersonRecord> {
  return db.person.delete({ where: { id }, include: withImage })
}

/** A person another record's input names: its id and name. */
export interface NamedPerson {
  id: string
  name: string
}

/**
 * The people with these ids or slugs, by each key (lower-cased when an id) that found one, in one
 * round trip on the primary key and the slug's unique index.
 */
export async function findPeopleByKey(db: Db, keys: string[]): Promise<Map<string, NamedPerson>> {
  const ids = keys.filter((k) => uuidPattern.test(k)).map((k) => k.toLowerCase())
  const rows = await db.person.findMany({
    where: { OR: [{ id: { in: ids } }, { slug: { in: keys.filter((k) => !uuidPattern.test(k)) } }] },
    select: { id: true, slug: true, name: true },
  })
  return new Map(rows.flatMap((r) => [[r.id, r] as const, [r.slug, r] as const]))
}

/** Which of these people exist. */
export async function existingPersonIds(db: RawDb, ids: string[]): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ id: string }[]>`SELECT id FROM people WHERE id = ANY (${ids}::uuid[])`
  return new Set(rows.map((r) => r.id))
}
