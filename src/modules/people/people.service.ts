import type { PrismaClient } from '../../db/database.js'
import { isSlugClash } from '../../db/errors.js'
import type { Db } from '../../db/types.js'
import {
  ConflictError,
  MissingReferenceError,
  NotFoundError,
  type ProblemExtensions,
  withProblem,
} from '../../errors.js'
import { namedListPage, type Page } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import type { PublicUrlTemplates } from '../../lib/public-urls.js'
import { allocateSlug, retryGeneratedSlug, slugify } from '../../lib/slug.js'
import { renderBodyHtml } from '../articles/articles.body.js'
import { recordAudit } from '../audit/audit.repository.js'
import { vocabularyEvent } from '../changes/changes.events.js'
import { recordEvents } from '../changes/changes.writer.js'
import { mediaExists } from '../media/media.embeds-repository.js'
import { nameKey, resolveNamedSource } from '../sources/sources.service.js'
import { type PersonRow, toPerson } from './people.mapper.js'
import * as repo from './people.repository.js'
import type { Person, PersonCreate, PersonListQuery, PersonUpdate } from './people.schemas.js'

/** What a caller may see of a person: the email address is for write scopes only. */
export interface PersonView {
  withEmail: boolean
}

/**
 * The bio's columns for a write: the Markdown and its sanitised HTML, rendered as article bodies
 * are (and refused with the same 422 when outside the rendering budgets, naming /bio).
 */
function bioColumns(bio: string | null | undefined): { bio?: string | null; bioHtml?: string | null } {
  if (bio === undefined) return {}
  if (bio === null) return { bio: null, bioHtml: null }
  try {
    return { bio, bioHtml: renderBodyHtml(bio) }
  } catch (err) {
    // The budgets name the field of an article's body (/body); here the bio is at fault.
    for (const field of (err as ProblemExtensions).problem?.errors ?? []) field.pointer = '/bio'
    throw err
  }
}

/** The media record `image` names (undefined: not given; null: cleared); a 422 naming image when none has the id. */
async function resolveImage(db: Db, image: PersonUpdate['image']): Promise<string | null | undefined> {
  if (image === undefined || image === null) return image
  const id = (typeof image === 'string' ? image : image.mediaId).toLowerCase()
  if (!(await mediaExists(db, id))) {
    throw withProblem(new MissingReferenceError(`No media matches "${id}" (image)`), { field: 'image' })
  }
  return id
}

/** The source the input names by `affiliationId` or `affiliation` (undefined: neither given; null: cleared). */
function resolveAffiliation(db: Db, input: PersonUpdate): Promise<string | null | undefined> {
  return resolveNamedSource(db, { id: input.affiliationId, key: input.affiliation }, ['/affiliationId', '/affiliation'])
}

/**
 * The columns a write sets from its input, made before its transaction opens: the bio rendered,
 * the affiliation resolved (a 422 naming the field when no source matches).
 */
async function columnsOf(db: Db, input: PersonUpdate) {
  const { affiliation: _named, affiliationId: _id, bio, image, ...fields } = input
  const rendered = bioColumns(bio)
  const affiliationId = await resolveAffiliation(db, input)
  const imageMediaId = await resolveImage(db, image)
  return {
    ...fields,
    ...rendered,
    ...(affiliationId === undefined ? {} : { affiliationId }),
    ...(imageMediaId === undefined ? {} : { imageMediaId }),
    ...(input.name === undefined ? {} : { nameKey: nameKey(input.name) }),
  }
}

/** The fields a write changes, by the names reads show them. */
function changedFields(input: PersonUpdate): string[] {
  const given = Object.keys(input).filter((k) => input[k as keyof PersonUpdate] !== undefined)
  return [...new Set(given.map((k) => (k === 'affiliation' ? 'affiliationId' : k)))]
}

/** A slug for a new person from their name: the first free of base, base-2, … (see allocateSlug). */
function generateSlug(tx: Db, name: string): Promise<string> {
  return allocateSlug(
    slugify(name) || 'person',
    {
      taken: (base) => repo.slugsStartingWith(tx, base),
      claim: (candidates) => repo.claimSlug(tx, candidates),
      isTaken: (slug) => repo.slugTaken(tx, slug),
    },
    { maxLength: 100 },
  )
}

