// Every query of webhook deliveries and their attempts: the lists, a test delivery, a
// redelivery, and the delivery worker's claim and record of each attempt. (Deliveries of change
// events are enqueued with the events: insertEvents in changes.repository.ts.)
import type { Db } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere } from '../../lib/pagination.js'
import { uuidv7 } from '../../lib/uuid.js'
import type { EventRow } from '../changes/changes.mapper.js'
import type { DeliveryStatus } from './webhooks.deliveries.schemas.js'

/** The attempts a delivery is shown with: the latest 50 (fetched newest first). */
export const attemptLogLimit = 50
const withAttempts = {
  attemptLog: { orderBy: [{ attemptedAt: 'desc' }, { id: 'desc' }], take: attemptLogLimit },
} satisfies Prisma.WebhookDeliveryInclude

export type DeliveryRow = Prisma.WebhookDeliveryGetPayload<{ include: typeof withAttempts }>

/** Enqueues a delivery with its own body (a webhook.test), due at `dueAt` (null: when its webhook is enabled). */
export function insertDelivery(
  db: Db,
  data: { webhookId: string; eventType: string; payload: Prisma.InputJsonValue; dueAt: Date | null; now: Date },
): Promise<DeliveryRow> {
  return db.webhookDelivery.create({
    data: {
      id: uuidv7(data.now.getTime()),
      webhookId: data.webhookId,
      eventType: data.eventType,
      payload: data.payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: data.dueAt,
      createdAt: data.now,
      updatedAt: data.now,
    },
    include: withAttempts,
  })
}

export interface DeliveryFilter {
  webhookId: string
  status?: DeliveryStatus
  after?: { createdAt: Date; id: string }
  limit: number
}

