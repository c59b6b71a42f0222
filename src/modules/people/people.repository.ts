import { claimFirstFree } from '../../db/locks.js'
import { type Db, idOrSlugWhere } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere, type SortSpec } from '../../lib/pagination.js'
import { escapeLike } from '../sources/sources.repository.js'
import type { PersonRow } from './people.mapper.js'

export type PersonSortField = 'nameKey' | 'createdAt'

export interface PersonListFilter {
  q?: string
  /** A source's id or slug. */
  affiliation?: string
  sort: SortSpec<PersonSortField>
  after?: { value: unknown; id: string }
  limit: number
}

export function findPerson(db: Db, idOrSlug: string): Promise<PersonRow | null> {
  return db.person.findUnique({ where: idOrSlugWhere(idOrSlug) as Prisma.PersonWhereUniqueInput })
}

/** People of a source named by id or slug: by the column for an id, through the source for a slug. */
function affiliationWhere(key: string): Prisma.PersonWhereInput {
  const where = idOrSlugWhere(key)
  return 'id' in where ? { affiliationId: where.id } : { affiliation: { slug: where.slug } }
}

export function listPeople(db: Db, filter: PersonListFilter): Promise<PersonRow[]> {
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

export function createPerson(db: Db, data: Prisma.PersonUncheckedCreateInput): Promise<PersonRow> {
  return db.person.create({ data })
}

export function updatePerson(db: Db, id: string, data: Prisma.PersonUncheckedUpdateInput): Promise<PersonRow> {
  return db.person.update({ where: { id }, data })
}

/**
 * How many articles credit the person (null: no such person). Deleted articles count too: they
 * remain as tombstones with their contributors, whose foreign key still holds the person.
 */
export async function personReferences(db: Db, id: string): Promise<{ articles: number } | null> {
  const [person, articles] = await Promise.all([
    db.person.findUnique({ where: { id }, select: { id: true } }),
    db.article.count({ where: { contributors: { some: { personId: id } } } }),
  ])
  return person ? { articles } : null
}

export function deletePerson(db: Db, id: string): Promise<PersonRow> {
  return db.person.delete({ where: { id } })
}
