import type { PrismaClient } from '../../db/database.js'
import type { RawDb } from '../../db/direct.js'
import { isSlugClash } from '../../db/errors.js'
import type { Db } from '../../db/types.js'
import { ConflictError, invalidRequest, MissingReferenceError, NotFoundError, withProblem } from '../../errors.js'
import { namedListPage, type Page } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import { allocateSlug, retryGeneratedSlug, slugify } from '../../lib/slug.js'
import { refreshSyndicatableOfSource } from '../articles/articles.rights-repository.js'
import { recordAudit } from '../audit/audit.repository.js'
import { sourceEvent } from '../changes/changes.events.js'
import { recordEvents } from '../changes/changes.writer.js'
import * as repo from './sources.repository.js'
import { checkCreditLine, type Redistribution } from './sources.rights.js'
import type { Source, SourceCreate, SourceListQuery, SourceReference, SourceUpdate } from './sources.schemas.js'

export function nameKey(name: string): string {
  return name.toLowerCase()
}

/** Source ids by the keys (ids or slugs) naming them, read beforehand for several references at once. */
export type KnownSources = Map<string, string>

/**
 * The sources a record's references name, in one query (findSourceIds): pass it to
 * resolveSourceReference for each reference. Only keys that name a source are in it.
 */
export function findSources(db: RawDb, references: { sourceId?: string | null; source?: SourceReference | null }[]) {
  const keys = references.flatMap((r) => [r.sourceId, typeof r.source === 'object' ? r.source?.id : r.source])
  const named = [...new Set(keys.filter((key): key is string => !!key))]
  return named.length > 0 ? repo.findSourceIds(db, named) : Promise.resolve<KnownSources>(new Map())
}

/** A source named by id or slug in another record's input (field: where it was named): 422 if none. */
export async function resolveSourceId(db: RawDb, key: string, field: string, known?: KnownSources): Promise<string> {
  const id = known?.get(key) ?? (await repo.findSourceId(db, key))
  if (!id) throw withProblem(new MissingReferenceError(`No source matches "${key}" (${field})`), { field })
  return id
}

/**
 * The source another record's input names, by `sourceId` (as reads show it) or `source` (an id, a
 * slug or an embedded source) under `at` (a JSON pointer prefix such as "/credits/0"): undefined
 * when it names none, null when it clears it. Both may be given if they name the same source;
 * otherwise a 400.
 */
export function resolveSourceReference(
  db: RawDb,
  input: { sourceId?: string | null; source?: SourceReference | null },
  at = '',
  known?: KnownSources,
): Promise<string | null | undefined> {
  return resolveNamedSource(db, { id: input.sourceId, key: input.source }, [`${at}/sourceId`, `${at}/source`], known)
}

/**
 * The same for fields of other names (a person's `affiliationId` and `affiliation`): `id` names
 * the source by id, `key` by id, slug or embedded source; `pointers` are theirs, in that order.
 */
export async function resolveNamedSource(
  db: RawDb,
  named: { id?: string | null; key?: SourceReference | null },
  pointers: [id: string, key: string],
  known?: KnownSources,
): Promise<string | null | undefined> {
  const resolve = (key: string | null | undefined, pointer: string) =>
    key ? resolveSourceId(db, key, pointer.slice(1), known) : Promise.resolve(key)
  const byId = await resolve(named.id, pointers[0])
  const { key } = named
  const byKey = await resolve(typeof key === 'object' && key !== null ? key.id : key, pointers[1])
  if (byId !== undefined && byKey !== undefined && byId !== byKey) {
    const [idName, keyName] = pointers.map((p) => p.slice(p.lastIndexOf('/') + 1))
    const message = `${idName} and ${keyName} name different sources: give one, or the same source`
    throw invalidRequest(pointers.map((pointer) => ({ in: 'body' as const, pointer, message })))
  }
  return byId !== undefined ? byId : byKey
}

