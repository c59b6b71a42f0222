import type { PrismaClient } from '../../db/database.js'
import { isUniqueViolationOf } from '../../db/errors.js'
import type { Db } from '../../db/types.js'
import { ConflictError, invalidRequest, NotFoundError, withProblem } from '../../errors.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import type { PublicUrlTemplates } from '../../lib/public-urls.js'
import { allocateSlug, retryGeneratedSlug, slugify } from '../../lib/slug.js'
import { recordAudit, recordAudits } from '../audit/audit.repository.js'
import { vocabularyEvent } from '../changes/changes.events.js'
import { recordEvents } from '../changes/changes.writer.js'
import { type SectionRow, toSection } from './sections.mapper.js'
import {
  lockMove,
  lockNewParent,
  type MoveTarget,
  missingParent,
  type NamedParent,
  namedParent,
  placeMoved,
} from './sections.placement.js'
import * as repo from './sections.repository.js'
import {
  maxTreeSections,
  type Section,
  type SectionCreate,
  type SectionListQuery,
  type SectionNode,
  type SectionUpdate,
} from './sections.schemas.js'

/** A path taken by another section (its unique index): a generated slug is tried again. */
const isPathClash = (err: unknown) => isUniqueViolationOf(err, 'path')

/** The nested tree of these rows (every section, siblings in their order). */
function toTree(rows: SectionRow[], urls: PublicUrlTemplates): SectionNode[] {
  const nodes = new Map(rows.map((r) => [r.id, { ...toSection(r, urls), children: [] as SectionNode[] }]))
  const roots: SectionNode[] = []
  for (const node of nodes.values()) (nodes.get(node.parentId ?? '')?.children ?? roots).push(node)
  return roots
}

/** The fields a change names, as reads show them (`parent` is `parentId`). */
function changedFields(input: SectionUpdate, moved: boolean): string[] {
  const fields = Object.keys(input).map((k) => (k === 'parent' ? 'parentId' : k))
  return [...new Set([...fields, ...(moved ? ['path', 'depth'] : [])])]
}

/** A slug for a new section from its name: the first free among its siblings (see allocateSlug). */
function generateSlug(tx: Db, parent: repo.Placement | null, name: string): Promise<string> {
  const prefix = parent ? `${parent.path}/` : ''
  return allocateSlug(
    slugify(name) || 'section',
    {
      taken: (base) => repo.childSlugsStartingWith(tx, parent?.id ?? null, base),
      claim: (candidates) => repo.claimSlug(tx, parent?.id ?? null, candidates),
      isTaken: (slug) => repo.pathTaken(tx, prefix + slug),
    },
    { maxLength: 100 },
  )
}

/** The audit entry and the change event of a write, in its transaction. */
async function record(
  { tx, actor, clock }: { tx: Db; actor: Actor; clock: () => Date },
  type: 'created' | 'updated' | 'deleted',
  section: { id: string; path: string },
  changed: { fields: string[]; ids?: string[] },
) {
  const action = type === 'created' ? 'create' : type === 'updated' ? 'update' : 'delete'
  await recordAudit(tx, actor, { action, resourceType: 'section', resourceId: section.id })
  const ids = changed.ids ?? [section.id]
  const surrogateKeys = [...ids.map((id) => `section:${id}`), 'sections']
  const at = clock()
  const event = vocabularyEvent(
    `section.${type}`,
    { id: section.id, slug: section.path },
    { fields: changed.fields, at, surrogateKeys },
  )
  await recordEvents(tx, [event], { actor, now: at })
}

/** Moves or renames a section (and its subtree) inside the caller's transaction. */
async function move(
  write: { tx: Db; actor: Actor; clock: () => Date },
  current: SectionRow,
  input: SectionUpdate,
  named: NamedParent | undefined,
) {
  const { tx, actor } = write
  let to: MoveTarget | undefined
  if (named) {
    const id = (await repo.findSectionIds(tx, [named.key])).get(named.key)
    if (!id) throw missingParent(named)
    to = { id, named }
  } else to = named
  const locked = await lockMove(tx, current.id, to)
  const { path, depth } = placeMoved(locked, input.slug ?? locked.self.slug)
  const { parent: _, ...fields } = input
  const updated = await repo.updateSection(tx, current.id, {
    ...fields,
    parentId: locked.parent?.id ?? null,
    path,
    depth,
    updatedById: actor.keyId,
  })
  const moved = path !== locked.self.path
  const descendants = locked.subtree.filter((r) => r.id !== current.id).map((r) => r.id)
  if (moved && descendants.length > 0) {
    await repo.rewriteSubtree(tx, descendants, {
      from: locked.self.path,
      to: path,
      levels: depth - locked.self.depth,
      at: updated.updatedAt,
      by: actor.keyId,
    })
  }
  await record(write, 'updated', updated, {
    fields: changedFields(input, moved),
    ids: moved ? locked.subtree.map((r) => r.id) : undefined,
  })
  if (moved) {
    // Each section below changed its path (and depth) too: readers mirroring sections by path
    // learn of each, as of any change.
    const below = locked.subtree
      .filter((r) => r.id !== current.id)
      .map((r) => ({ id: r.id, path: path + r.path.slice(locked.self.path.length) }))
    await recordMovedBelow(write, below)
  }
  return updated
}

