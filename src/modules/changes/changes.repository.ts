// The change feed's queries: writing events (queued for a position, with their webhook deliveries)
// in the caller's transaction, the moments that fall due, positioning, reading the feed, retention.
import type { RawDb } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import { uuidPattern } from '../../lib/uuid.js'
import type { EventRow } from './changes.mapper.js'
import type { EventData, EventType, ResourceType } from './changes.schemas.js'

/** An event to write: its row without the id (the database gives it) and the actor. */
export interface NewEvent {
  type: EventType
  occurredAt: Date
  resourceType: ResourceType
  resourceId: string
  resourceSlug: string | null
  resourceVersion: number | null
  changedFields: string[]
  surrogateKeys: string[]
  public: boolean
  sourceIds: string[]
  tags: string[]
  /** The collection itself for a collection event; for an article, those linking to it are added here. */
  collectionIds: string[]
  /** What the event type carries besides (article.corrected, article.killed); absent: nothing. */
  data?: EventData | null
}

/** Event types whose webhook deliveries are claimed before every other due delivery. */
export const urgentEventTypes: EventType[] = ['article.killed']

/**
 * Gives feed positions, in id order, to the committed events in the queue. Positions are given
 * only after commit, by one sequencer at a time (a lock held to its commit): an event whose
 * transaction commits late gets a later position than every event already served, so a cursor
 * never passes an event that becomes visible afterwards, and a reader that sees position n sees
 * every position below it. A reader that finds queued events waits for a running sequencer
 * (milliseconds); writers never wait for it. Returns how many events it positioned.
 */
export async function sequenceEvents(tx: Db, batch: number): Promise<number> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('newsdesk.change_events.sequencer')::bigint)`
  const rows = await tx.$queryRaw<{ sequenced: number }[]>`
    WITH taken AS (
      DELETE FROM change_queue WHERE event_id IN (SELECT event_id FROM change_queue ORDER BY event_id LIMIT ${batch})
      RETURNING event_id
    ), ordered AS (SELECT event_id, row_number() OVER (ORDER BY event_id) AS n FROM taken),
    base AS (SELECT last_position AS p FROM change_log WHERE id = 1),
    placed AS (
      INSERT INTO change_positions (position, event_id)
      SELECT base.p + ordered.n, ordered.event_id FROM ordered, base RETURNING position
    ), moved AS (
      UPDATE change_log SET last_position = (SELECT max(position) FROM placed)
      WHERE id = 1 AND EXISTS (SELECT 1 FROM placed)
    )
    SELECT count(*)::int AS sequenced FROM placed`
  return rows[0]?.sequenced ?? 0
}

/** What the feed's upkeep has to do: moments due by `now`, events waiting for a position. */
export async function pendingWork(db: Db, now: Date): Promise<{ due: boolean; queued: boolean }> {
  const rows = await db.$queryRaw<{ due: boolean; queued: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM scheduled_changes WHERE due_at <= ${now}) AS due,
      EXISTS (SELECT 1 FROM change_queue) AS queued`
  return rows[0] ?? { due: false, queued: false }
}

/**
 * Writes the events in order (and the writes `also` names: INSERTs of the same change) and, in the same statement, one delivery for each enabled webhook
 * that wants it (its types, filters and visibility). An article event carries the collections
 * linking to the article, read here.
 */
