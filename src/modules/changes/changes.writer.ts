// Writing events inside the transaction of the change they report (the outbox), and the events
// of moments that fall due with no write (scheduled articles going live, embargoes lifting, teaser
// windows).
import type { PrismaClient } from '../../db/database.js'
import type { RawDb } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import type { Prisma } from '../../generated/prisma/client.js'
import type { Actor } from '../../lib/principal.js'
import { type ArticleChange, articleEvent, articleSurrogateKeys, collectionEvent } from './changes.events.js'
import * as repo from './changes.repository.js'

/**
 * Writes events in the caller's transaction (queued for a feed position, and with their webhook
 * deliveries) and records the future moments the change scheduled. Nothing here waits on other
 * writers: the feed positions events after they commit (sequenceEvents).
 */
export async function recordEvents(
  tx: RawDb,
  events: repo.NewEvent[],
  context: { actor: Actor; now: Date; scheduled?: repo.Scheduled[]; also?: Prisma.Sql[] },
): Promise<void> {
  const { actor, now } = context
  await repo.insertEvents(tx, events, actor, now, context.also)
  await repo.scheduleChanges(
    tx,
    (context.scheduled ?? []).filter((s) => s.dueAt > now),
  )
}

/**
 * The event of a change to an article, and `collection.updated` for the boxes linking to it when
 * it became public or left the public reads (their public line-up changed with it).
 */
export async function recordArticleChange(
  tx: RawDb,
  change: ArticleChange,
  context: { actor: Actor; goesLiveAt?: Date | null; embargoLiftsAt?: Date | null; also?: Prisma.Sql[] },
): Promise<void> {
  const events = [articleEvent(change)]
  if (change.wasPublic !== change.isPublic) {
    const boxes = await repo.collectionsLinking(tx, [change.after.id])
    events.push(...boxes.map((b) => collectionEvent('collection.updated', b, ['teasers'], change.at)))
  }
  const scheduled = [context.goesLiveAt, context.embargoLiftsAt]
    .filter((at): at is Date => !!at)
    .map((dueAt) => ({ resourceType: 'article' as const, resourceId: change.after.id, dueAt }))
  await recordEvents(tx, events, { actor: context.actor, now: change.at, scheduled, also: context.also })
}

const sameInstant = (a: Date | null, b: Date) => a !== null && a.getTime() === b.getTime()

/**
 * Removes the moments due by `now` and writes their events, checked against the records as they
 * are: an article unpublished, rescheduled or deleted since, or whose embargo moved or was cleared,
 * or a teaser moved or removed, writes nothing. The delete is the claim: of two transactions removing one moment, the second waits for
 * the first and then finds nothing, so each moment is written once, by one instance.
 */
async function writeDue(tx: Db, now: Date): Promise<void> {
  const due = await repo.takeDue(tx, now)
  if (due.length === 0) return
  const articleIds = due.filter((d) => d.resourceType === 'article').map((d) => d.resourceId)
  const teaserIds = due.filter((d) => d.resourceType === 'teaser').map((d) => d.resourceId)
  const articles = articleIds.length > 0 ? await repo.dueArticles(tx, articleIds) : []
  const boxesOfArticles = articleIds.length > 0 ? await repo.collectionsLinking(tx, articleIds) : []
  const boxesOfTeasers = teaserIds.length > 0 ? await repo.collectionsOfTeasers(tx, teaserIds) : []
  const events: repo.NewEvent[] = []
  const boxesWritten = new Set<string>()
  const boxChanged = (box: repo.LinkingCollection, at: Date) => {
    const key = `${box.id}@${at.getTime()}`
    if (boxesWritten.has(key)) return
    boxesWritten.add(key)
    events.push(collectionEvent('collection.updated', box, ['teasers'], at))
  }
  for (const moment of due) {
    if (moment.resourceType === 'article') {
      const article = articles.find((a) => a.id === moment.resourceId)
      const type = article && dueArticleEvent(article, moment.dueAt)
      if (!article || !type) continue
      events.push(goneLive(article, moment.dueAt, type))
      for (const box of boxesOfArticles.filter((b) => b.via === article.id)) boxChanged(box, moment.dueAt)
    } else {
      const box = boxesOfTeasers.find(
        (b) =>
          b.via === moment.resourceId && (sameInstant(b.startsAt, moment.dueAt) || sameInstant(b.endsAt, moment.dueAt)),
      )
      if (box) boxChanged(box, moment.dueAt)
    }
  }
  await repo.insertEvents(tx, events, { keyId: null, requestId: null }, now)
}

/**
 * What an article's moment at `at` is, checked against the article as it is: its publish time
 * (going live, unless an embargo still runs then: the embargo's end writes the event), or the end
 * of an embargo on an article published before it (lifting). Null: neither, any more.
 */
function dueArticleEvent(a: repo.DueArticle, at: Date): 'article.published' | 'article.embargo_lifted' | null {
  const embargoRuns = a.embargoedUntil !== null && a.embargoedUntil > at
  if (sameInstant(a.publishedAt, at) && !embargoRuns) return 'article.published'
  if (sameInstant(a.embargoedUntil, at) && a.publishedAt < at) return 'article.embargo_lifted'
  return null
}

function goneLive(
  article: repo.DueArticle,
  at: Date,
  type: 'article.published' | 'article.embargo_lifted',
): repo.NewEvent {
  return {
    type,
    occurredAt: at,
    resourceType: 'article',
    resourceId: article.id,
    resourceSlug: article.slug,
    resourceVersion: article.version,
    changedFields: [type === 'article.published' ? 'status' : 'embargoedUntil'],
    surrogateKeys: articleSurrogateKeys(article, article.sourceIds, article.tags),
    public: true,
    sourceIds: article.sourceIds,
    tags: article.tags,
    collectionIds: [],
  }
}

/** Events positioned per sequencer run (a backlog is worked off over several runs). */
const sequenceBatch = 5000

/**
 * The feed's upkeep, run by the worker and before every feed read: writes the events of the
 * moments due by `now`, then positions the committed events. One query when there is nothing to
 * do; true when a full batch was positioned (more may be waiting).
 */
export async function keepFeed(db: PrismaClient, now: Date): Promise<boolean> {
  const pending = await repo.pendingWork(db, now)
  if (pending.due) await db.$transaction((tx) => writeDue(tx, now))
  if (!pending.due && !pending.queued) return false
  return (await db.$transaction((tx) => repo.sequenceEvents(tx, sequenceBatch))) === sequenceBatch
}
