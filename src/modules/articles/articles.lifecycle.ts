// An article's publication state: publish (now or scheduled), unpublish, archive, delete.

import type { PrismaClient } from '../../db/database.js'
import { InvalidTransitionError, NotFoundError, NotPublishableError, withProblem } from '../../errors.js'
import type { Actor } from '../../lib/principal.js'
import { checkIfMatch, type IfMatch } from '../../lib/versions.js'
import { recordAudit } from '../audit/audit.repository.js'
import { recordArticleChange } from '../changes/changes.writer.js'
import { type Apply, loadArticle } from './articles.change.js'
import type { ArticleRecord } from './articles.record.js'
import type { Publish } from './articles.schemas.js'
import { effectiveStatus, isPublic } from './articles.visibility.js'
import * as writes from './articles.write-repository.js'

function publishable(record: ArticleRecord): void {
  const missing = [...(record.headline.trim() ? [] : ['headline']), ...(record.body.trim() ? [] : ['body'])]
  if (missing.length > 0) {
    throw withProblem(new NotPublishableError(`An article needs ${missing.join(' and ')} to be published`), {
      errors: missing.map((f) => ({ in: 'body', pointer: `/${f}`, message: 'is required to publish' })),
    })
  }
}

function transitionError(action: string, record: ArticleRecord, now: Date): Error {
  const status = effectiveStatus(record, now)
  return withProblem(new InvalidTransitionError(`Cannot ${action} an article that is ${status}`), {
    currentStatus: status,
  })
}

export function publish(input: Publish, now: Date): Apply {
  return async (_tx, current) => {
    const status = effectiveStatus(current, now)
    if (status === 'published' || status === 'archived') throw transitionError('publish', current, now)
    publishable(current)
    const at = input.publishAt ? new Date(input.publishAt) : now
    const future = at > now
    return {
      status: future ? 'scheduled' : 'published',
      publishedAt: at,
      firstPublishedAt: current.firstPublishedAt ?? (future ? null : at),
    }
  }
}

export function unpublish(now: Date): Apply {
  return async (_tx, current) => {
    if (effectiveStatus(current, now) === 'draft') throw transitionError('unpublish', current, now)
    return {
      status: 'draft',
      publishedAt: null,
      // A scheduled article that never appeared keeps no first-published time.
      firstPublishedAt:
        current.firstPublishedAt ?? (current.publishedAt && current.publishedAt <= now ? current.publishedAt : null),
    }
  }
}

export function archive(now: Date): Apply {
  return async (_tx, current) => {
    if (effectiveStatus(current, now) !== 'published') throw transitionError('archive', current, now)
    // A due scheduled article has no first publish time stored yet; it was public from publishedAt.
    return { status: 'archived', firstPublishedAt: current.firstPublishedAt ?? current.publishedAt }
  }
}

/** Deletes the article (a tombstone remains): under its row lock, at the version If-Match names. */
export async function removeArticle(db: PrismaClient, id: string, ifMatch: IfMatch, actor: Actor, now: Date) {
  await db.$transaction(async (tx) => {
    await writes.lockArticle(tx, id)
    const current = await loadArticle(tx, id)
    checkIfMatch(ifMatch, current.version)
    if (!(await writes.markDeleted(tx, id, current.version, now, actor.keyId))) throw new NotFoundError('article', id)
    await recordAudit(tx, actor, { action: 'delete', resourceType: 'article', resourceId: id })
    // Public only when it was public: the event of a draft's deletion would name a slug never shown.
    const deletion = { before: current, after: current, wasPublic: isPublic(current, now), isPublic: false }
    await recordArticleChange(tx, { action: 'delete', ...deletion, changedFields: ['deletedAt'], at: now }, { actor })
  })
}
