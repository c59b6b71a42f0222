// Finding a collection and claiming it for a change: what every write to a collection or its
// teasers starts with.
import type { Db } from '../../db/types.js'
import { NotFoundError } from '../../errors.js'
import { checkIfMatch, type IfMatch } from '../../lib/versions.js'
import * as repo from './collections.repository.js'

export async function requireCollection(db: Db, key: string): Promise<repo.CollectionRow> {
  const row = await repo.findCollection(db, key)
  if (!row) throw new NotFoundError('collection', key)
  return row
}

/**
 * Claims the collection for a change: one writer at a time (a row lock held until the transaction
 * ends, so a concurrent writer waits instead of failing), and If-Match against the version as it
 * is once the lock is held.
 */
export async function claim(tx: Db, collection: repo.CollectionRow, ifMatch: IfMatch): Promise<void> {
  const version = await repo.lockCollection(tx, collection.id)
  if (version === null) throw new NotFoundError('collection', collection.key)
  checkIfMatch(ifMatch, version)
}
