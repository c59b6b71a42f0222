// Webhooks: creating, reading, changing and deleting them and rotating their secrets; the
// deliveries a client reads or asks for are in webhooks.deliveries.ts. Sending is the worker's
// (webhooks.worker.ts); deliveries of change events are enqueued with the events themselves.
import type { PrismaClient } from '../../db/database.js'
import type { Db } from '../../db/types.js'
import { MissingReferenceError, NotFoundError, withProblem } from '../../errors.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import { uuidPattern } from '../../lib/uuid.js'
import { checkIfMatch, type IfMatch } from '../../lib/versions.js'
import { recordAudit } from '../audit/audit.repository.js'
import { resolveSourceId } from '../sources/sources.service.js'
import { checkWebhookUrl, type Resolve, type TargetPolicy } from './webhooks.address.js'
import { createDeliveriesService } from './webhooks.deliveries.js'
import { listSort, requireWebhook } from './webhooks.lookup.js'
import { toWebhook } from './webhooks.mapper.js'
import * as repo from './webhooks.repository.js'
import type { Webhook, WebhookCreate, WebhookListQuery, WebhookUpdate, WebhookWithSecret } from './webhooks.schemas.js'
import { newSecret, rotationOverlapMs } from './webhooks.signing.js'

export interface WebhooksServiceOptions {
  clock: () => Date
  /** What a webhook URL may be and reach (config.webhooks). */
  policy: TargetPolicy
  /** Resolves host names for the URL check (tests inject answers). */
  resolve?: Resolve
  /** Wakes the delivery worker: a delivery is due now. */
  wake?: () => void
}

type FilterInput = NonNullable<WebhookCreate['filter']>
type FilterColumns = { filterSourceId?: string | null; filterTag?: string | null; filterCollectionId?: string | null }

async function resolveCollectionId(db: Db, keyOrId: string): Promise<string> {
  const id = await repo.findCollectionId(db, keyOrId, uuidPattern.test(keyOrId))
  const field = 'filter/collection'
  if (!id) throw withProblem(new MissingReferenceError(`No collection matches "${keyOrId}" (${field})`), { field })
  return id
}

/** The filter columns a create or update sets: names resolved to ids (422 for one that matches nothing). */
async function filterColumns(db: Db, filter: FilterInput | undefined): Promise<FilterColumns> {
  const data: FilterColumns = {}
  if (!filter) return data
  if (filter.source !== undefined) {
    data.filterSourceId = filter.source === null ? null : await resolveSourceId(db, filter.source, 'filter/source')
  }
  if (filter.tag !== undefined) data.filterTag = filter.tag
  if (filter.collection !== undefined) {
    data.filterCollectionId = filter.collection === null ? null : await resolveCollectionId(db, filter.collection)
  }
  return data
}

/** The columns `enabled` sets: re-enabling clears the failure state; disabling names the API. */
function enabledColumns(current: repo.WebhookRow, enabled: boolean | undefined, now: Date) {
  if (enabled === undefined || enabled === current.enabled) return {}
  if (enabled) return { enabled, disabledReason: null, disabledAt: null, consecutiveFailures: 0 }
  return { enabled, disabledReason: 'Disabled through the API', disabledAt: now }
}

/** Runs `change` on the webhook, its row locked, after If-Match; 404 when there is none. */
function withLocked<T>(
  db: PrismaClient,
  id: string,
  ifMatch: IfMatch,
  change: (tx: Db, row: repo.WebhookRow) => Promise<T>,
): Promise<T> {
  return db.$transaction(async (tx) => {
    const row = await repo.lockWebhook(tx, id)
    if (!row) throw new NotFoundError('webhook', id)
    checkIfMatch(ifMatch, row.version)
    return change(tx, row)
  })
}

