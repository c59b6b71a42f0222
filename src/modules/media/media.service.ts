// Media records: an upload stored once (identical bytes return the record that has them), its
// descriptive fields changed under If-Match, and a delete refused while anything uses the image.
// The bytes live in MediaStorage; a failed upload leaves neither a file nor a row behind.
import type { PrismaClient } from '../../db/database.js'
import { isUniqueViolationOf, translateDatabaseError } from '../../db/errors.js'
import type { Db } from '../../db/types.js'
import { MediaInUseError, NotFoundError, withProblem } from '../../errors.js'
import { decodeCursor, type Page, parseSort, toPage } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import { uuidv7 } from '../../lib/uuid.js'
import { checkIfMatch, type IfMatch } from '../../lib/versions.js'
import { recordAudit } from '../audit/audit.repository.js'
import { mediaEvent } from '../changes/changes.events.js'
import { recordEvents } from '../changes/changes.writer.js'
import { roundFocal, storageKeys } from './media.files.js'
import { type MediaRow, toMedia } from './media.mapper.js'
import * as repo from './media.repository.js'
import type { Media, MediaListQuery, MediaTextField, MediaUpdate, MediaUploadFields } from './media.schemas.js'
import { mediaTextLimits } from './media.schemas.js'
import type { MediaStorage } from './media.storage.js'
import { discard, type EmbeddedMetadata, inspect, type Spooled } from './media.upload.js'

export interface MediaServiceOptions {
  clock: () => Date
  storage: MediaStorage
  maxPixels: number
  /** Base of rendition URLs (MEDIA_PUBLIC_URL). */
  publicUrl?: string
  /** A storage failure after the database committed: logged, the answer stands. */
  onStorageError: (err: unknown, key: string) => void
}

/** An upload's answer: the record, and whether it is new (201) or had these bytes already (200). */
export interface Uploaded {
  media: Media
  created: boolean
}

/** At most `max` characters (code points), as the column counts them. */
function bounded(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined
  const chars = [...value]
  return chars.length > max ? chars.slice(0, max).join('').trim() : value
}

/** The columns `q` and `credit=` search, lower-cased here so any collation finds them alike. */
function searchColumns(row: Pick<MediaRow, 'caption' | 'alt' | 'credit'>) {
  return {
    searchKey: [row.caption, row.alt, row.credit]
      .filter((v) => v)
      .join('\n')
      .toLowerCase(),
    creditKey: row.credit?.toLowerCase() ?? null,
  }
}

/** The descriptive columns of a new record: the request's fields, else the file's own metadata. */
function descriptiveColumns(fields: MediaUploadFields, embedded: EmbeddedMetadata) {
  const pick = (field: MediaTextField & keyof EmbeddedMetadata) =>
    fields[field] ?? bounded(embedded[field], mediaTextLimits[field]) ?? null
  const capturedAt = fields.capturedAt ? new Date(fields.capturedAt) : (embedded.capturedAt ?? null)
  const text = {
    alt: fields.alt ?? null,
    caption: pick('caption'),
    credit: pick('credit'),
    copyrightHolder: pick('copyrightHolder'),
    usageTerms: fields.usageTerms ?? null,
  }
  return { ...text, ...searchColumns(text), capturedAt }
}

function focalColumns(focalPoint: { x: number; y: number } | undefined) {
  return focalPoint ? { focalX: roundFocal(focalPoint.x), focalY: roundFocal(focalPoint.y) } : {}
}

/** Every field of a new record, as a new record's event names them. */
const createdFields = [
  ...['mimeType', 'bytes', 'width', 'height', 'sha256', 'alt', 'caption', 'credit', 'copyrightHolder'],
  ...['usageTerms', 'capturedAt', 'focalPoint', 'placeholder'],
]

/**
 * The audit entry and change event of a write, in its transaction. A new record is used by
 * nothing and a deleted one was used by nothing live, so only an update may be public: when
 * public content shows the image then.
 */
async function recordChange(
  tx: Db,
  change: { action: 'create' | 'update' | 'delete'; row: MediaRow; fields: string[]; at: Date },
  actor: Actor,
): Promise<void> {
  const { action, row, fields, at } = change
  await recordAudit(tx, actor, { action, resourceType: 'media', resourceId: row.id })
  const isPublic = action === 'update' && (await repo.usedPublicly(tx, row.id, at))
  await recordEvents(tx, [mediaEvent(`media.${action}d`, row, { fields, at, public: isPublic })], { actor, now: at })
}

/** The fields a change sets, by their names in the representation. */
function changedFields(input: MediaUpdate): string[] {
  return Object.keys(input).filter((k) => input[k as keyof MediaUpdate] !== undefined)
}

function inUse(uses: repo.MediaUses): Error {
  const parts = [`${uses.articles} article(s)`, `${uses.teasers} teaser(s)`, `${uses.people} person(s)`]
  return withProblem(new MediaInUseError(`The image is still used by ${parts.join(', ')}; remove it from them first`), {
    references: uses,
  })
}

