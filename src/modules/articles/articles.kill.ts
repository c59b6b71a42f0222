// Killing an article: withdrawing one that was published, everywhere and for good, in one
// transaction. It leaves every read as a deleted one does (deleted_at is set with killed_at), can
// no longer be changed (ArticleKilledError), and its event (article.killed, with the public notice
// and the article's surrogate keys) is sent to webhooks before every other pending delivery.

import type { PrismaClient } from '../../db/database.js'
import { NotFoundError, NotYetPublishedError } from '../../errors.js'
import type { Actor } from '../../lib/principal.js'
import { checkIfMatch, type IfMatch } from '../../lib/versions.js'
import { recordAudit } from '../audit/audit.repository.js'
import { recordArticleChange } from '../changes/changes.writer.js'
import { loadArticle } from './articles.change.js'
import type { Kill } from './articles.kill.schemas.js'
import { firstPublished, isPublic, underEmbargo } from './articles.visibility.js'
import * as writes from './articles.write-repository.js'

export async function killArticle(
  db: PrismaClient,
  id: string,
  kill: Kill,
  context: { ifMatch: IfMatch; actor: Actor; now: Date },
): Promise<void> {
  const { ifMatch, actor, now } = context
  await db.$transaction(async (tx) => {
    await writes.lockArticle(tx, id)
    const current = await loadArticle(tx, id)
    checkIfMatch(ifMatch, current.version)
    if (!firstPublished(current, now)) {
      throw new NotYetPublishedError('Only an article that was published can be killed: delete a draft instead')
    }
    const marked = { at: now, reason: kill.reason, notice: kill.notice, keyId: actor.keyId }
    if (!(await writes.markKilled(tx, id, current.version, marked))) throw new NotFoundError('article', id)
    await recordAudit(tx, actor, { action: 'kill', resourceType: 'article', resourceId: id, detail: kill.reason })
    // Once public: public now, or published and out of embargo (archived or unpublished since). An
    // article killed while still under its first embargo was never public: its event is preview-only.
    const oncePublic = isPublic(current, now) || !underEmbargo(current, now)
    const change = { before: current, after: current, wasPublic: oncePublic, isPublic: false }
    await recordArticleChange(
      tx,
      { action: 'kill', ...change, changedFields: ['deletedAt', 'killedAt'], at: now, data: { notice: kill.notice } },
      { actor },
    )
  })
}