/** The event and audit entry of a change, written in the change's transaction. */
async function recordChange(
  tx: Db,
  change: { action: 'create' | 'update' | 'delete'; row: PersonRow; fields: string[]; now: Date },
  actor: Actor,
): Promise<void> {
  const { action, row, fields, now } = change
  await recordAudit(tx, actor, { action, resourceType: 'person', resourceId: row.id })
  const surrogateKeys = [`person:${row.id}`, 'people']
  const event = vocabularyEvent(`person.${action}d`, row, { fields, at: now, surrogateKeys })
  await recordEvents(tx, [event], { actor, now })
}

export interface PeopleServiceOptions {
  clock: () => Date
  /** MEDIA_PUBLIC_URL: the base of rendition URLs (undefined: the API's own /media path). */
  mediaBase?: string
  /** PUBLIC_PERSON_URL (in `person`): the template of a person's `url`. */
  urls?: PublicUrlTemplates
}

export function createPeopleService(db: PrismaClient, { clock, mediaBase, urls }: PeopleServiceOptions) {
  const notFound = (id: string) => (err: { code?: string }) => {
    if (err.code === 'P2025') throw new NotFoundError('person', id)
    throw err
  }

  return {
    async get(idOrSlug: string, view: PersonView): Promise<Person> {
      const row = await repo.findPerson(db, idOrSlug)
      if (!row) throw new NotFoundError('person', idOrSlug)
      return toPerson(row, { ...view, mediaBase, urls })
    },

    async list(query: PersonListQuery, view: PersonView): Promise<Page<Person>> {
      const page = await namedListPage(query, (position) =>
        repo.listPeople(db, {
          q: query.q,
          affiliation: query.affiliation,
          limit: query.limit,
          ...position,
        }),
      )
      return { data: page.data.map((r) => toPerson(r, { ...view, mediaBase, urls })), page: page.page }
    },

    /** Creates a person; the answer goes to a write scope, so it shows the email address. */
    async create(input: PersonCreate, actor: Actor): Promise<Person> {
      const columns = await columnsOf(db, input)
      const row = await retryGeneratedSlug(input.slug, isSlugClash, () =>
        db.$transaction(async (tx) => {
          const created = await repo.createPerson(tx, {
            ...columns,
            name: input.name,
            nameKey: nameKey(input.name),
            slug: input.slug ?? (await generateSlug(tx, input.name)),
            createdById: actor.keyId,
            updatedById: actor.keyId,
          })
          await recordChange(tx, { action: 'create', row: created, fields: changedFields(input), now: clock() }, actor)
          return created
        }),
      )
      return toPerson(row, { withEmail: true, mediaBase, urls })
    },

    async update(id: string, input: PersonUpdate, actor: Actor): Promise<Person> {
      const data = { ...(await columnsOf(db, input)), updatedById: actor.keyId }
      const row = await db
        .$transaction(async (tx) => {
          const updated = await repo.updatePerson(tx, id, data)
          await recordChange(tx, { action: 'update', row: updated, fields: changedFields(input), now: clock() }, actor)
          return updated
        })
        .catch(notFound(id))
      return toPerson(row, { withEmail: true, mediaBase, urls })
    },

    async remove(id: string, actor: Actor): Promise<void> {
      const refs = await repo.personReferences(db, id)
      if (!refs) throw new NotFoundError('person', id)
      if (refs.articles > 0) {
        throw withProblem(
          new ConflictError(
            `The person is still credited on ${refs.articles} article(s); remove them from those articles first`,
          ),
          { references: refs },
        )
      }
      await db
        .$transaction(async (tx) => {
          await repo.unlinkDeletedArticles(tx, id)
          const deleted = await repo.deletePerson(tx, id)
          await recordChange(tx, { action: 'delete', row: deleted, fields: [], now: clock() }, actor)
        })
        .catch(notFound(id))
    },
  }
}

export type PeopleService = ReturnType<typeof createPeopleService>
