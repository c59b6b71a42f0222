// Every query of webhooks themselves. Each takes the client or an open transaction, so a service
// composes several in one. Deliveries and their attempts: webhooks.deliveries-repository.ts.
import type { Db } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { keysetWhere } from '../../lib/pagination.js'

export type WebhookRow = Prisma.WebhookGetPayload<object>

export function findWebhook(db: Db, id: string): Promise<WebhookRow | null> {
  return db.webhook.findUnique({ where: { id } })
}

/** Newest first: `limit + 1` rows after the given position. */
export function listWebhooks(db: Db, limit: number, after?: { createdAt: Date; id: string }): Promise<WebhookRow[]> {
  return db.webhook.findMany({
    where: after ? keysetWhere('createdAt', 'desc', after.createdAt, after.id) : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  })
}

export function insertWebhook(db: Db, data: Prisma.WebhookUncheckedCreateInput): Promise<WebhookRow> {
  return db.webhook.create({ data })
}

/**
 * Locks the webhook's row until the transaction ends (a concurrent writer waits for it) and
 * returns it as it is then; null when it is gone.
 */
export async function lockWebhook(db: Db, id: string): Promise<WebhookRow | null> {
  const [locked] = await db.$queryRaw<{ id: string }[]>`SELECT id FROM webhooks WHERE id = ${id}::uuid FOR UPDATE`
  return locked ? findWebhook(db, id) : null
}

/** Updates the webhook and bumps its version. */
export function updateWebhook(db: Db, id: string, data: Prisma.WebhookUncheckedUpdateInput): Promise<WebhookRow> {
  return db.webhook.update({ where: { id }, data: { ...data, version: { increment: 1 } } })
}

/** Deletes the webhook; its deliveries and their attempts go with it (foreign keys cascade). */
export async function deleteWebhook(db: Db, id: string): Promise<void> {
  await db.webhook.delete({ where: { id } })
}

/**
 * Schedules the webhook's pending deliveries: due `at` (it was enabled again), or at no time
 * (null: it was disabled), which takes them out of the claim's index range until then.
 */
export async function schedulePending(db: Db, webhookId: string, at: Date | null, now: Date): Promise<void> {
  await db.webhookDelivery.updateMany({
    where: { webhookId, status: 'pending' },
    data: { nextAttemptAt: at, updatedAt: now },
  })
}

/** The id of the collection with this key, or this id. */
export async function findCollectionId(db: Db, keyOrId: string, isId: boolean): Promise<string | null> {
  // Keys are never shaped like a UUID (SlugSchema), so one that is can only be an id.
  const row = await db.collection.findUnique({
    where: isId ? { id: keyOrId.toLowerCase() } : { key: keyOrId },
    select: { id: true },
  })
  return row?.id ?? null
}

/** After a success: the failure count starts again. */
export async function resetFailures(db: Db, id: string): Promise<void> {
  await db.$executeRaw`UPDATE webhooks SET consecutive_failures = 0 WHERE id = ${id}::uuid AND consecutive_failures > 0`
}

/**
 * Counts a failed attempt; the attempt that reaches `limit` disables the webhook, naming the
 * count and `last` (the error or status) as the reason. Every expression reads the row as it is
 * once locked, so concurrent failures count one by one and only one of them disables. Returns
 * whether this one did.
 */
export async function countFailure(db: Db, id: string, limit: number, last: string, now: Date): Promise<boolean> {
  const rows = await db.$queryRaw<{ enabled: boolean; disabledAt: Date | null }[]>`
    UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
      enabled = enabled AND consecutive_failures + 1 < ${limit},
      disabled_at = CASE WHEN enabled AND consecutive_failures + 1 >= ${limit} THEN ${now} ELSE disabled_at END,
      disabled_reason = CASE WHEN enabled AND consecutive_failures + 1 >= ${limit}
        THEN (consecutive_failures + 1) || ' consecutive failed attempts; the last: ' || ${last}
        ELSE disabled_reason END,
      version = version + CASE WHEN enabled AND consecutive_failures + 1 >= ${limit} THEN 1 ELSE 0 END,
      updated_at = CASE WHEN enabled AND consecutive_failures + 1 >= ${limit} THEN ${now} ELSE updated_at END
    WHERE id = ${id}::uuid
    RETURNING enabled, disabled_at AS "disabledAt"`
  const row = rows[0]
  return row !== undefined && !row.enabled && row.disabledAt?.getTime() === now.getTime()
}
