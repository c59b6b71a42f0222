// Collections: their own records (list, read, create, update, delete), and the one service the
// routes use, composed of these, the box, the line-up's changes and its history.
import type { PrismaClient } from '../../db/database.js'
import { ConflictError, withProblem } from '../../errors.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import type { PublicUrlTemplates } from '../../lib/public-urls.js'
import type { IfMatch } from '../../lib/versions.js'
import { recordAudit } from '../audit/audit.repository.js'
import { collectionEvent } from '../changes/changes.events.js'
import { recordEvents } from '../changes/changes.writer.js'
import { createBoxReader } from './collections.box.js'
import { claim, requireCollection } from './collections.claim.js'
import { createHistory } from './collections.history.js'
import { toCollection } from './collections.mapper.js'
import * as repo from './collections.repository.js'
import type { Collection, CollectionCreate, CollectionUpdate } from './collections.schemas.js'
import { createTeasersService } from './teasers.service.js'

// Keys are unique: the key alone is the keyset position, and `key > cursor` is the index range.
const listSort = 'key'

export interface CollectionsServiceOptions {
  clock: () => Date
  /** MEDIA_PUBLIC_URL: the base of rendition URLs (undefined: the API's own /media path). */
  mediaBase?: string
  /** PUBLIC_ARTICLE_URL and the others: the `url` of the articles teasers embed. */
  publicUrls?: PublicUrlTemplates
}

export function createCollectionsService(
  db: PrismaClient,
  { clock, mediaBase, publicUrls }: CollectionsServiceOptions,
) {
  const history = createHistory(db, clock)

  return {
    async list(limit: number, cursor?: string): Promise<Page<Collection>> {
      const after = cursor ? decodeCursor(cursor, listSort, ['string']) : undefined
      const rows = await repo.listCollections(db, { afterKey: after?.[0], limit })
      const page = toPage(rows, limit, listSort, (r) => [r.key])
      return { data: page.data.map(toCollection), page: page.page }
    },

    async get(key: string): Promise<Collection> {
      return toCollection(await requireCollection(db, key))
    },

    async create(input: CollectionCreate, actor: Actor): Promise<Collection> {
      const row = await db.$transaction(async (tx) => {
        const created = await repo.createCollection(tx, {
          ...input,
          createdById: actor.keyId,
          updatedById: actor.keyId,
        })
        await recordAudit(tx, actor, { action: 'create', resourceType: 'collection', resourceId: created.id })
        const event = collectionEvent('collection.created', created, Object.keys(input), clock())
        await recordEvents(tx, [event], { actor, now: clock() })
        return created
      })
      return toCollection(row)
    },

    async update(key: string, input: CollectionUpdate, ifMatch: IfMatch, actor: Actor): Promise<Collection> {
      const row = await db.$transaction(async (tx) => {
        const current = await requireCollection(tx, key)
        await claim(tx, current, ifMatch)
        const updated = await repo.updateCollection(tx, current.id, { ...input, updatedById: actor.keyId })
        await recordAudit(tx, actor, { action: 'update', resourceType: 'collection', resourceId: current.id })
        const changed = Object.keys(input).filter((k) => input[k as keyof CollectionUpdate] !== undefined)
        await recordEvents(tx, [collectionEvent('collection.updated', updated, changed, clock())], {
          actor,
          now: clock(),
        })
        return updated
      })
      return toCollection(row)
    },

    async remove(key: string, withTeasers: boolean, ifMatch: IfMatch, actor: Actor): Promise<void> {
      await db.$transaction(async (tx) => {
        const current = await requireCollection(tx, key)
        await claim(tx, current, ifMatch)
        const teasers = await repo.countTeasers(tx, current.id)
        if (teasers > 0 && !withTeasers) {
          throw withProblem(
            new ConflictError(`The collection holds ${teasers} teaser(s); delete them first or pass withTeasers=true`),
            { teaserCount: teasers },
          )
        }
        await repo.deleteCollection(tx, current.id)
        await recordAudit(tx, actor, { action: 'delete', resourceType: 'collection', resourceId: current.id })
        await recordEvents(tx, [collectionEvent('collection.deleted', current, [], clock())], { actor, now: clock() })
      })
    },

    ...createBoxReader(db, { clock, history, mediaBase, publicUrls }),
    ...createTeasersService(db, { clock, history, mediaBase, publicUrls }),
    history: history.list,
    recordSeed: history.recordSeed,
  }
}

export type CollectionsService = ReturnType<typeof createCollectionsService>
