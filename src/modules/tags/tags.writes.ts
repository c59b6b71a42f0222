// Changes to the vocabulary, each in its caller's transaction with its audit entry and event. A
// rename or a merge changes the `tags` of the articles using the tag: those get a new version
// and revision in the same transaction.
import type { Db } from '../../db/types.js'
import {
  ConflictError,
  InvalidReferenceError,
  MissingReferenceError,
  NotFoundError,
  UniqueViolationError,
  withProblem,
} from '../../errors.js'
import type { Actor } from '../../lib/principal.js'
import { recordAudit, recordAudits } from '../audit/audit.repository.js'
import { articleEvent, vocabularyEvent } from '../changes/changes.events.js'
import { recordEvents } from '../changes/changes.writer.js'
import * as repo from './tags.repository.js'
import type { TagCount, TagCreate, TagMerge, TagUpdate } from './tags.schemas.js'

/** Who changes the vocabulary, and when. */
export interface Context {
  actor: Actor
  at: Date
}

/** A slug another tag has, or had (it still resolves to that tag): the 409 of a taken slug. */
function slugTaken(): Error {
  return withProblem(new UniqueViolationError('slug'), { field: 'slug' })
}

/** The tag with this current slug, for a change: 409 for a former slug (it names another tag now), else 404. */
async function current(tx: Db, slug: string, lock = false): Promise<repo.TagRow> {
  const tag = await repo.findTag(tx, slug, lock)
  if (tag) return tag
  const owner = await repo.formerSlugOwner(tx, slug)
  if (owner) {
    throw new ConflictError(
      `"${slug}" is a former slug of the tag "${owner.slug}": changes name a tag by its current slug`,
    )
  }
  throw new NotFoundError('tag', slug)
}

/** The tag as a writer sees it, with every live article counted. */
async function withCount(tx: Db, slug: string): Promise<TagCount> {
  return (await repo.findTagCount(tx, slug, null)) as TagCount
}

const auditActions = {
  'tag.created': 'create',
  'tag.updated': 'update',
  'tag.merged': 'merge',
  'tag.deleted': 'delete',
} as const

/**
 * The events and audit entries of the articles a rename or merge gave a new version:
 * `article.updated` for a public one (article.draft_updated otherwise), naming `tags`, with the
 * tag's old slug replaced by `to`. Feed readers and webhook receivers learn of the change as of
 * any other edit.
 */
async function recordArticleChanges(tx: Db, bumped: repo.BumpedArticle[], to: string, from: string, context: Context) {
  const events = bumped.map((a) => {
    const state = { ...a, credits: a.creditSourceIds.map((sourceId) => ({ sourceId })) }
    const after = [...new Set(a.tags.map((t) => (t === from ? to : t)))].sort()
    return articleEvent({
      action: 'update',
      before: { ...state, version: a.version - 1, tags: a.tags },
      after: { ...state, tags: after },
      wasPublic: a.isPublic,
      isPublic: a.isPublic,
      changedFields: ['tags'],
      at: context.at,
    })
  })
  await recordEvents(tx, events, { actor: context.actor, now: context.at })
  const entries = bumped.map((a) => ({ action: 'update', resourceType: 'article', resourceId: a.id }))
  await recordAudits(tx, context.actor, entries)
}

/**
 * Writes the change's audit entry and event. The event is public only when an article public at
 * the time used the tag: a prepared tag would tell what is being written. It purges the tag's
 * responses under every slug it had, the tag list, and the article lists when articles changed.
 */
async function record(
  tx: Db,
  { actor, at }: Context,
  change: {
    type: keyof typeof auditActions
    tag: repo.TagRow
    fields: string[]
    slugs: string[]
    isPublic: boolean
    articlesChanged?: boolean
  },
): Promise<void> {
  await recordAudit(tx, actor, { action: auditActions[change.type], resourceType: 'tag', resourceId: change.tag.id })
  const slugs = [...new Set(change.slugs)]
  const surrogateKeys = [...slugs.map((s) => `tag:${s}`), 'tags', ...(change.articlesChanged ? ['articles'] : [])]
  const event = vocabularyEvent(change.type, change.tag, {
    fields: change.fields,
    at,
    surrogateKeys,
    public: change.isPublic,
    tags: slugs,
  })
  await recordEvents(tx, [event], { actor, now: at })
}

export async function createTag(tx: Db, input: TagCreate, context: Context): Promise<TagCount> {
  await repo.lockSlugs(tx, [input.slug])
  if (await repo.formerSlugOwner(tx, input.slug)) throw slugTaken()
  const { keyId } = context.actor
  const tag = await repo.createTag(tx, { ...input, createdById: keyId, updatedById: keyId })
  // No article uses a new tag: readers learn of it with the first public article that does.
  await record(tx, context, {
    type: 'tag.created',
    tag,
    // Every field, as for any new record.
    fields: ['slug', 'name', 'type', 'uri', 'description'],
    slugs: [tag.slug],
    isPublic: false,
  })
  return { ...tag, articleCount: 0 }
}

