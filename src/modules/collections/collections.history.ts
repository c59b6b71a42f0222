// The history of a collection's line-up: every change records the line-up after it, in the
// change's own transaction, so the box as it was at any past time can be read back.
import type { PrismaClient } from '../../db/database.js'
import type { Db } from '../../db/types.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import { recordAudit } from '../audit/audit.repository.js'
import { requireCollection } from './collections.claim.js'
import { fromLineupEntry, lineupOf, toHistoryEntry, toLineup } from './collections.mapper.js'
import * as repo from './collections.repository.js'

const historySort = '-at'

export function createHistory(db: PrismaClient, clock: () => Date) {
  /** Records a change with the line-up after it (in order), and its audit entry. */
  async function record(
    tx: Db,
    collectionId: string,
    change: { action: string; teaserId: string | null },
    lineup: repo.TeaserRow[],
    actor: Actor,
  ): Promise<void> {
    await repo.createEvent(tx, {
      collectionId,
      action: change.action,
      teaserId: change.teaserId,
      keyId: actor.keyId,
      requestId: actor.requestId,
      at: clock(),
      lineup: toLineup(lineup),
    })
    if (change.action !== 'seed') {
      await recordAudit(tx, actor, {
        action: change.action,
        resourceType: change.teaserId ? 'teaser' : 'collection',
        resourceId: change.teaserId ?? collectionId,
      })
    }
  }

  return {
    record,

    /** Newest first; each change with who made it and the line-up after it. */
    async list(key: string, limit: number, cursor?: string): Promise<Page<ReturnType<typeof toHistoryEntry>>> {
      const collection = await requireCollection(db, key)
      const after = cursor ? decodeCursor(cursor, historySort, ['date', 'uuid']) : undefined
      const rows = await repo.listEvents(db, {
        collectionId: collection.id,
        after: after ? { at: after[0], id: after[1] } : undefined,
        limit,
      })
      const page = toPage(rows, limit, historySort, (e) => [e.at.toISOString(), e.id])
      return { data: page.data.map(toHistoryEntry), page: page.page }
    },

    /**
     * The line-up as it was at `at`, with the articles and sources it names as they are now: their
     * publication records tell their visibility at `at`, except a deletion, undone when it came later.
     */
    async lineupAt(collection: repo.CollectionRow, at: Date): Promise<repo.TeaserRow[]> {
      const entries = lineupOf(await repo.findEventAt(db, collection.id, at))
      const found = await repo.findEmbedded(db, {
        articleIds: entries.flatMap((e) => (e.articleId ? [e.articleId] : [])),
        sourceIds: entries.flatMap((e) => (e.sourceId ? [e.sourceId] : [])),
        mediaIds: entries.flatMap((e) => (e.imageMediaId ? [e.imageMediaId] : [])),
      })
      const mediaById = new Map(found.media.map((m) => [m.id, m]))
      const articleById = new Map(found.articles.map((a) => [a.id, a]))
      const sourceById = new Map(found.sources.map((s) => [s.id, s]))
      return entries.map((e) => {
        const article = e.articleId ? (articleById.get(e.articleId) ?? null) : null
        return fromLineupEntry(
          e,
          collection.id,
          article?.deletedAt && article.deletedAt > at ? { ...article, deletedAt: null } : article,
          e.sourceId ? (sourceById.get(e.sourceId) ?? null) : null,
          e.imageMediaId ? (mediaById.get(e.imageMediaId) ?? null) : null,
        )
      })
    },

    /** The seed's first line-up, recorded so that history starts with the seeded box. */
    async recordSeed(tx: Db, collectionId: string): Promise<void> {
      const lineup = await repo.findLineup(tx, collectionId)
      await record(tx, collectionId, { action: 'seed', teaserId: null }, lineup, { keyId: null, requestId: 'seed' })
    },
  }
}

export type History = ReturnType<typeof createHistory>
