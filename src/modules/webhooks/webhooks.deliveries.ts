// A webhook's deliveries as clients see them: the list, one delivery, a test event and a
// redelivery (both due at once: the worker is woken).
import type { PrismaClient } from '../../db/database.js'
import { NotFoundError } from '../../errors.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import { recordAudit } from '../audit/audit.repository.js'
import type { ChangeEvent } from '../changes/changes.schemas.js'
import type { DeliveryListQuery, WebhookDelivery } from './webhooks.deliveries.schemas.js'
import * as repo from './webhooks.deliveries-repository.js'
import { listSort, requireWebhook } from './webhooks.lookup.js'
import { toDelivery } from './webhooks.mapper.js'

/** The body of a webhook.test delivery: shaped like every change event. */
function testEvent(webhookId: string, now: Date): ChangeEvent {
  return {
    id: '0',
    type: 'webhook.test',
    occurredAt: now.toISOString(),
    resource: { type: 'webhook', id: webhookId, slug: null, version: null },
    changedFields: [],
    surrogateKeys: [],
    data: null,
  }
}

export function createDeliveriesService(db: PrismaClient, options: { clock: () => Date; wake?: () => void }) {
  const { clock } = options
  const wake = options.wake ?? (() => {})

  return {
    async deliveries(id: string, query: DeliveryListQuery): Promise<Page<WebhookDelivery>> {
      await requireWebhook(db, id)
      const after = query.cursor ? decodeCursor(query.cursor, listSort, ['date', 'uuid']) : undefined
      const rows = await repo.listDeliveries(db, {
        webhookId: id,
        status: query.status,
        limit: query.limit,
        after: after ? { createdAt: after[0], id: after[1] } : undefined,
      })
      const page = toPage(rows, query.limit, listSort, (r) => [r.createdAt.toISOString(), r.id])
      return { data: page.data.map(toDelivery), page: page.page }
    },

    async delivery(id: string, deliveryId: string): Promise<WebhookDelivery> {
      const row = await repo.findDelivery(db, id, deliveryId)
      if (!row) throw new NotFoundError('delivery of this webhook', deliveryId)
      return toDelivery(row)
    },

    /** Enqueues a webhook.test delivery, due now, whatever events the webhook asked for. */
    async test(id: string, actor: Actor): Promise<WebhookDelivery> {
      const now = clock()
      const row = await db.$transaction(async (tx) => {
        const webhook = await requireWebhook(tx, id)
        const payload = testEvent(id, now)
        const created = await repo.insertDelivery(tx, {
          ...{ webhookId: id, eventType: payload.type, payload, now },
          // A disabled webhook's deliveries are due when it is enabled again.
          dueAt: webhook.enabled ? now : null,
        })
        await recordAudit(tx, actor, { action: 'test', resourceType: 'webhook', resourceId: id })
        return created
      })
      wake()
      return toDelivery(row)
    },

    /** Sends the delivery again (same id, so the same webhook-id), its retry schedule starting over. */
    async redeliver(id: string, deliveryId: string, actor: Actor): Promise<WebhookDelivery> {
      const now = clock()
      const row = await db.$transaction(async (tx) => {
        const webhook = await requireWebhook(tx, id)
        const restarted = await repo.restartDelivery(tx, id, deliveryId, webhook.enabled ? now : null, now)
        const found = restarted ? await repo.findDelivery(tx, id, deliveryId) : null
        if (!found) throw new NotFoundError('delivery of this webhook', deliveryId)
        await recordAudit(tx, actor, { action: 'redeliver', resourceType: 'webhook', resourceId: id })
        return found
      })
      wake()
      return toDelivery(row)
    },
  }
}
