// The change feed: events after a cursor, oldest first, as a reader may see them; and the
// background tasks that keep it (moments falling due, retention).
import type { PrismaClient } from '../../db/database.js'
import { CursorExpiredError, InvalidCursorError } from '../../errors.js'
import { decodeCursor, encodeCursor } from '../../lib/pagination.js'
import { toChangeEvent } from './changes.mapper.js'
import * as repo from './changes.repository.js'
import type { ChangeEvent, ChangeListQuery } from './changes.schemas.js'
import { keepFeed } from './changes.writer.js'

const cursorKey = 'changes'
const dayMs = 86_400_000
/** Events removed per retention run (a backlog is worked off over several runs). */
const pruneBatch = 5000
const pruneEveryMs = 60_000

/** The greatest of positions (bigints: Math.max does not take them). */
const latest = (...positions: bigint[]): bigint => positions.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).at(-1) ?? 0n

export interface ChangeList {
  data: ChangeEvent[]
  page: { limit: number; nextCursor: string }
}

function positionOf(cursor: string | undefined): bigint {
  if (!cursor) return 0n
  const [value] = decodeCursor(cursor, cursorKey, ['string'])
  if (!/^[0-9]{1,19}$/.test(value)) throw new InvalidCursorError()
  const position = BigInt(value)
  if (position > 9_223_372_036_854_775_807n) throw new InvalidCursorError()
  return position
}

export interface ChangesServiceOptions {
  clock: () => Date
  retentionDays: number
}

export function createChangesService(db: PrismaClient, { clock, retentionDays }: ChangesServiceOptions) {
  let nextPruneAt = 0
  return {
    /**
     * A page of events after the cursor. Moments already due are written first, so a reader
     * never sees the feed without an article that is live. `preview` callers see every event.
     */
    async list(query: ChangeListQuery, preview: boolean): Promise<ChangeList> {
      const after = positionOf(query.cursor)
      await keepFeed(db, clock())
      const read = await repo.readFeed(db, {
        after,
        limit: query.limit,
        publicOnly: !preview,
        types: query.types,
        resourceType: query.resource,
        source: query.source,
        tag: query.tag,
        collection: query.collection,
      })
      if (query.cursor && after < read.prunedThrough) throw new CursorExpiredError(retentionDays)
      const more = read.rows.length > query.limit
      const rows = read.rows.slice(0, query.limit)
      // A page that reached the end moves the cursor to the head read in the same snapshot: the
      // events it skips are ones this query does not show, and none can be positioned below it later.
      const last = rows.at(-1)?.position ?? after
      const next = more ? last : latest(last, read.head, after)
      return {
        data: rows.map(toChangeEvent),
        page: { limit: query.limit, nextCursor: encodeCursor(cursorKey, [next.toString()]) },
      }
    },

    /** Writes the events of the moments that have fallen due, then positions new events (a background task). */
    keep: () => keepFeed(db, clock()),

    /**
     * Removes events older than the retention, at most once a minute unless a full batch went
     * last time; true when it removed a full batch (more may be left).
     */
    async prune(): Promise<boolean> {
      const now = clock().getTime()
      if (now < nextPruneAt) return false
      const full = (await repo.pruneBefore(db, new Date(now - retentionDays * dayMs), pruneBatch)) === pruneBatch
      nextPruneAt = full ? now : now + pruneEveryMs
      return full
    },
  }
}

export type ChangesService = ReturnType<typeof createChangesService>
