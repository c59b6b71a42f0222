// Changes to a collection's line-up: add, update (move, pin, reschedule), remove and reorder.
// Each runs in one transaction that first claims the collection (a row lock, so concurrent editors
// of one box are serialised; if both sent the same If-Match, the second then gets 412), reads the
// line-up once, applies the change to it, keeps positions dense and unique, bumps the
// collection's version and records the line-up after the change for history.
import type { PrismaClient } from '../../db/database.js'
import type { Db } from '../../db/types.js'
import {
  ConflictError,
  type InvalidField,
  invalidRequest,
  MissingReferenceError,
  NotFoundError,
  withProblem,
} from '../../errors.js'
import type { Prisma } from '../../generated/prisma/client.js'
import type { Actor } from '../../lib/principal.js'
import { checkIfMatch, type IfMatch } from '../../lib/versions.js'
import { collectionEvent } from '../changes/changes.events.js'
import { recordEvents } from '../changes/changes.writer.js'
import { resolveImage } from '../media/media.references.js'
import { resolveSourceReference } from '../sources/sources.service.js'
import { type Box, boxOf, type TeaserViewOptions } from './collections.box.js'
import { claim, requireCollection } from './collections.claim.js'
import type { History } from './collections.history.js'
import { toTeaser } from './collections.mapper.js'
import type { CollectionRow, TeaserRow } from './collections.repository.js'
import * as repo from './collections.repository.js'
import type { Teaser, TeaserCreate, TeaserUpdate } from './collections.schemas.js'

/** The image's columns: a URL, or a media record whose alt text this overrides. */
async function imageColumns(tx: Db, image: NonNullable<TeaserUpdate['image']> | null) {
  const { url, mediaId } = await resolveImage(tx, 'image', image)
  return { imageUrl: url, imageMediaId: mediaId, imageAlt: image?.alt ?? null }
}

/** The columns an input sets; checks the teaser it leaves (stored values where the input has none). */
async function teaserData(tx: Db, input: TeaserUpdate, current?: TeaserRow) {
  const data: Prisma.TeaserUncheckedUpdateInput = {}
  if (input.text !== undefined) data.text = input.text
  if (input.title !== undefined) data.title = input.title
  if (input.pinned !== undefined) data.pinned = input.pinned
  if (input.startsAt !== undefined) data.startsAt = input.startsAt ? new Date(input.startsAt) : null
  if (input.endsAt !== undefined) data.endsAt = input.endsAt ? new Date(input.endsAt) : null
  if (input.image !== undefined) Object.assign(data, await imageColumns(tx, input.image))
  const sourceId = await resolveSourceReference(tx, input)
  if (sourceId !== undefined) data.sourceId = sourceId
  if (input.articleId !== undefined || input.url !== undefined) {
    data.articleId = input.articleId ?? null
    data.url = input.url ?? null
  }
  const articleId = data.articleId !== undefined ? data.articleId : (current?.articleId ?? null)
  const url = data.url !== undefined ? data.url : (current?.url ?? null)
  const errors: InvalidField[] = []
  if ((articleId ? 1 : 0) + (url ? 1 : 0) !== 1) {
    errors.push({ in: 'body', pointer: '/articleId', message: 'exactly one of articleId or url is required' })
  }
  const startsAt = data.startsAt !== undefined ? (data.startsAt as Date | null) : (current?.startsAt ?? null)
  const endsAt = data.endsAt !== undefined ? (data.endsAt as Date | null) : (current?.endsAt ?? null)
  if (startsAt && endsAt && endsAt <= startsAt) {
    errors.push({ in: 'body', pointer: '/endsAt', message: 'must be after startsAt' })
  }
  if (errors.length > 0) throw invalidRequest(errors)
  if (
    typeof articleId === 'string' &&
    articleId !== current?.articleId &&
    !(await repo.liveArticleExists(tx, articleId))
  ) {
    throw withProblem(new MissingReferenceError(`No article ${articleId}`), { field: 'articleId' })
  }
  return data
}