export function createMediaService(db: PrismaClient, options: MediaServiceOptions) {
  const { clock, storage, publicUrl } = options
  const show = (row: MediaRow) => toMedia(row, publicUrl)

  /** The record holding these bytes, when a concurrent upload of them won the race. */
  async function winnerOf(err: unknown, sha256: string): Promise<MediaRow | undefined> {
    if (!isUniqueViolationOf(err, 'sha256')) return undefined
    return (await repo.findMediaBySha256(db, sha256)) ?? undefined
  }

  /** Removes what an upload that did not complete stored; a failure is logged, the answer stands. */
  async function removeFolder(id: string): Promise<void> {
    await storage.remove(storageKeys.folder(id)).catch((err) => options.onStorageError(err, storageKeys.folder(id)))
  }

  /** Stores the original, then inserts its row; the stored object goes again if the insert fails. */
  async function store(spooled: Spooled, fields: MediaUploadFields, actor: Actor): Promise<Uploaded> {
    const image = await inspect(spooled, options.maxPixels)
    const id = uuidv7(clock().getTime())
    await storage.putFile(storageKeys.original(id), spooled.path, image.mimeType).catch(async (err) => {
      // The write may have made the record's folder before it failed: nothing of it may stay.
      await removeFolder(id)
      throw err
    })
    try {
      const row = await db.$transaction(async (tx) => {
        const created = await repo.insertMedia(tx, {
          ...{ id, sha256: spooled.sha256, mimeType: image.mimeType, bytes: spooled.bytes },
          ...{ width: image.width, height: image.height, placeholder: image.placeholder },
          ...descriptiveColumns(fields, image.embedded),
          ...focalColumns(fields.focalPoint),
          ...{ createdById: actor.keyId, updatedById: actor.keyId },
        })
        await recordChange(tx, { action: 'create', row: created, fields: createdFields, at: clock() }, actor)
        return created
      })
      return { media: show(row), created: true }
    } catch (err) {
      await removeFolder(id)
      const winner = await winnerOf(err, spooled.sha256)
      if (winner) return { media: show(winner), created: false }
      throw err
    }
  }

  return {
    async get(id: string): Promise<Media> {
      const row = await repo.findMedia(db, id)
      if (!row) throw new NotFoundError('media', id)
      return show(row)
    },

    async list(query: MediaListQuery): Promise<Page<Media>> {
      const sort = parseSort<'createdAt'>(query.sort)
      const after = query.cursor ? decodeCursor(query.cursor, sort.key, ['date', 'uuid'] as const) : undefined
      const rows = await repo.listMedia(db, {
        ...{ q: query.q, credit: query.credit, mimeType: query.mimeType, limit: query.limit, sort },
        after: after ? { value: after[0], id: after[1] } : undefined,
      })
      const page = toPage(rows, query.limit, sort.key, (r) => [r.createdAt.toISOString(), r.id])
      return { data: page.data.map(show), page: page.page }
    },

    /**
     * Takes an uploaded file (spooled to a temporary file, removed here whatever happens): the
     * record that has these bytes already, or a new one with the original stored.
     */
    async upload(spooled: Spooled, fields: MediaUploadFields, actor: Actor): Promise<Uploaded> {
      try {
        const existing = await repo.findMediaBySha256(db, spooled.sha256)
        if (existing) return { media: show(existing), created: false }
        return await store(spooled, fields, actor)
      } finally {
        await discard(spooled)
      }
    },

    async update(id: string, input: MediaUpdate, ifMatch: IfMatch, actor: Actor): Promise<Media> {
      const row = await db.$transaction(async (tx) => {
        const current = await repo.lockMedia(tx, id)
        if (!current) throw new NotFoundError('media', id)
        checkIfMatch(ifMatch, current.version)
        const { focalPoint, capturedAt, ...text } = input
        const next = { ...current, ...text }
        const updated = await repo.updateMedia(tx, id, {
          ...text,
          ...searchColumns(next),
          ...(capturedAt === undefined ? {} : { capturedAt: capturedAt === null ? null : new Date(capturedAt) }),
          ...focalColumns(focalPoint),
          updatedById: actor.keyId,
        })
        await recordChange(tx, { action: 'update', row: updated, fields: changedFields(input), at: clock() }, actor)
        return updated
      })
      return show(row)
    },

    /** Deletes the record and then its files; refused (409) while anything live uses it. */
    async remove(id: string, ifMatch: IfMatch, actor: Actor): Promise<void> {
      await db
        .$transaction(async (tx) => {
          const current = await repo.lockMedia(tx, id)
          if (!current) throw new NotFoundError('media', id)
          checkIfMatch(ifMatch, current.version)
          const uses = await repo.mediaUses(tx, id)
          if (uses.articles + uses.teasers + uses.people > 0) throw inUse(uses)
          await repo.detachDeletedArticles(tx, id)
          await repo.deleteMedia(tx, id)
          await recordChange(tx, { action: 'delete', row: current, fields: [], at: clock() }, actor)
        })
        .catch(async (err) => {
          // A use made since the count (the foreign keys restrict the delete): the same 409.
          if ((translateDatabaseError(err) as { code?: string } | undefined)?.code === 'ND_CONFLICT') {
            throw inUse(await repo.mediaUses(db, id))
          }
          throw err
        })
      await storage.remove(storageKeys.folder(id)).catch((err) => options.onStorageError(err, storageKeys.folder(id)))
    },
  }
}

export type MediaService = ReturnType<typeof createMediaService>