/** A webhook's deliveries, newest first: `limit + 1` rows after the given position. */
export function listDeliveries(db: Db, filter: DeliveryFilter): Promise<DeliveryRow[]> {
  return db.webhookDelivery.findMany({
    where: {
      webhookId: filter.webhookId,
      status: filter.status,
      ...(filter.after ? keysetWhere('createdAt', 'desc', filter.after.createdAt, filter.after.id) : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    include: withAttempts,
    take: filter.limit + 1,
  })
}

export function findDelivery(db: Db, webhookId: string, id: string): Promise<DeliveryRow | null> {
  return db.webhookDelivery.findFirst({ where: { id, webhookId }, include: withAttempts })
}

/**
 * Makes the delivery pending and due at `dueAt` (null: when its webhook is enabled) with its retry
 * schedule starting over. A claim held on it is dropped: an attempt in flight records its own
 * outcome no more (see finishAttempt).
 */
export async function restartDelivery(
  db: Db,
  webhookId: string,
  id: string,
  dueAt: Date | null,
  now: Date,
): Promise<boolean> {
  const { count } = await db.webhookDelivery.updateMany({
    where: { id, webhookId },
    data: { status: 'pending', attempts: 0, nextAttemptAt: dueAt, lockedUntil: null, updatedAt: now },
  })
  return count > 0
}

/** A delivery claimed for an attempt, with what sending it takes. */
export interface ClaimedDelivery {
  id: string
  webhookId: string
  attempts: number
  /** The body of a delivery that has no event (webhook.test). */
  payload: unknown
  url: string
  secret: string
  previousSecret: string | null
  previousSecretExpiresAt: Date | null
  /** The event sent (null for a webhook.test). */
  event: EventRow | null
}

type ClaimRow = Omit<ClaimedDelivery, 'event'> & { [K in keyof EventRow as `e_${K}`]: EventRow[K] | null }

/**
 * Claims up to `limit` due deliveries of enabled webhooks until `lockedUntil`, the urgent ones
 * (priority: article.killed) first, then oldest due first, and reads what sending them takes, in one statement. SKIP LOCKED lets concurrent instances
 * claim disjoint sets; a claim that is not released (the instance died mid-attempt) lapses at
 * `lockedUntil` and the delivery is attempted again. `now` comes from the application's clock.
 */
export async function claimDue(db: Db, now: Date, lockedUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
  const rows = await db.$queryRaw<ClaimRow[]>`
    WITH due AS (
      SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= ${now}
        AND (d.locked_until IS NULL OR d.locked_until < ${now}) AND w.enabled
      ORDER BY d.priority DESC, d.next_attempt_at LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED
    ), claimed AS (
      UPDATE webhook_deliveries d SET locked_until = ${lockedUntil} FROM due WHERE d.id = due.id
      RETURNING d.id, d.webhook_id, d.event_id, d.payload, d.attempts, d.priority, d.next_attempt_at
    )
    SELECT c.id, c.webhook_id AS "webhookId", c.attempts, c.payload, w.url, w.secret,
      w.previous_secret AS "previousSecret", w.previous_secret_expires_at AS "previousSecretExpiresAt",
      e.id AS "e_id", e.type AS "e_type", e.occurred_at AS "e_occurredAt", e.resource_type AS "e_resourceType",
      e.resource_id AS "e_resourceId", e.resource_slug AS "e_resourceSlug",
      e.resource_version AS "e_resourceVersion", e.changed_fields AS "e_changedFields",
      e.surrogate_keys AS "e_surrogateKeys", e.data AS "e_data"
    FROM claimed c JOIN webhooks w ON w.id = c.webhook_id LEFT JOIN change_events e ON e.id = c.event_id
    ORDER BY c.priority DESC, c.next_attempt_at, c.id`
  return rows.map((r) => ({
    id: r.id,
    webhookId: r.webhookId,
    attempts: r.attempts,
    payload: r.payload,
    url: r.url,
    secret: r.secret,
    previousSecret: r.previousSecret,
    previousSecretExpiresAt: r.previousSecretExpiresAt,
    event:
      r.e_id === null
        ? null
        : {
            id: r.e_id,
            type: r.e_type as string,
            occurredAt: r.e_occurredAt as Date,
            resourceType: r.e_resourceType as string,
            resourceId: r.e_resourceId as string,
            resourceSlug: r.e_resourceSlug,
            resourceVersion: r.e_resourceVersion,
            changedFields: r.e_changedFields,
            surrogateKeys: r.e_surrogateKeys,
            data: r.e_data,
          },
  }))
}

export interface AttemptRecord {
  attemptedAt: Date
  statusCode: number | null
  durationMs: number
  error: string | null
  responseBody: string | null
}

/** Logs an attempt of the delivery; false when the delivery is gone (its webhook was deleted). */
export async function insertAttempt(db: Db, deliveryId: string, a: AttemptRecord): Promise<boolean> {
  const count = await db.$executeRaw`
    INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, duration_ms, error, response_body)
    SELECT ${uuidv7()}::uuid, id, ${a.attemptedAt}, ${a.statusCode}::int, ${a.durationMs}::int, ${a.error},
      ${a.responseBody}
    FROM webhook_deliveries WHERE id = ${deliveryId}::uuid`
  return count > 0
}

export interface AttemptOutcome {
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: Date | null
  lastAttemptAt: Date
  now: Date
}

/**
 * Records the outcome on the delivery and releases the claim, if the claim is still the one this
 * attempt made (`claimedUntil`): a delivery redelivered meanwhile keeps its fresh schedule.
 */
export async function finishAttempt(db: Db, id: string, claimedUntil: Date, o: AttemptOutcome): Promise<void> {
  await db.webhookDelivery.updateMany({
    where: { id, lockedUntil: claimedUntil },
    data: {
      status: o.status,
      attempts: o.attempts,
      nextAttemptAt: o.nextAttemptAt,
      lastAttemptAt: o.lastAttemptAt,
      lockedUntil: null,
      updatedAt: o.now,
    },
  })
}