export async function insertEvents(
  tx: RawDb,
  events: NewEvent[],
  actor: { keyId: string | null; requestId: string | null },
  now: Date,
  also: Prisma.Sql[] = [],
): Promise<void> {
  if (events.length === 0) {
    for (const write of also) await tx.$executeRaw(write)
    return
  }
  // The change's own writes (its revision, its audit entry), in the same statement.
  const writes = also.length
    ? Prisma.join(
        also.map((write, i) => Prisma.sql`${Prisma.raw(`also_${i}`)} AS (${write}), `),
        '',
      )
    : Prisma.empty
  const rows = JSON.stringify(
    events.map((e, ord) => ({
      ord,
      type: e.type,
      occurred_at: e.occurredAt.toISOString(),
      resource_type: e.resourceType,
      resource_id: e.resourceId,
      resource_slug: e.resourceSlug,
      resource_version: e.resourceVersion,
      changed_fields: e.changedFields,
      surrogate_keys: e.surrogateKeys,
      public: e.public,
      source_ids: [...new Set(e.sourceIds)],
      tags: [...new Set(e.tags)],
      collection_ids: e.collectionIds,
      data: e.data ?? null,
    })),
  )
  await tx.$executeRaw`
    WITH ${writes}input AS (
      SELECT * FROM jsonb_to_recordset(${rows}::jsonb) AS x(ord int, type text, occurred_at timestamptz,
        resource_type text, resource_id uuid, resource_slug text, resource_version int, changed_fields text[],
        surrogate_keys text[], public boolean, source_ids uuid[], tags text[], collection_ids uuid[], data jsonb)
    ), inserted AS (
      INSERT INTO change_events (type, occurred_at, resource_type, resource_id, resource_slug, resource_version,
        changed_fields, surrogate_keys, public, source_ids, tags, collection_ids, key_id, request_id, data)
      SELECT type, occurred_at, resource_type, resource_id, resource_slug, resource_version, changed_fields,
        surrogate_keys, public, source_ids, tags,
        CASE WHEN resource_type = 'article'
          THEN ARRAY(SELECT DISTINCT t.collection_id FROM teasers t WHERE t.article_id = input.resource_id)
          ELSE collection_ids END,
        ${actor.keyId}::uuid, ${actor.requestId}, data
      FROM input ORDER BY ord
      RETURNING id, type, public, source_ids, tags, collection_ids
    ), queued AS (
      INSERT INTO change_queue (event_id) SELECT id FROM inserted
    )
    INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, status, attempts, priority,
      next_attempt_at, created_at, updated_at)
    SELECT gen_random_uuid(), w.id, e.id, e.type, 'pending', 0,
      CASE WHEN e.type = ANY (${urgentEventTypes}::text[]) THEN 1 ELSE 0 END, ${now}, ${now}, ${now}
    FROM inserted e JOIN webhooks w ON w.enabled
      AND (e.public OR w.preview)
      AND (e.type = ANY (w.events) OR '*' = ANY (w.events) OR split_part(e.type, '.', 1) || '.*' = ANY (w.events))
      AND (w.filter_source_id IS NULL OR w.filter_source_id = ANY (e.source_ids))
      AND (w.filter_tag IS NULL OR w.filter_tag = ANY (e.tags))
      AND (w.filter_collection_id IS NULL OR w.filter_collection_id = ANY (e.collection_ids))
    ORDER BY e.id, w.id`
}

export interface Scheduled {
  resourceType: 'article' | 'teaser'
  resourceId: string
  dueAt: Date
}

/** Records moments when public content will change with no write (each once). */
export async function scheduleChanges(tx: RawDb, items: Scheduled[]): Promise<void> {
  if (items.length === 0) return
  await tx.$executeRaw`INSERT INTO scheduled_changes (resource_type, resource_id, due_at)
    SELECT * FROM unnest(${items.map((i) => i.resourceType)}::text[], ${items.map((i) => i.resourceId)}::uuid[],
      ${items.map((i) => i.dueAt.toISOString())}::timestamptz[])
    ON CONFLICT DO NOTHING`
}

/** Removes and returns the moments due by `now`, oldest first: whoever removes one writes its events. */
export async function takeDue(tx: Db, now: Date): Promise<Scheduled[]> {
  const rows = await tx.$queryRaw<Scheduled[]>`
    DELETE FROM scheduled_changes WHERE due_at <= ${now}
    RETURNING resource_type AS "resourceType", resource_id AS "resourceId", due_at AS "dueAt"`
  return rows.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
}

export interface DueArticle {
  id: string
  slug: string
  version: number
  publishedAt: Date
  embargoedUntil: Date | null
  sourceIds: string[]
  tags: string[]
}

/** The live articles among these that are published or scheduled, with their sources and tag slugs. */
export function dueArticles(tx: Db, ids: string[]): Promise<DueArticle[]> {
  return tx.$queryRaw<DueArticle[]>`
    SELECT a.id, a.slug, a.version, a.published_at AS "publishedAt", a.embargoed_until AS "embargoedUntil",
      array_remove(ARRAY[a.source_id] || ARRAY(SELECT c.source_id FROM article_credits c WHERE c.article_id = a.id),
        NULL)::text[] AS "sourceIds",
      ARRAY(SELECT t.slug FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id)::text[] AS tags
    FROM articles a
    WHERE a.id = ANY (${ids}::uuid[]) AND a.deleted_at IS NULL AND a.status IN ('scheduled', 'published')
      AND a.published_at IS NOT NULL`
}

export interface LinkingCollection {
  id: string
  key: string
  version: number
  /** The article (or teaser) that links it. */
  via: string
  startsAt: Date | null
  endsAt: Date | null
}

/** The collections whose teasers link to these articles. */
export async function collectionsLinking(tx: RawDb, articleIds: string[]): Promise<LinkingCollection[]> {
  return await tx.$queryRaw<LinkingCollection[]>`
    SELECT DISTINCT c.id, c.key, c.version, t.article_id AS via, NULL::timestamptz AS "startsAt",
      NULL::timestamptz AS "endsAt"
    FROM teasers t JOIN collections c ON c.id = t.collection_id WHERE t.article_id = ANY (${articleIds}::uuid[])`
}