/**
 * Changes a tag. A new slug keeps the old one resolving, and the articles using the tag (whose
 * `tags` show it) get a new version and revision.
 */
export async function updateTag(tx: Db, slug: string, input: TagUpdate, context: Context): Promise<TagCount> {
  let tag = await current(tx, slug)
  const renamed = input.slug !== undefined && input.slug !== tag.slug
  // The articles' stored tag lists show the slug, name, type and uri (a trigger writes them with
  // the tag): their rows are locked first, so that no article write links the tag meanwhile.
  const shown = renamed || [input.name, input.type, input.uri].some((v) => v !== undefined)
  if (shown) await repo.lockTagsAndArticles(tx, [tag.id])
  if (renamed) {
    await repo.lockSlugs(tx, [tag.slug, input.slug as string])
    // Read again once locked: it may have changed while the locks were awaited.
    tag = await current(tx, slug)
    const owner = await repo.formerSlugOwner(tx, input.slug as string)
    if (owner && owner.id !== tag.id) throw slugTaken()
  }
  const { actor, at } = context
  const isPublic = await repo.usedPublicly(tx, tag.id, at)
  const bump = { tagId: tag.id, slug: input.slug as string, now: at, ...actor }
  const bumped = renamed ? await repo.bumpArticlesOfTag(tx, bump) : []
  await recordArticleChanges(tx, bumped, bump.slug, tag.slug, context)
  const updated = await repo.updateTag(tx, tag.id, { ...input, updatedById: actor.keyId })
  if (renamed) {
    // The new slug may be a former one of this tag: it is current again.
    await repo.forgetFormerSlug(tx, updated.slug)
    await repo.addFormerSlug(tx, tag.slug, tag.id)
  }
  const fields = Object.keys(input).filter((k) => input[k as keyof TagUpdate] !== undefined)
  await record(tx, context, {
    type: 'tag.updated',
    tag: updated,
    fields,
    slugs: [tag.slug, updated.slug],
    isPublic,
    articlesChanged: bumped.length > 0,
  })
  return withCount(tx, updated.slug)
}

/** Deletes a tag no live article uses (its links from deleted articles go with it): 409 otherwise. */
export async function removeTag(tx: Db, slug: string, context: Context): Promise<void> {
  // Locked first: no write links the tag while it is counted and deleted.
  const tag = await current(tx, slug, true)
  const articleCount = await repo.liveArticleCount(tx, tag.id)
  if (articleCount > 0) {
    throw withProblem(
      new ConflictError(
        `The tag is still used by ${articleCount} article(s): remove it from them, or merge it into another tag`,
      ),
      { articleCount },
    )
  }
  await repo.deleteTag(tx, tag.id)
  // No live article uses it, so no public one: readers never saw the tag, or saw it go with its articles.
  await record(tx, context, { type: 'tag.deleted', tag, fields: [], slugs: [tag.slug], isPublic: false })
}

/** The tag to merge and the tag to merge it into: 422 when `into` names none, or the same tag. */
async function mergePair(tx: Db, slug: string, into: string) {
  const from = await current(tx, slug)
  const target = await repo.resolveTag(tx, into)
  if (!target) throw withProblem(new MissingReferenceError(`No tag matches "${into}" (into)`), { field: 'into' })
  if (target.id === from.id) {
    throw withProblem(
      new InvalidReferenceError(`"${into}" (into) names the tag being merged: merge it into another tag`),
      { field: 'into' },
    )
  }
  return { from, into: target }
}

/**
 * Merges the tag into another: its articles move to `into` (an article that had both keeps one)
 * and get a new version, the tag is deleted, and its slug and its former slugs resolve to `into`
 * from then on. Answers `into` as it is after the merge.
 */
export async function mergeTag(tx: Db, slug: string, input: TagMerge, context: Context): Promise<TagCount> {
  const found = await mergePair(tx, slug, input.into)
  await repo.lockTagsAndArticles(tx, [found.from.id, found.into.id])
  await repo.lockSlugs(tx, [found.from.slug])
  // Checked again once locked: the tags may have changed while the lock was awaited.
  const { from, into } = await mergePair(tx, slug, input.into)
  const { actor, at } = context
  const isPublic = await repo.usedPublicly(tx, from.id, at)
  const bumped = await repo.bumpArticlesOfTag(tx, { tagId: from.id, slug: into.slug, now: at, ...actor })
  await recordArticleChanges(tx, bumped, into.slug, from.slug, context)
  await repo.moveTag(tx, from.id, into.id)
  await repo.deleteTag(tx, from.id)
  await repo.addFormerSlug(tx, from.slug, into.id)
  await record(tx, context, {
    type: 'tag.merged',
    tag: from,
    fields: [`into:${into.slug}`],
    slugs: [from.slug, into.slug],
    isPublic,
    articlesChanged: bumped.length > 0,
  })
  return withCount(tx, into.slug)
}