/** In line-up order (pinned first, then by position), as the database orders it. */
function inLineupOrder(rows: TeaserRow[]): TeaserRow[] {
  return [...rows].sort((a, b) => Number(b.pinned) - Number(a.pinned) || a.position - b.position)
}

/**
 * The line-up with `id` moved to `position` (clamped): pinned teasers stay ahead of the others,
 * so a position outside the teaser's own group (pinned or not) lands at that group's nearest end.
 */
function moved(rows: TeaserRow[], id: string, position: number): TeaserRow[] {
  const teaser = teaserIn(rows, id)
  const rest = rows.filter((r) => r.id !== id)
  const before = rest.filter((r) => r.pinned).length
  const at = teaser.pinned ? Math.min(position, before) : Math.min(Math.max(position, before), rest.length)
  rest.splice(at, 0, teaser)
  return rest
}

function updateAction(input: TeaserUpdate, current: TeaserRow): string {
  if (input.pinned !== undefined && input.pinned !== current.pinned) return input.pinned ? 'pin' : 'unpin'
  // A position sent back unchanged (a read, edited and sent whole) is no move.
  return input.position !== undefined && input.position !== current.position ? 'move' : 'update'
}

function teaserIn(lineup: TeaserRow[], id: string): TeaserRow {
  const row = lineup.find((r) => r.id === id)
  if (!row) throw new NotFoundError('teaser', id)
  return row
}

/**
 * Ends a change: positions 0..n-1 in the order of `lineup` (the line-up after the change), the
 * collection's version bumped, the change recorded with its event (and the moments the changed
 * teaser's window opens and closes). Returns the collection and line-up as stored.
 */
async function commit(
  tx: Db,
  history: History,
  collection: CollectionRow,
  change: { action: string; teaserId: string | null; lineup: TeaserRow[] },
  context: { actor: Actor; now: Date },
) {
  const { actor, now } = context
  await repo.setPositions(
    tx,
    collection.id,
    change.lineup.map((r) => r.id),
  )
  const lineup = change.lineup.map((r, position) => (r.position === position ? r : { ...r, position }))
  const updated = await repo.updateCollection(tx, collection.id, { updatedById: actor.keyId })
  await history.record(tx, collection.id, change, lineup, actor)
  const teaser = lineup.find((r) => r.id === change.teaserId)
  const scheduled = [teaser?.startsAt, teaser?.endsAt]
    .filter((d): d is Date => d instanceof Date)
    .map((dueAt) => ({ resourceType: 'teaser' as const, resourceId: teaser?.id as string, dueAt }))
  await recordEvents(tx, [collectionEvent('collection.updated', updated, ['teasers'], now)], {
    actor,
    now,
    scheduled,
  })
  return { collection: updated, lineup }
}

/** The collection of a teaser, claimed, and its line-up read under the lock. */
async function claimTeaser(tx: Db, id: string) {
  const collectionId = await repo.findTeaserCollectionId(tx, id)
  const collection = collectionId ? await repo.findCollectionById(tx, collectionId) : null
  if (!collection) throw new NotFoundError('teaser', id)
  // The teaser's own version is checked against If-Match, once the line-up is read under the lock.
  await claim(tx, collection, undefined)
  return { collection, lineup: await repo.findLineup(tx, collection.id) }
}

/** The line-up in the order `teaserIds` gives (409 unless it lists exactly its teasers), pinned ones first. */
function reordered(rows: TeaserRow[], teaserIds: string[]): TeaserRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]))
  const given = new Set(teaserIds)
  const missing = rows.filter((r) => !given.has(r.id)).map((r) => r.id)
  const unexpected = teaserIds.filter((id) => !byId.has(id))
  if (missing.length > 0 || unexpected.length > 0) {
    throw withProblem(new ConflictError('teaserIds must list exactly the collection’s current teasers'), {
      missing,
      unexpected,
    })
  }
  // Pinned teasers stay ahead of the others; within each group, the given order.
  const listed = teaserIds.map((id) => byId.get(id) as TeaserRow)
  return [...listed.filter((r) => r.pinned), ...listed.filter((r) => !r.pinned)]
}

