// POST /v1/articles with an Idempotency-Key: a retry gets the first answer instead of a second article.

import { createHash } from 'node:crypto'
import type { PrismaClient } from '../../db/database.js'
import { directTransaction, type RawDb } from '../../db/direct.js'
import { isUniqueViolation } from '../../db/errors.js'
import { IdempotencyMismatchError } from '../../errors.js'
import type { Actor } from '../../lib/principal.js'
import type { Article } from './articles.schemas.js'
import * as writes from './articles.write-repository.js'

export interface Idempotent<T> {
  body: T
  replayed: boolean
}

/**
 * Runs `create` at most once per key and API key; a retry with the same body gets the first
 * answer, with another body a 422. The key is claimed in the same transaction as the article, so
 * a concurrent duplicate waits for the first to commit and then replays it.
 */
export async function createOnce(
  db: PrismaClient,
  { key, input, actor }: { key: string; input: unknown; actor: Actor },
  create: (tx: RawDb) => Promise<Article>,
): Promise<Idempotent<Article>> {
  const keyId = actor.keyId ?? '00000000-0000-0000-0000-000000000000'
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex')
  const replay = async (): Promise<Idempotent<Article> | undefined> => {
    const previous = await writes.findIdempotencyRecord(db, keyId, key)
    if (!previous) return undefined
    if (previous.requestHash !== requestHash) throw new IdempotencyMismatchError()
    return { body: previous.body as Article, replayed: true }
  }
  const earlier = await replay()
  if (earlier) return earlier
  try {
    return await directTransaction(db, async (tx) => {
      await writes.claimIdempotencyKey(tx, keyId, key, requestHash)
      const body = await create(tx)
      await writes.storeIdempotentBody(tx, keyId, key, body)
      return { body, replayed: false }
    })
  } catch (err) {
    const raced = isUniqueViolation(err) ? await replay() : undefined
    if (raced) return raced
    throw err
  }
}