/** The events and audit entries of the sections a move or rename moved with the one it named. */
async function recordMovedBelow(
  { tx, actor, clock }: { tx: Db; actor: Actor; clock: () => Date },
  below: { id: string; path: string }[],
) {
  if (below.length === 0) return
  const at = clock()
  await recordAudits(
    tx,
    actor,
    below.map((s) => ({ action: 'update', resourceType: 'section', resourceId: s.id })),
  )
  const events = below.map((s) =>
    vocabularyEvent(
      'section.updated',
      { id: s.id, slug: s.path },
      {
        fields: ['path', 'depth'],
        at,
        surrogateKeys: [`section:${s.id}`, 'sections'],
      },
    ),
  )
  await recordEvents(tx, events, { actor, now: at })
}

export interface SectionsServiceOptions {
  clock: () => Date
  /** PUBLIC_SECTION_URL (in `section`): the template of a section's `url`. */
  urls?: PublicUrlTemplates
}

export function createSectionsService(db: PrismaClient, { clock, urls = {} }: SectionsServiceOptions) {
  const view = (row: SectionRow) => toSection(row, urls)
  return {
    async get(key: string): Promise<Section> {
      const row = await repo.findSection(db, key)
      if (!row) throw new NotFoundError('section', key)
      return view(row)
    },

    /** A page of the flat list by path, or (tree=true) every section nested. */
    async list(query: SectionListQuery): Promise<Page<Section> | { data: SectionNode[] }> {
      if (query.tree) {
        const stray = (['cursor', 'parent'] as const).filter((name) => query[name] !== undefined)
        if (stray.length > 0) {
          throw invalidRequest(
            stray.map((name) => ({ in: 'query', pointer: `/${name}`, message: 'does not apply to tree=true' })),
          )
        }
        const rows = await repo.sectionsInTreeOrder(db, maxTreeSections + 1)
        if (rows.length > maxTreeSections) {
          throw new ConflictError(
            `The tree has more than ${maxTreeSections} sections, more than one answer holds: read it flat, ` +
              'a page (cursor) or a level (parent) at a time',
          )
        }
        return { data: toTree(rows, urls) }
      }
      const after = query.cursor ? decodeCursor(query.cursor, 'path', ['string'])[0] : undefined
      const rows = await repo.listSections(db, { parent: query.parent, after, limit: query.limit })
      const page = toPage(rows, query.limit, 'path', (r) => [r.path])
      return { data: page.data.map(view), page: page.page }
    },

    async create(input: SectionCreate, actor: Actor): Promise<Section> {
      const named = (await namedParent(db, input)) ?? null
      const row = await retryGeneratedSlug(input.slug, isPathClash, () =>
        db.$transaction(async (tx) => {
          const parent = await lockNewParent(tx, named)
          const slug = input.slug ?? (await generateSlug(tx, parent, input.name))
          const { parent: _, ...fields } = input
          const created = await repo.createSection(tx, {
            ...fields,
            slug,
            parentId: parent?.id ?? null,
            path: parent ? `${parent.path}/${slug}` : slug,
            depth: parent ? parent.depth + 1 : 1,
            createdById: actor.keyId,
            updatedById: actor.keyId,
          })
          await record({ tx, actor, clock }, 'created', created, { fields: changedFields(input, false) })
          return created
        }),
      )
      return view(row)
    },

    /** Changes a section; a new parent or slug moves it with its subtree (see sections.placement.ts). */
    async update(key: string, input: SectionUpdate, actor: Actor): Promise<Section> {
      const current = await repo.findSection(db, key)
      if (!current) throw new NotFoundError('section', key)
      const named = await namedParent(db, input)
      const row = await db.$transaction(async (tx) => {
        if (named !== undefined || input.slug !== undefined) return move({ tx, actor, clock }, current, input, named)
        const { parent: _, ...fields } = input
        const updated = await repo.updateSection(tx, current.id, { ...fields, updatedById: actor.keyId })
        await record({ tx, actor, clock }, 'updated', updated, { fields: changedFields(input, false) })
        return updated
      })
      return view(row)
    },

    /** Deletes a section without children or articles: 409 with their counts otherwise. */
    async remove(key: string, actor: Actor): Promise<void> {
      const found = await repo.sectionReferences(db, key)
      if (!found) throw new NotFoundError('section', key)
      const { children, articles } = found._count
      if (children + articles > 0) {
        throw withProblem(
          new ConflictError(
            `The section ${found.path} still has ${children} child section(s) and ${articles} article(s); ` +
              'move or delete them first',
          ),
          { sectionReferences: { children, articles } },
        )
      }
      await db.$transaction(async (tx) => {
        await repo.unlinkDeletedArticles(tx, found.id)
        const deleted = await repo.deleteSection(tx, found.id)
        await record({ tx, actor, clock }, 'deleted', deleted, { fields: [] })
      })
    },
  }
}

export type SectionsService = ReturnType<typeof createSectionsService>
