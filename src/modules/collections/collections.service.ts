// Collections and their teasers. Every change to a collection's teasers runs in one transaction
// that first locks the collection's row and bumps its version: concurrent editors of one box are
// serialised (the second waits; if both sent the same If-Match, it then gets 412), positions stay
// dense and unique, and the line-up after the change is recorded for history.
import type { PrismaClient } from '../../db/database.js'
import type { Db } from '../../db/types.js'
import { ConflictError, MissingReferenceError, NotFoundError, ValidationError, withProblem } from '../../errors.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { decodeCursor, encodeCursor } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import { checkIfMatch, type IfMatch } from '../../lib/versions.js'
import { isPublic } from '../articles/articles.service.js'
import { recordAudit } from '../audit/audit.repository.js'
import { resolveSourceId, toSource } from '../sources/sources.service.js'
import type {
  Collection,
  CollectionCreate,
  CollectionUpdate,
  HiddenReason,
  Teaser,
  TeaserCreate,
  TeaserUpdate,
} from './collections.schemas.js'

const teaserInclude = {
  article: { include: { source: true } },
  source: true,
} satisfies Prisma.TeaserInclude
type TeaserRow = Prisma.TeaserGetPayload<{ include: typeof teaserInclude }>
type CollectionRow = Prisma.CollectionGetPayload<object>
const lineupOrder: Prisma.TeaserOrderByWithRelationInput[] = [{ pinned: 'desc' }, { position: 'asc' }]

/** A teaser as stored in a history line-up. */
interface LineupEntry {
  id: string
  text: string
  title: string | null
  articleId: string | null
  url: string | null
  sourceId: string | null
  imageUrl: string | null
  imageAlt: string | null
  position: number
  pinned: boolean
  startsAt: string | null
  endsAt: string | null
  version: number
  createdById: string | null
  updatedById: string | null
  createdAt: string
  updatedAt: string
}

