// Advisory locks held until the caller's transaction ends.
import type { RawDb } from './direct.js'

/**
 * Claims, for the rest of the transaction, the first of `candidates` that no concurrent
 * transaction holds in `namespace`; null when every one is held. It never waits on a lock:
 * writers that waited held their pooled connections meanwhile (50 concurrent creates of one
 * headline exhausted a pool of 5 and failed after Prisma's two-second wait).
 */
export async function claimFirstFree(tx: RawDb, namespace: string, candidates: string[]): Promise<string | null> {
  const rows = await tx.$queryRaw<{ value: string }[]>`
    SELECT c AS value FROM unnest(${candidates}::text[]) AS c
    WHERE pg_try_advisory_xact_lock(hashtext(${namespace}), hashtext(c)) LIMIT 1`
  return rows[0]?.value ?? null
}