export function createTeasersService(db: PrismaClient, { clock, history, mediaBase, publicUrls }: TeaserViewOptions) {
  return {
    async addTeaser(key: string, input: TeaserCreate, ifMatch: IfMatch, actor: Actor): Promise<Teaser> {
      return db.$transaction(async (tx) => {
        const collection = await requireCollection(tx, key)
        await claim(tx, collection, ifMatch)
        const data = await teaserData(tx, input)
        const rows = await repo.findLineup(tx, collection.id)
        const created = await repo.createTeaser(tx, {
          ...(data as Prisma.TeaserUncheckedCreateInput),
          text: input.text,
          collectionId: collection.id,
          position: rows.length,
          createdById: actor.keyId,
          updatedById: actor.keyId,
        })
        const ordered = inLineupOrder([...rows, created])
        const lineup = moved(ordered, created.id, input.position ?? ordered.length - 1)
        const after = await commit(
          tx,
          history,
          collection,
          { action: 'add', teaserId: created.id, lineup },
          { actor, now: clock() },
        )
        return toTeaser(teaserIn(after.lineup, created.id), mediaBase, publicUrls)
      })
    },

    async getTeaser(id: string): Promise<Teaser> {
      const row = await repo.findTeaser(db, id)
      if (!row) throw new NotFoundError('teaser', id)
      return toTeaser(row, mediaBase, publicUrls)
    },

    async updateTeaser(id: string, input: TeaserUpdate, ifMatch: IfMatch, actor: Actor): Promise<Teaser> {
      return db.$transaction(async (tx) => {
        const { collection, lineup: rows } = await claimTeaser(tx, id)
        const current = teaserIn(rows, id)
        checkIfMatch(ifMatch, current.version)
        const data = await teaserData(tx, input, current)
        const updated = await repo.updateTeaser(tx, id, {
          ...data,
          version: { increment: 1 },
          updatedById: actor.keyId,
        })
        // Pinning or unpinning moves it to the other group: order again before placing it.
        const ordered = inLineupOrder(rows.map((r) => (r.id === id ? updated : r)))
        const lineup = moved(ordered, id, input.position ?? ordered.findIndex((r) => r.id === id))
        const after = await commit(
          tx,
          history,
          collection,
          { action: updateAction(input, current), teaserId: id, lineup },
          { actor, now: clock() },
        )
        return toTeaser(teaserIn(after.lineup, id), mediaBase, publicUrls)
      })
    },

    async removeTeaser(id: string, ifMatch: IfMatch, actor: Actor): Promise<void> {
      await db.$transaction(async (tx) => {
        const { collection, lineup: rows } = await claimTeaser(tx, id)
        checkIfMatch(ifMatch, teaserIn(rows, id).version)
        await repo.deleteTeaser(tx, id)
        const lineup = rows.filter((r) => r.id !== id)
        await commit(tx, history, collection, { action: 'remove', teaserId: id, lineup }, { actor, now: clock() })
      })
    },

    /** Applies a complete new order atomically; the id list must be exactly the collection's teasers. */
    async reorder(key: string, teaserIds: string[], ifMatch: IfMatch, actor: Actor): Promise<Box> {
      return db.$transaction(async (tx) => {
        const collection = await requireCollection(tx, key)
        await claim(tx, collection, ifMatch)
        const rows = await repo.findLineup(tx, collection.id)
        const lineup = reordered(rows, teaserIds)
        const after = await commit(
          tx,
          history,
          collection,
          { action: 'reorder', teaserId: null, lineup },
          {
            actor,
            now: clock(),
          },
        )
        return boxOf(after.collection, after.lineup, { preview: true, at: clock(), mediaBase, publicUrls })
      })
    },
  }
}
