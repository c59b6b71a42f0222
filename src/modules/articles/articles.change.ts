// What every change to an existing article shares: one transaction holding the article's row
// lock, the If-Match check, the update conditional on the version read, the revision and the
// audit entry.

import type { PrismaClient } from '../../db/database.js'
import { directTransaction, type RawDb } from '../../db/direct.js'
import { ArticleKilledError, NotFoundError } from '../../errors.js'
import type { Prisma } from '../../generated/prisma/client.js'
import type { Actor } from '../../lib/principal.js'
import { checkIfMatch, type IfMatch } from '../../lib/versions.js'
import { auditInsert } from '../audit/audit.repository.js'
import type { ArticleChange } from '../changes/changes.events.js'
import { recordArticleChange } from '../changes/changes.writer.js'
import type { ArticleRecord } from './articles.record.js'
import { findArticle } from './articles.repository.js'
import { revisionInsert } from './articles.revisions-repository.js'
import { type Snapshot, snapshotOf } from './articles.view.js'
import { isPublic } from './articles.visibility.js'
import * as writes from './articles.write-repository.js'

/**
 * The live article with this id, with every relation, for a change: 404 if none, 409 if it was
 * killed (for good). Reads of a killed article answer 404, as for any deleted one (findLive).
 */
export async function loadArticle(db: RawDb, id: string): Promise<ArticleRecord> {
  const record = await findArticle(db, id, true)
  if (!record) throw (await writes.isKilled(db, id)) ? new ArticleKilledError(id) : new NotFoundError('article', id)
  return record
}

/** The live article with this id, with every relation: 404 if none (deleted or killed too). */
export async function findLive(db: RawDb, id: string): Promise<ArticleRecord> {
  const record = await findArticle(db, id, true)
  if (!record) throw new NotFoundError('article', id)
  return record
}

function changedFieldsOf(before: Snapshot, after: Snapshot): string[] {
  return (Object.keys(after) as (keyof Snapshot)[]).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  )
}

/**
 * The revision recording the article as it is now, naming the fields that differ from `before`
 * (all: a new article): its INSERT, written with the change's event (recordArticleChange's `also`).
 */
export function revisionOf(
  before: Snapshot | null,
  record: ArticleRecord,
  actor: Actor,
): { changedFields: string[]; insert: Prisma.Sql } {
  const after = snapshotOf(record)
  const changedFields = before ? changedFieldsOf(before, after) : Object.keys(after)
  const insert = revisionInsert({
    articleId: record.id,
    version: record.version,
    changedFields,
    snapshot: after,
    keyId: actor.keyId,
    requestId: actor.requestId,
  })
  return { changedFields, insert }
}

/** When a scheduled article goes live (its event is written then), if it is scheduled. */
export function goesLiveAt(record: ArticleRecord, now: Date): Date | null {
  return record.status === 'scheduled' && record.publishedAt && record.publishedAt > now ? record.publishedAt : null
}

/**
 * When the embargo of a published (or scheduled) article lifts, if it is still ahead and ends after
 * the publish time (at or before it, the publish moment makes the article public).
 */
export function embargoLiftsAt(record: ArticleRecord, now: Date): Date | null {
  const until = record.embargoedUntil
  const published = record.status === 'published' || record.status === 'scheduled'
  return until && until > now && published && record.publishedAt && record.publishedAt < until ? until : null
}

/** Turns the current state into the column changes of one change (throwing when it may not happen). */
export type Apply = (tx: RawDb, current: ArticleRecord) => Promise<writes.ArticleChanges>

export interface Change {
  id: string
  ifMatch: IfMatch
  actor: Actor
  action: Exclude<ArticleChange['action'], 'create' | 'delete'>
  now: Date
}

/**
 * Applies a change to an article inside one transaction: row lock, If-Match check, conditional
 * update on the version read (so two concurrent saves of one version cannot both win), revision,
 * audit, and the change's event.
 */
export function changeArticle(db: PrismaClient, change: Change, apply: Apply): Promise<ArticleRecord> {
  const { id, ifMatch, actor, action, now } = change
  return directTransaction(db, async (tx) => {
    const locked = await writes.lockAndFindArticle(tx, id)
    // None (404, or 409 when killed), or read again when the lock waited for another change.
    const current = locked && !locked.stale ? locked.record : await loadArticle(tx, id)
    checkIfMatch(ifMatch, current.version)
    const data = await apply(tx, current)
    // The record as changed, its syndicatable flag following its rights and credits.
    let updated = await writes.updateArticleAt(tx, id, current.version, { ...data, updatedById: actor.keyId })
    if (!updated) {
      checkIfMatch([current.version], (await writes.articleVersion(tx, id)) ?? current.version + 1)
      updated = await loadArticle(tx, id)
    }
    // The revision, the audit entry and the event: one statement.
    const { changedFields, insert } = revisionOf(snapshotOf(current), updated, actor)
    const audit = auditInsert(actor, { action, resourceType: 'article', resourceId: id })
    const visibility = { wasPublic: isPublic(current, now), isPublic: isPublic(updated, now) }
    await recordArticleChange(
      tx,
      { action, before: current, after: updated, ...visibility, changedFields, at: now },
      {
        actor,
        goesLiveAt: goesLiveAt(updated, now),
        embargoLiftsAt: embargoLiftsAt(updated, now),
        also: [insert, audit],
      },
    )
    return updated
  })
}
