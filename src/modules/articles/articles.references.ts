// The people and sections an article's input names: by id (`personId`, `sectionId`, as reads
// show them) or by key (`person`: an id, a slug or an embedded person; `section`: an id, a path
// or an embedded section). Every key of one input is looked up in one query; an unknown one is a
// 422 naming where it was given, and two fields of one item naming different records a 400.

import type { Db } from '../../db/types.js'
import { invalidRequest, MissingReferenceError, withProblem } from '../../errors.js'
import { uuidPattern } from '../../lib/uuid.js'
import { findPeopleByKey } from '../people/people.repository.js'
import { findSectionIds } from '../sections/sections.repository.js'

/** A person or section an input names: its id, and its name (people) or key (sections). */
interface ReferencedRecord {
  id: string
  label: string
}

type Key = string | { id: string } | null | undefined

/** One item of the input as pairs of (field, key) naming its record. */
interface Named {
  /** JSON pointer of the item, e.g. "/contributors/0". */
  at: string
  keys: [field: string, key: Key][]
}

const keyOf = (key: Key): string | undefined =>
  key === null || key === undefined ? undefined : typeof key === 'object' ? key.id : key

/** Case-insensitive ids, as the rest of the API takes them. */
const normal = (key: string) => (uuidPattern.test(key) ? key.toLowerCase() : key)

async function resolveAll(
  items: Named[],
  kind: 'person' | 'section',
  lookup: (keys: string[]) => Promise<Map<string, ReferencedRecord>>,
): Promise<ReferencedRecord[]> {
  const unnamed = items.filter((item) => item.keys.every(([, key]) => keyOf(key) === undefined))
  if (unnamed.length > 0) {
    const [idField, keyField] = unnamed[0]?.keys.map(([field]) => field) ?? []
    throw invalidRequest(
      unnamed.map((item) => ({
        in: 'body',
        pointer: `${item.at}/${idField}`,
        message: `${idField} or ${keyField} is required`,
      })),
    )
  }
  const wanted = [...new Set(items.flatMap((item) => item.keys.flatMap(([, key]) => keyOf(key) ?? []).map(normal)))]
  const found = wanted.length ? await lookup(wanted) : new Map<string, ReferencedRecord>()
  return items.map((item) => {
    const named = item.keys.flatMap(([field, key]) => {
      const k = keyOf(key)
      if (k === undefined) return []
      const record = found.get(normal(k))
      const pointer = `${item.at}/${field}`.slice(1)
      if (!record)
        throw withProblem(new MissingReferenceError(`No ${kind} matches "${k}" (${pointer})`), { field: pointer })
      return [{ field, record }]
    })
    const [first, second] = named as [
      { field: string; record: ReferencedRecord },
      { field: string; record: ReferencedRecord }?,
    ]
    if (second && second.record.id !== first.record.id) {
      const message = `${first.field} and ${second.field} name different ${kind === 'person' ? 'people' : 'sections'}: give one, or the same ${kind}`
      throw invalidRequest([
        { in: 'body', pointer: `${item.at}/${first.field}`, message },
        { in: 'body', pointer: `${item.at}/${second.field}`, message },
      ])
    }
    return first.record
  })
}

export interface ContributorInput {
  personId?: string
  person?: string | { id: string }
  role?: string
}

/** The people the contributors name, in order (id and name). */
export function resolveContributors(tx: Db, contributors: ContributorInput[]): Promise<ReferencedRecord[]> {
  const items = contributors.map((c, i) => ({
    at: `/contributors/${i}`,
    keys: [
      ['personId', c.personId],
      ['person', c.person],
    ] as Named['keys'],
  }))
  return resolveAll(items, 'person', async (keys) => {
    const people = await findPeopleByKey(tx, keys)
    return new Map([...people].map(([key, p]) => [key, { id: p.id, label: p.name }]))
  })
}

export interface SectionInput {
  sectionId?: string
  section?: string | { id: string }
  primary?: boolean
}

/** The sections the input names, in order (their ids). */
export function resolveSections(tx: Db, sections: SectionInput[]): Promise<ReferencedRecord[]> {
  const items = sections.map((s, i) => ({
    at: `/sections/${i}`,
    keys: [
      ['sectionId', s.sectionId],
      ['section', s.section],
    ] as Named['keys'],
  }))
  return resolveAll(items, 'section', async (keys) => {
    const ids = await findSectionIds(tx, keys)
    return new Map([...ids].map(([key, id]) => [key, { id, label: key }]))
  })
}
