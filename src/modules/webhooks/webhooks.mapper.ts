// From stored rows to webhooks and deliveries as the API shows them (a secret is never shown here).

import type { DeliveryStatus, WebhookDelivery } from './webhooks.deliveries.schemas.js'
import type { DeliveryRow } from './webhooks.deliveries-repository.js'
import type { WebhookRow } from './webhooks.repository.js'
import type { Webhook } from './webhooks.schemas.js'

const iso = (d: Date | null) => d?.toISOString() ?? null

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    // Stored only as the write's schema accepted them: selectors of the enum.
    events: row.events as Webhook['events'],
    filter: { source: row.filterSourceId, tag: row.filterTag, collection: row.filterCollectionId },
    receivesDrafts: row.preview,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: iso(row.disabledAt),
    consecutiveFailures: row.consecutiveFailures,
    previousSecretExpiresAt: row.previousSecret ? iso(row.previousSecretExpiresAt) : null,
    version: row.version,
    createdBy: row.createdById,
    updatedBy: row.updatedById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhookId,
    eventId: row.eventId === null ? null : row.eventId.toString(),
    eventType: row.eventType,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    lastAttemptAt: iso(row.lastAttemptAt),
    createdAt: row.createdAt.toISOString(),
    // Fetched newest first (the latest ones); shown oldest first.
    attemptLog: row.attemptLog
      .map((a) => ({
        attemptedAt: a.attemptedAt.toISOString(),
        statusCode: a.statusCode,
        durationMs: a.durationMs,
        error: a.error,
        responseBody: a.responseBody,
      }))
      .reverse(),
  }
}