function createWebhookWrites(db: PrismaClient, options: WebhooksServiceOptions) {
  const { clock, policy, resolve } = options
  const wake = options.wake ?? (() => {})

  return {
    /** A new webhook; `preview`: the creating key holds content:preview, so drafts are sent too. */
    async create(input: WebhookCreate, actor: Actor, preview: boolean): Promise<WebhookWithSecret> {
      await checkWebhookUrl(input.url, policy, resolve)
      const secret = newSecret()
      const now = clock()
      const row = await db.$transaction(async (tx) => {
        const created = await repo.insertWebhook(tx, {
          ...{ url: input.url, events: input.events, description: input.description ?? null, secret, preview },
          ...(await filterColumns(tx, input.filter)),
          ...{ createdById: actor.keyId, updatedById: actor.keyId, createdAt: now, updatedAt: now },
        })
        await recordAudit(tx, actor, { action: 'create', resourceType: 'webhook', resourceId: created.id })
        return created
      })
      return { ...toWebhook(row), secret }
    },

    async update(id: string, input: WebhookUpdate, ifMatch: IfMatch, actor: Actor): Promise<Webhook> {
      const current = await requireWebhook(db, id)
      // Before the transaction: resolving a host name must not hold the row lock.
      if (input.url !== undefined && input.url !== current.url) await checkWebhookUrl(input.url, policy, resolve)
      const now = clock()
      let reenabled = false
      const row = await withLocked(db, id, ifMatch, async (tx, locked) => {
        reenabled = input.enabled === true && !locked.enabled
        const updated = await repo.updateWebhook(tx, id, {
          ...{ url: input.url, events: input.events, description: input.description },
          ...(await filterColumns(tx, input.filter)),
          ...enabledColumns(locked, input.enabled, now),
          ...{ updatedById: actor.keyId, updatedAt: now },
        })
        // Pending deliveries wait while the webhook is disabled, and are due at once when it is enabled.
        if (input.enabled !== undefined && input.enabled !== locked.enabled) {
          await repo.schedulePending(tx, id, input.enabled ? now : null, now)
        }
        await recordAudit(tx, actor, { action: 'update', resourceType: 'webhook', resourceId: id })
        return updated
      })
      if (reenabled) wake()
      return toWebhook(row)
    },

    async remove(id: string, ifMatch: IfMatch, actor: Actor): Promise<void> {
      await withLocked(db, id, ifMatch, async (tx) => {
        await repo.deleteWebhook(tx, id)
        await recordAudit(tx, actor, { action: 'delete', resourceType: 'webhook', resourceId: id })
      })
    },

    /** A new secret; the current one keeps signing beside it for a day (rotationOverlapMs). */
    async rotateSecret(id: string, actor: Actor): Promise<WebhookWithSecret> {
      const secret = newSecret()
      const now = clock()
      const row = await withLocked(db, id, undefined, async (tx, locked) => {
        const updated = await repo.updateWebhook(tx, id, {
          ...{ secret, previousSecret: locked.secret },
          previousSecretExpiresAt: new Date(now.getTime() + rotationOverlapMs),
          ...{ updatedById: actor.keyId, updatedAt: now },
        })
        await recordAudit(tx, actor, { action: 'rotate-secret', resourceType: 'webhook', resourceId: id })
        return updated
      })
      return { ...toWebhook(row), secret }
    },
  }
}

export function createWebhooksService(db: PrismaClient, options: WebhooksServiceOptions) {
  return {
    async list(query: WebhookListQuery): Promise<Page<Webhook>> {
      const after = query.cursor ? decodeCursor(query.cursor, listSort, ['date', 'uuid']) : undefined
      const rows = await repo.listWebhooks(db, query.limit, after ? { createdAt: after[0], id: after[1] } : undefined)
      const page = toPage(rows, query.limit, listSort, (r) => [r.createdAt.toISOString(), r.id])
      return { data: page.data.map(toWebhook), page: page.page }
    },

    async get(id: string): Promise<Webhook> {
      return toWebhook(await requireWebhook(db, id))
    },

    ...createWebhookWrites(db, options),
    ...createDeliveriesService(db, options),
  }
}

export type WebhooksService = ReturnType<typeof createWebhooksService>