export function toSource(row: repo.SourceRow): Source {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    kind: row.kind,
    homepageUrl: row.homepageUrl,
    description: row.description,
    redistribution: row.redistribution as Redistribution,
    creditLine: row.creditLine,
    createdBy: row.createdById,
    updatedBy: row.updatedById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export function createSourcesService(db: PrismaClient, { clock }: { clock: () => Date }) {
  /** A slug for a new source from its name: the first free of base, base-2, … (see allocateSlug). */
  function generateSlug(tx: Db, name: string): Promise<string> {
    return allocateSlug(
      slugify(name) || 'source',
      {
        taken: (base) => repo.slugsStartingWith(tx, base),
        claim: (candidates) => repo.claimSlug(tx, candidates),
        isTaken: (slug) => repo.slugTaken(tx, slug),
      },
      { maxLength: 100 },
    )
  }

  return {
    async get(idOrSlug: string): Promise<Source> {
      const row = await repo.findSource(db, idOrSlug)
      if (!row) throw new NotFoundError('source', idOrSlug)
      return toSource(row)
    },

    async list(query: SourceListQuery): Promise<Page<Source>> {
      const page = await namedListPage(query, (position) =>
        repo.listSources(db, {
          kind: query.kind,
          q: query.q,
          limit: query.limit,
          ...position,
        }),
      )
      return { data: page.data.map(toSource), page: page.page }
    },

    async create(input: SourceCreate, actor: Actor): Promise<Source> {
      checkCreditLine(input.creditLine)
      const row = await retryGeneratedSlug(input.slug, isSlugClash, () =>
        db.$transaction(async (tx) => {
          const created = await repo.createSource(tx, {
            ...input,
            slug: input.slug ?? (await generateSlug(tx, input.name)),
            nameKey: nameKey(input.name),
            createdById: actor.keyId,
            updatedById: actor.keyId,
          })
          await recordAudit(tx, actor, { action: 'create', resourceType: 'source', resourceId: created.id })
          await recordEvents(tx, [sourceEvent('source.created', created, Object.keys(input), clock())], {
            actor,
            now: clock(),
          })
          return created
        }),
      )
      return toSource(row)
    },

    async update(id: string, input: SourceUpdate, actor: Actor): Promise<Source> {
      checkCreditLine(input.creditLine)
      const data = {
        ...input,
        ...(input.name === undefined ? {} : { nameKey: nameKey(input.name) }),
        updatedById: actor.keyId,
      }
      const row = await db
        .$transaction(async (tx) => {
          const shown = [input.slug, input.name, input.redistribution, input.creditLine].some((v) => v !== undefined)
          if (shown) await repo.lockSourceAndArticles(tx, id)
          const updated = await repo.updateSource(tx, id, data)
          await recordAudit(tx, actor, { action: 'update', resourceType: 'source', resourceId: id })
          const changed = Object.keys(input).filter((k) => input[k as keyof SourceUpdate] !== undefined)
          const event = sourceEvent('source.updated', updated, changed, clock())
          // The articles crediting the source may become syndicatable or stop being so: their
          // responses carry source:<id>; the lists filtered by syndicatable carry articles.
          if (input.redistribution !== undefined && (await refreshSyndicatableOfSource(tx, updated.id)).length > 0) {
            event.surrogateKeys.push('articles')
          }
          await recordEvents(tx, [event], { actor, now: clock() })
          return updated
        })
        .catch((err: { code?: string }) => {
          if (err.code === 'P2025') throw new NotFoundError('source', id)
          throw err
        })
      return toSource(row)
    },

    async remove(id: string, actor: Actor): Promise<void> {
      const refs = await repo.sourceReferences(db, id)
      if (!refs) throw new NotFoundError('source', id)
      if (refs.articles + refs.credits + refs.teasers + refs.people > 0) {
        throw withProblem(
          new ConflictError(
            `The source is still referenced by ${refs.articles} article(s), ${refs.credits} wire credit(s), ${refs.teasers} teaser(s) and ${refs.people} affiliated people; reassign or delete them first`,
          ),
          { references: refs },
        )
      }
      await db
        .$transaction(async (tx) => {
          const deleted = await repo.deleteSource(tx, id)
          await recordAudit(tx, actor, { action: 'delete', resourceType: 'source', resourceId: id })
          await recordEvents(tx, [sourceEvent('source.deleted', deleted, [], clock())], { actor, now: clock() })
        })
        .catch((err: { code?: string }) => {
          if (err.code === 'P2025') throw new NotFoundError('source', id)
          throw err
        })
    },
  }
}

export type SourcesService = ReturnType<typeof createSourcesService>