function toCollection(row: CollectionRow): Collection {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    description: row.description,
    maxItems: row.maxItems,
    version: row.version,
    createdBy: row.createdById,
    updatedBy: row.updatedById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

function hiddenReason(t: Pick<TeaserRow, 'startsAt' | 'endsAt' | 'article'>, at: Date): HiddenReason | null {
  if (t.startsAt && t.startsAt > at) return 'not-started'
  if (t.endsAt && t.endsAt <= at) return 'ended'
  if (t.article && !isPublic(t.article, at)) return 'article-not-public'
  return null
}

function toTeaser(row: TeaserRow, embed: boolean): Teaser {
  const a = row.article
  return {
    id: row.id,
    collectionId: row.collectionId,
    text: row.text,
    title: row.title,
    articleId: row.articleId,
    url: row.url,
    sourceId: row.sourceId,
    image: row.imageUrl ? { url: row.imageUrl, alt: row.imageAlt } : null,
    position: row.position,
    pinned: row.pinned,
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
    version: row.version,
    ...(embed
      ? {
          article: a
            ? {
                id: a.id,
                slug: a.slug,
                headline: a.headline,
                summary: a.summary,
                publishedAt: a.publishedAt?.toISOString() ?? null,
                source: a.source ? toSource(a.source) : null,
                leadImage: a.leadImageUrl
                  ? { url: a.leadImageUrl, caption: a.leadImageCaption, credit: a.leadImageCredit }
                  : null,
              }
            : null,
          source: row.source ? toSource(row.source) : null,
        }
      : {}),
    createdBy: row.createdById,
    updatedBy: row.updatedById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export interface BoxView {
  preview: boolean
  /** Past time to show the box at (preview only); default now. */
  at?: Date
}

export interface Box {
  collection: CollectionRow
  teasers: Teaser[]
  rows: TeaserRow[]
  /** The instant the box was evaluated at. */
  at: Date
  /** When the public box next changes by itself (a window opens or closes, an article goes live). */
  nextChangeAt: Date | null
}

export function createCollectionsService(db: PrismaClient, { clock }: { clock: () => Date }) {
  async function findCollection(tx: Db, key: string): Promise<CollectionRow> {
    const row = await tx.collection.findUnique({ where: { key } })
    if (!row) throw new NotFoundError('collection', key)
    return row
  }

  /**
   * Claims the collection for a change: one writer at a time (a row lock held until the transaction
   * ends, so a concurrent writer waits instead of failing), and If-Match against the version as it
   * is once the lock is held.
   */
  async function lock(tx: Db, collection: CollectionRow, ifMatch: IfMatch, actor: Actor) {
    const [locked] = await tx.$queryRaw<{ version: number }[]>`
      SELECT version FROM collections WHERE id = ${collection.id}::uuid FOR UPDATE`
    if (!locked) throw new NotFoundError('collection', collection.key)
    checkIfMatch(ifMatch, locked.version)
    await tx.collection.update({
      where: { id: collection.id },
      data: { version: { increment: 1 }, updatedById: actor.keyId },
    })
  }

  async function lineup(tx: Db, collectionId: string): Promise<TeaserRow[]> {
    return tx.teaser.findMany({ where: { collectionId }, orderBy: lineupOrder, include: teaserInclude })
  }

  /** Renumbers positions 0..n-1 in line-up order (pinned first), keeping them dense and unique. */
  async function renumber(tx: Db, collectionId: string, ids: string[]) {
    if (ids.length > 0) {
      // One statement for the whole line-up, not one per teaser.
      const positions = ids.map((_, i) => i)
      await tx.$executeRaw`
        UPDATE teasers SET position = x.position
        FROM unnest(${ids}::uuid[], ${positions}::int[]) AS x(id, position)
        WHERE teasers.id = x.id AND teasers.collection_id = ${collectionId}::uuid AND teasers.position <> x.position`
    }
    return lineup(tx, collectionId)
  }

  async function recordEvent(tx: Db, collectionId: string, action: string, teaserId: string | null, actor: Actor) {
    const rows = await lineup(tx, collectionId)
    const entries: LineupEntry[] = rows.map((t) => ({
      id: t.id,
      text: t.text,
      title: t.title,
      articleId: t.articleId,
      url: t.url,
      sourceId: t.sourceId,
      imageUrl: t.imageUrl,
      imageAlt: t.imageAlt,
      position: t.position,
      pinned: t.pinned,
      startsAt: t.startsAt?.toISOString() ?? null,
      endsAt: t.endsAt?.toISOString() ?? null,
      version: t.version,
      createdById: t.createdById,
      updatedById: t.updatedById,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
    }))
    await tx.collectionEvent.create({
      data: {
        collectionId,
        action,
        teaserId,
        keyId: actor.keyId,
        requestId: actor.requestId,
        at: clock(),
        lineup: entries as unknown as Prisma.InputJsonValue,
      },
    })
    if (teaserId || action !== 'seed') {
      await recordAudit(tx, actor, {
        action,
        resourceType: teaserId ? 'teaser' : 'collection',
        resourceId: teaserId ?? collectionId,
      })
    }
    return rows
  }

  async function teaserData(tx: Db, input: TeaserUpdate, current?: TeaserRow) {
    const data: Prisma.TeaserUncheckedUpdateInput = {}
    if (input.text !== undefined) data.text = input.text
    if (input.title !== undefined) data.title = input.title
    if (input.pinned !== undefined) data.pinned = input.pinned
    if (input.startsAt !== undefined) data.startsAt = input.startsAt ? new Date(input.startsAt) : null
    if (input.endsAt !== undefined) data.endsAt = input.endsAt ? new Date(input.endsAt) : null
    if (input.image !== undefined) {
      data.imageUrl = input.image?.url ?? null
      data.imageAlt = input.image?.alt ?? null
    }
    if (input.source !== undefined)
      data.sourceId = input.source === null ? null : await resolveSourceId(tx, input.source, 'source')
    if (input.articleId !== undefined || input.url !== undefined) {
      data.articleId = input.articleId ?? null
      data.url = input.url ?? null
    }
    const articleId = data.articleId !== undefined ? data.articleId : (current?.articleId ?? null)
    const url = data.url !== undefined ? data.url : (current?.url ?? null)
    const errors: { in: 'body'; pointer: string; message: string }[] = []
    if ((articleId ? 1 : 0) + (url ? 1 : 0) !== 1) {
      errors.push({ in: 'body', pointer: '/articleId', message: 'exactly one of articleId or url is required' })
    }
    const startsAt = data.startsAt !== undefined ? (data.startsAt as Date | null) : (current?.startsAt ?? null)
    const endsAt = data.endsAt !== undefined ? (data.endsAt as Date | null) : (current?.endsAt ?? null)
    if (startsAt && endsAt && endsAt <= startsAt) {
      errors.push({ in: 'body', pointer: '/endsAt', message: 'must be after startsAt' })
    }
    if (errors.length > 0) {
      throw withProblem(
        new ValidationError(
          `The request is invalid: ${errors.map((e) => `body ${e.pointer} ${e.message}`).join('; ')}`,
        ),
        { errors },
      )
    }
    if (typeof articleId === 'string' && articleId !== current?.articleId) {
      const exists = await tx.article.findFirst({ where: { id: articleId, deletedAt: null }, select: { id: true } })
      if (!exists) throw withProblem(new MissingReferenceError(`No article ${articleId}`), { field: 'articleId' })
    }
    return data
  }

  async function findTeaser(tx: Db, id: string): Promise<TeaserRow> {
    const row = await tx.teaser.findUnique({ where: { id }, include: teaserInclude })
    if (!row) throw new NotFoundError('teaser', id)
    return row
  }

  /**
   * The line-up with `id` moved to `position` (clamped): pinned teasers stay ahead of the others,
   * so a position outside the teaser's own group (pinned or not) lands at that group's nearest end.
   */
  function moved(rows: TeaserRow[], id: string, position: number): string[] {
    const rest = rows.filter((r) => r.id !== id)
    const pinned = rows.find((r) => r.id === id)?.pinned ?? false
    const before = rest.filter((r) => r.pinned).length
    const at = pinned ? Math.min(position, before) : Math.min(Math.max(position, before), rest.length)
    const ids = rest.map((r) => r.id)
    ids.splice(at, 0, id)
    return ids
  }

  function boxOf(collection: CollectionRow, rows: TeaserRow[], view: BoxView): Box {
    const at = view.at ?? clock()
    const teasers: Teaser[] = []
    let shown = 0
    let nextChangeAt: Date | null = null
    const later = (d: Date | null | undefined) => {
      if (d && d > at && (!nextChangeAt || d < nextChangeAt)) nextChangeAt = d
    }
    for (const row of rows) {
      later(row.startsAt)
      later(row.endsAt)
      if (row.article?.status === 'scheduled') later(row.article.publishedAt)
      let reason = hiddenReason(row, at)
      if (!reason && shown >= collection.maxItems) reason = 'over-limit'
      if (!reason) shown++
      if (!view.preview) {
        if (!reason) teasers.push(toTeaser(row, true))
        continue
      }
      teasers.push({ ...toTeaser(row, true), visible: !reason, ...(reason ? { hiddenReason: reason } : {}) })
    }
    return { collection, teasers, rows, at, nextChangeAt }
  }

  return {
    async list(limit: number, cursor?: string) {
      const after = cursor ? decodeCursor(cursor, 'key', ['string']) : undefined
      const rows = await db.collection.findMany({
        where: after ? { key: { gt: after[0] } } : {},
        orderBy: { key: 'asc' },
        take: limit + 1,
      })
      const more = rows.length > limit
      const data = (more ? rows.slice(0, limit) : rows).map(toCollection)
      const last = data.at(-1)
      return { data, page: { limit, nextCursor: more && last ? encodeCursor('key', [last.key]) : null } }
    },

    async get(key: string): Promise<Collection> {
      return toCollection(await findCollection(db, key))
    },

    async create(input: CollectionCreate, actor: Actor): Promise<Collection> {
      const row = await db.$transaction(async (tx) => {
        const created = await tx.collection.create({
          data: { ...input, createdById: actor.keyId, updatedById: actor.keyId },
        })
        await recordAudit(tx, actor, { action: 'create', resourceType: 'collection', resourceId: created.id })
        return created
      })
      return toCollection(row)
    },

    async update(key: string, input: CollectionUpdate, ifMatch: IfMatch, actor: Actor): Promise<Collection> {
      const row = await db.$transaction(async (tx) => {
        const current = await findCollection(tx, key)
        await lock(tx, current, ifMatch, actor)
        const updated = await tx.collection.update({ where: { id: current.id }, data: input })
        await recordAudit(tx, actor, { action: 'update', resourceType: 'collection', resourceId: current.id })
        return updated
      })
      return toCollection(row)
    },

    async remove(key: string, withTeasers: boolean, ifMatch: IfMatch, actor: Actor): Promise<void> {
      await db.$transaction(async (tx) => {
        const current = await findCollection(tx, key)
        await lock(tx, current, ifMatch, actor)
        const teasers = await tx.teaser.count({ where: { collectionId: current.id } })
        if (teasers > 0 && !withTeasers) {
          throw withProblem(
            new ConflictError(`The collection holds ${teasers} teaser(s); delete them first or pass withTeasers=true`),
            { teaserCount: teasers },
          )
        }
        await tx.collection.delete({ where: { id: current.id } })
        await recordAudit(tx, actor, { action: 'delete', resourceType: 'collection', resourceId: current.id })
      })
    },

    /** The box as a frontend renders it (or, for preview, with every teaser and why it is hidden). */
    async box(key: string, view: BoxView): Promise<Box> {
      if (view.at) {
        const collection = await findCollection(db, key)
        const event = await db.collectionEvent.findFirst({
          where: { collectionId: collection.id, at: { lte: view.at } },
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
        })
        const entries = (event?.lineup ?? []) as unknown as LineupEntry[]
        const [articles, sources] = await Promise.all([
          db.article.findMany({
            where: { id: { in: entries.flatMap((e) => (e.articleId ? [e.articleId] : [])) } },
            include: { source: true },
          }),
          db.source.findMany({ where: { id: { in: entries.flatMap((e) => (e.sourceId ? [e.sourceId] : [])) } } }),
        ])
        const articleById = new Map(articles.map((a) => [a.id, a]))
        const sourceById = new Map(sources.map((s) => [s.id, s]))
        const rows = entries.map((e) => {
          const article = e.articleId ? (articleById.get(e.articleId) ?? null) : null
          return {
            ...e,
            collectionId: collection.id,
            startsAt: e.startsAt ? new Date(e.startsAt) : null,
            endsAt: e.endsAt ? new Date(e.endsAt) : null,
            createdAt: new Date(e.createdAt),
            updatedAt: new Date(e.updatedAt),
            // An article deleted after `at` was still there at `at`.
            article:
              article?.deletedAt && article.deletedAt > (view.at as Date) ? { ...article, deletedAt: null } : article,
            source: e.sourceId ? (sourceById.get(e.sourceId) ?? null) : null,
          } as TeaserRow
        })
        return boxOf(collection, rows, view)
      }
      const collection = await db.collection.findUnique({
        where: { key },
        include: { teasers: { orderBy: lineupOrder, include: teaserInclude } },
      })
      if (!collection) throw new NotFoundError('collection', key)
      const { teasers, ...rest } = collection
      return boxOf(rest, teasers, view)
    },

    async addTeaser(key: string, input: TeaserCreate, ifMatch: IfMatch, actor: Actor): Promise<Teaser> {
      return db.$transaction(async (tx) => {
        const collection = await findCollection(tx, key)
        await lock(tx, collection, ifMatch, actor)
        const data = await teaserData(tx, input)
        const rows = await lineup(tx, collection.id)
        const created = await tx.teaser.create({
          data: {
            ...(data as Prisma.TeaserUncheckedCreateInput),
            text: input.text,
            collectionId: collection.id,
            position: rows.length,
            createdById: actor.keyId,
            updatedById: actor.keyId,
          },
          include: teaserInclude,
        })
        const ordered = [...rows, created].sort((a, b) => Number(b.pinned) - Number(a.pinned))
        const target = input.position ?? ordered.length - 1
        await renumber(tx, collection.id, moved(ordered, created.id, target))
        await recordEvent(tx, collection.id, 'add', created.id, actor)
        return toTeaser(await findTeaser(tx, created.id), true)
      })
    },

    async getTeaser(id: string): Promise<Teaser> {
      return toTeaser(await findTeaser(db, id), true)
    },

    async updateTeaser(id: string, input: TeaserUpdate, ifMatch: IfMatch, actor: Actor): Promise<Teaser> {
      return db.$transaction(async (tx) => {
        const found = await findTeaser(tx, id)
        const collection = await tx.collection.findUniqueOrThrow({ where: { id: found.collectionId } })
        await lock(tx, collection, undefined, actor)
        // Read again under the lock: a concurrent change to this teaser has committed by now.
        const current = await findTeaser(tx, id)
        checkIfMatch(ifMatch, current.version)
        const data = await teaserData(tx, input, current)
        await tx.teaser.update({
          where: { id },
          data: { ...data, version: { increment: 1 }, updatedById: actor.keyId },
        })
        const rows = await lineup(tx, collection.id)
        const target = input.position ?? rows.findIndex((r) => r.id === id)
        await renumber(tx, collection.id, moved(rows, id, target))
        const action =
          input.pinned !== undefined && input.pinned !== current.pinned
            ? input.pinned
              ? 'pin'
              : 'unpin'
            : input.position !== undefined
              ? 'move'
              : 'update'
        await recordEvent(tx, collection.id, action, id, actor)
        return toTeaser(await findTeaser(tx, id), true)
      })
    },

    async removeTeaser(id: string, ifMatch: IfMatch, actor: Actor): Promise<void> {
      await db.$transaction(async (tx) => {
        const found = await findTeaser(tx, id)
        const collection = await tx.collection.findUniqueOrThrow({ where: { id: found.collectionId } })
        await lock(tx, collection, undefined, actor)
        // Read again under the lock: a concurrent change or removal has committed by now.
        checkIfMatch(ifMatch, (await findTeaser(tx, id)).version)
        await tx.teaser.delete({ where: { id } })
        const rows = await lineup(tx, collection.id)
        await renumber(
          tx,
          collection.id,
          rows.map((r) => r.id),
        )
        await recordEvent(tx, collection.id, 'remove', id, actor)
      })
    },

    /** Applies a complete new order atomically; the id list must be exactly the collection's teasers. */
    async reorder(key: string, teaserIds: string[], ifMatch: IfMatch, actor: Actor): Promise<Box> {
      await db.$transaction(async (tx) => {
        const collection = await findCollection(tx, key)
        await lock(tx, collection, ifMatch, actor)
        const rows = await lineup(tx, collection.id)
        const current = new Set(rows.map((r) => r.id))
        const given = new Set(teaserIds)
        const missing = [...current].filter((id) => !given.has(id))
        const unexpected = teaserIds.filter((id) => !current.has(id))
        if (missing.length > 0 || unexpected.length > 0) {
          throw withProblem(new ConflictError('teaserIds must list exactly the collection’s current teasers'), {
            missing,
            unexpected,
          })
        }
        // Pinned teasers stay ahead of the others; within each group, the given order.
        const pinned = new Set(rows.filter((r) => r.pinned).map((r) => r.id))
        const ordered = [...teaserIds.filter((id) => pinned.has(id)), ...teaserIds.filter((id) => !pinned.has(id))]
        await renumber(tx, collection.id, ordered)
        await recordEvent(tx, collection.id, 'reorder', null, actor)
      })
      return this.box(key, { preview: true })
    },

    async history(key: string, limit: number, cursor?: string) {
      const collection = await findCollection(db, key)
      const after = cursor ? decodeCursor(cursor, '-at', ['date', 'uuid']) : undefined
      const rows = await db.collectionEvent.findMany({
        where: {
          collectionId: collection.id,
          ...(after ? { OR: [{ at: { lt: after[0] } }, { at: after[0], id: { lt: after[1] } }] } : {}),
        },
        orderBy: [{ at: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      })
      const more = rows.length > limit
      const data = (more ? rows.slice(0, limit) : rows).map((e) => ({
        id: e.id,
        action: e.action,
        teaserId: e.teaserId,
        keyId: e.keyId,
        requestId: e.requestId,
        at: e.at.toISOString(),
        teaserIds: (e.lineup as unknown as LineupEntry[]).map((t) => t.id),
      }))
      const last = data.at(-1)
      return { data, page: { limit, nextCursor: more && last ? encodeCursor('-at', [last.at, last.id]) : null } }
    },

    /** The seed's first line-up, recorded so that history starts with the seeded box. */
    recordSeed(tx: Db, collectionId: string) {
      return recordEvent(tx, collectionId, 'seed', null, { keyId: null, requestId: 'seed' })
    },
  }
}

export type CollectionsService = ReturnType<typeof createCollectionsService>