/** The collections of these teasers, with each teaser's window. */
export function collectionsOfTeasers(tx: Db, teaserIds: string[]): Promise<LinkingCollection[]> {
  return tx.$queryRaw<LinkingCollection[]>`
    SELECT c.id, c.key, c.version, t.id AS via, t.starts_at AS "startsAt", t.ends_at AS "endsAt"
    FROM teasers t JOIN collections c ON c.id = t.collection_id WHERE t.id = ANY (${teaserIds}::uuid[])`
}

export interface FeedFilter {
  /** The position after which to read. */
  after: bigint
  limit: number
  /** Public events only (callers without content:preview). */
  publicOnly: boolean
  types?: string[]
  resourceType?: ResourceType
  source?: string
  tag?: string
  collection?: string
}

export type FeedRow = EventRow & { position: bigint }

export interface FeedRead {
  rows: FeedRow[]
  /** The last position given when the page was read (0: none yet). */
  head: bigint
  /** Events up to this position were removed by retention. */
  prunedThrough: bigint
}

const eventColumns = Prisma.sql`e.id, f.position, e.type, e.occurred_at AS "occurredAt", e.resource_type AS "resourceType",
  e.resource_id AS "resourceId", e.resource_slug AS "resourceSlug", e.resource_version AS "resourceVersion",
  e.changed_fields AS "changedFields", e.surrogate_keys AS "surrogateKeys", e.data`

function feedConditions(f: FeedFilter): Prisma.Sql[] {
  const where = [Prisma.sql`f.position > ${f.after}`]
  if (f.publicOnly) where.push(Prisma.sql`e.public`)
  if (f.types) where.push(Prisma.sql`e.type = ANY (${f.types}::text[])`)
  if (f.resourceType) where.push(Prisma.sql`e.resource_type = ${f.resourceType}`)
  if (f.source) {
    const id = uuidPattern.test(f.source)
      ? Prisma.sql`${f.source.toLowerCase()}::uuid`
      : Prisma.sql`(SELECT id FROM sources WHERE slug = ${f.source})`
    where.push(Prisma.sql`e.source_ids @> ARRAY[${id}]`)
  }
  if (f.tag) where.push(Prisma.sql`e.tags @> ARRAY[${f.tag}::text]`)
  if (f.collection) {
    where.push(Prisma.sql`e.collection_ids @> ARRAY[(SELECT id FROM collections WHERE key = ${f.collection})]`)
  }
  return where
}

/**
 * A page of positioned events after a position, with the head and the retention mark read in the
 * same statement (one snapshot): a page that reaches the head can move the cursor to it safely.
 */
export async function readFeed(db: Db, f: FeedFilter): Promise<FeedRead> {
  const rows = await db.$queryRaw<(Partial<FeedRow> & { head: bigint; pruned: bigint })[]>`
    SELECT l.last_position AS head, l.pruned_through AS pruned, p.* FROM change_log l
    LEFT JOIN LATERAL (
      SELECT ${eventColumns} FROM change_positions f JOIN change_events e ON e.id = f.event_id
      WHERE ${Prisma.join(feedConditions(f), ' AND ')}
      ORDER BY f.position LIMIT ${f.limit + 1}) p ON true
    WHERE l.id = 1
    ORDER BY p.position`
  const first = rows[0]
  return {
    rows: rows.filter((r) => r.id !== null && r.id !== undefined) as FeedRow[],
    head: first?.head ?? 0n,
    prunedThrough: first?.pruned ?? 0n,
  }
}

/**
 * Removes up to `batch` positioned events that occurred before `cutoff` (their positions and
 * deliveries go with them), and test deliveries as old; moves the retention mark past the removed
 * positions. Returns how many events went.
 */
export async function pruneBefore(db: Db, cutoff: Date, batch: number): Promise<number> {
  await db.$executeRaw`DELETE FROM webhook_deliveries WHERE event_id IS NULL AND created_at < ${cutoff}`
  // A DELETE notifies every instance even when it removes nothing (the trigger is per statement).
  const old = await db.$queryRaw<unknown[]>`SELECT 1 FROM change_events WHERE occurred_at < ${cutoff} LIMIT 1`
  if (old.length === 0) return 0
  const rows = await db.$queryRaw<{ removed: number }[]>`
    WITH old AS (
      SELECT f.position, f.event_id FROM change_positions f JOIN change_events e ON e.id = f.event_id
      WHERE e.occurred_at < ${cutoff} ORDER BY f.position LIMIT ${batch}
    ), gone AS (
      DELETE FROM change_events e USING old WHERE e.id = old.event_id RETURNING old.position
    ), mark AS (
      UPDATE change_log SET pruned_through = greatest(pruned_through, (SELECT max(position) FROM gone)),
        pruned_at = now()
      WHERE id = 1 AND EXISTS (SELECT 1 FROM gone)
    )
    SELECT count(*)::int AS removed FROM gone`
  return rows[0]?.removed ?? 0
}
