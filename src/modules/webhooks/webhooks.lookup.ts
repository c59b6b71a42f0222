// What the webhook services share: finding a webhook (404 when there is none) and the order of
// their lists (newest first).
import type { Db } from '../../db/types.js'
import { NotFoundError } from '../../errors.js'
import * as repo from './webhooks.repository.js'

/** Webhooks and deliveries are listed newest first; cursors name this sort. */
export const listSort = '-createdAt'

export async function requireWebhook(db: Db, id: string): Promise<repo.WebhookRow> {
  const row = await repo.findWebhook(db, id)
  if (!row) throw new NotFoundError('webhook', id)
  return row
}
