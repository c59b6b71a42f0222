// Where a section goes in the tree: the parent an input names, the checks a creation or a move
// must pass (depth, no loop), and the locks that keep concurrent moves from corrupting the tree.
//
// Locking. A creation locks its parent FOR SHARE and reads its path then, so a child never gets
// the path its parent had before a move. A move (or rename) locks FOR UPDATE the section with
// its whole subtree and the new parent with all its ancestors, then checks and rewrites them. Two
// moves that would together make a loop (x under a descendant of y, y under a descendant of x)
// each lock the other's moved section, so one waits for the other and then sees the loop; a
// child created under a section being moved waits for the move and gets the new path.
import type { Db } from '../../db/types.js'
import {
  invalidRequest,
  MissingReferenceError,
  NotFoundError,
  SectionCycleError,
  SectionTooDeepError,
  withProblem,
} from '../../errors.js'
import * as repo from './sections.repository.js'
import { maxSectionDepth, type SectionUpdate } from './sections.schemas.js'

/** The parent an input names: its key (id or path) and the field that named it; null for a root. */
export type NamedParent = { key: string; field: 'parent' | 'parentId' } | null

/**
 * The parent named by `parent` (an id or a path) or `parentId` (as reads show it): undefined when
 * neither is given. Both may be given if they name the same section; otherwise a 400 naming both.
 */
export async function namedParent(
  db: Db,
  input: Pick<SectionUpdate, 'parent' | 'parentId'>,
): Promise<NamedParent | undefined> {
  const { parent, parentId } = input
  const byId =
    parentId === undefined ? undefined : parentId === null ? null : { key: parentId, field: 'parentId' as const }
  const byKey = parent === undefined ? undefined : parent === null ? null : { key: parent, field: 'parent' as const }
  if (byId === undefined || byKey === undefined) return byId === undefined ? byKey : byId
  if (byId?.key.toLowerCase() === byKey?.key.toLowerCase()) return byId
  if (byId && byKey) {
    const ids = await repo.findSectionIds(db, [byId.key, byKey.key])
    for (const named of [byId, byKey]) if (!ids.has(named.key)) throw missingParent(named)
    if (ids.get(byId.key) === ids.get(byKey.key)) return byId
  }
  const message = 'parentId and parent name different sections: give one, or the same section'
  throw invalidRequest([
    { in: 'body', pointer: '/parent', message },
    { in: 'body', pointer: '/parentId', message },
  ])
}

export function missingParent(named: NonNullable<NamedParent>): Error {
  const { key, field } = named
  return withProblem(new MissingReferenceError(`No section matches "${key}" (${field})`), { field })
}

/** The parent of a new section, locked (see above): 422 when it does not exist or is at the deepest level. */
export async function lockNewParent(tx: Db, named: NamedParent): Promise<repo.Placement | null> {
  if (named === null) return null
  const parent = await repo.lockParent(tx, named.key)
  if (!parent) throw missingParent(named)
  if (parent.depth >= maxSectionDepth) {
    throw new SectionTooDeepError(
      `Sections nest at most ${maxSectionDepth} levels: ${parent.path} is at level ${parent.depth} and cannot have child sections`,
    )
  }
  return parent
}

export interface Move {
  /** The moved section and its descendants, as locked. */
  subtree: repo.LockedRow[]
  self: repo.LockedRow
  /** Its parent after the move (null: a root). */
  parent: repo.LockedRow | null
}

/** Where a move takes a section: under this parent (its id, and how the input named it), or a root. */
export type MoveTarget = { id: string; named: NonNullable<NamedParent> } | null

/**
 * Locks what moving section `id` to `to` (undefined: under its parent, a rename) involves,
 * repeating until the rows locked are the rows the tree has: a statement finds rows in its
 * snapshot, and a write it waited for may have added some (a child) or moved or deleted some.
 */
export async function lockMove(tx: Db, id: string, to: MoveTarget | undefined): Promise<Move> {
  let target = to === undefined ? undefined : (to?.id ?? null)
  let seen = ''
  for (;;) {
    const rows = await repo.lockForMove(tx, id, target ?? null)
    const self = rows.find((r) => r.id === id)
    if (!self) throw new NotFoundError('section', id)
    const wanted = to === undefined ? self.parentId : (to?.id ?? null)
    const locked = `${wanted} ${rows.map((r) => r.id).join(' ')}`
    if (wanted === target && locked === seen) {
      const parent = rows.find((r) => r.id === target) ?? null
      // Deleted by a write this one waited for.
      if (to && !parent) throw missingParent(to.named)
      return { subtree: rows.filter((r) => r.inSubtree), self, parent }
    }
    target = wanted
    seen = locked
  }
}

/** The path and depth a locked move gives the section; 422 if it would loop or nest too deep. */
export function placeMoved(move: Move, slug: string): { path: string; depth: number } {
  const { self, parent, subtree } = move
  if (!parent) return { path: slug, depth: 1 }
  if (parent.inSubtree) {
    const segments = parent.path.split('/')
    const line = segments.slice(self.depth - 1).map((_, i) => segments.slice(0, self.depth + i).join('/'))
    throw new SectionCycleError(
      `${self.path} cannot move under ${parent.path}: it would be its own ancestor (${[...line, self.path].join(' → ')})`,
    )
  }
  const depth = parent.depth + 1
  const deepest = Math.max(...subtree.map((r) => r.depth)) - self.depth + depth
  if (deepest > maxSectionDepth) {
    throw new SectionTooDeepError(
      `${self.path} cannot move under ${parent.path}: with its subtree (${deepest - depth + 1} levels) it would ` +
        `reach level ${deepest}, and sections nest at most ${maxSectionDepth} levels`,
    )
  }
  return { path: `${parent.path}/${slug}`, depth }
}
