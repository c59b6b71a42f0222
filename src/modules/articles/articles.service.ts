// The articles service: the use cases the routes call, composed from their modules (reads,
// edits, lifecycle, revisions, idempotency) over one database client and clock. It answers with
// what the route sends and what its headers need, never with database records.

import type { PrismaClient } from '../../db/database.js'
import { isSlugClash } from '../../db/errors.js'
import type { Actor } from '../../lib/principal.js'
import type { PublicUrlTemplates } from '../../lib/public-urls.js'
import { retryGeneratedSlug } from '../../lib/slug.js'
import type { IfMatch } from '../../lib/versions.js'
import { type Change, changeArticle } from './articles.change.js'
import { createDraft, insertArticle, prepareCreate } from './articles.create.js'
import { updateArticle } from './articles.edits.js'
import { createOnce } from './articles.idempotency.js'
import type { ArticleCreate, ArticleUpdate } from './articles.input.schemas.js'
import { killArticle } from './articles.kill.js'
import type { Kill } from './articles.kill.schemas.js'
import * as lifecycle from './articles.lifecycle.js'
import { getArticle, type ListScope, listArticles, listDeletions, listPersonArticles } from './articles.reads.js'
import type { ArticleRecord } from './articles.record.js'
import { getRelated } from './articles.related.js'
import type { RelatedQuery } from './articles.related.schemas.js'
import { getRevision, listRevisions, restoreRevision } from './articles.revisions.js'
import { getRights } from './articles.rights.reads.js'
import type { Article, ArticleListQuery, Publish, TombstoneQuery } from './articles.schemas.js'
import { fullView, toArticle, type ViewOptions } from './articles.view.js'

export { isPublic, publicFrom } from './articles.visibility.js'
export type { ViewOptions }

/** A write's answer: the article as it is now (full view) and its version, for the ETag. */
export interface Written {
  article: Article
  version: number
  /** A create repeated with its Idempotency-Key: the first answer. */
  replayed?: boolean
}

export interface ArticlesServiceOptions {
  clock: () => Date
  /** An article write naming a tag slug no tag has or had creates the tag (otherwise a 422). */
  createTags: boolean
  /** MEDIA_PUBLIC_URL: the base of rendition URLs (undefined: the API's own /media path). */
  mediaBase?: string
  /** PUBLIC_ARTICLE_URL, PUBLIC_SECTION_URL, PUBLIC_PERSON_URL: the `url` of articles and what they embed. */
  publicUrls?: PublicUrlTemplates
}

export function createArticlesService(db: PrismaClient, options: ArticlesServiceOptions) {
  const { clock, createTags, mediaBase, publicUrls } = options
  const unknownTags = createTags ? 'create' : 'reject'
  const full: ViewOptions = { ...fullView, mediaBase, publicUrls }
  const withBase = <V extends ViewOptions>(view: V): V => ({ ...view, mediaBase, publicUrls })
  const written = (record: ArticleRecord): Written => ({
    article: toArticle(record, clock(), full),
    version: record.version,
  })
  const change = (id: string, ifMatch: IfMatch, actor: Actor, action: Change['action']): Change => ({
    id,
    ifMatch,
    actor,
    action,
    now: clock(),
  })

  return {
    get: (idOrSlug: string, view: ViewOptions) => getArticle(db, idOrSlug, withBase(view), clock()),

    list: (query: ArticleListQuery, view: ViewOptions & ListScope) => listArticles(db, query, withBase(view), clock()),

    /** A person's articles: 404 when there is no such person. */
    personArticles: (personKey: string, query: ArticleListQuery, view: ViewOptions) =>
      listPersonArticles(db, personKey, query, withBase(view), clock()),

    /** Why the article is (not) syndicatable; 404 when the view may not see it. */
    rights: (idOrSlug: string, view: ViewOptions) => getRights(db, idOrSlug, view, clock()),

    deletions: (query: TombstoneQuery, caller: { preview: boolean; writer: boolean }) =>
      listDeletions(db, query, caller),

    related: (idOrSlug: string, query: RelatedQuery, view: ViewOptions) =>
      getRelated(db, idOrSlug, query, withBase(view), clock()),

    async create(input: ArticleCreate, actor: Actor, idempotencyKey?: string): Promise<Written> {
      const prepared = await prepareCreate(db, input)
      return retryGeneratedSlug(input.slug, isSlugClash, async () => {
        const context = { actor, now: clock(), unknownTags } as const
        if (!idempotencyKey) return written(await createDraft(db, prepared, context))
        const once = await createOnce(db, { key: idempotencyKey, input, actor }, async (tx) =>
          toArticle(await insertArticle(tx, prepared, context), clock(), full),
        )
        return { article: once.body, version: once.body.version as number, replayed: once.replayed }
      })
    },

    async update(id: string, input: ArticleUpdate, ifMatch: IfMatch, actor: Actor): Promise<Written> {
      // A note makes the change a correction: its own audit action and event (article.corrected).
      const edit = change(id, ifMatch, actor, input.correction ? 'correct' : 'update')
      const apply = await updateArticle(db, input, unknownTags, edit.now)
      return written(await changeArticle(db, edit, apply))
    },

    async publish(id: string, input: Publish, ifMatch: IfMatch, actor: Actor): Promise<Written> {
      const apply = lifecycle.publish(input, clock())
      return written(await changeArticle(db, change(id, ifMatch, actor, 'publish'), apply))
    },

    async unpublish(id: string, ifMatch: IfMatch, actor: Actor): Promise<Written> {
      const apply = lifecycle.unpublish(clock())
      return written(await changeArticle(db, change(id, ifMatch, actor, 'unpublish'), apply))
    },

    async archive(id: string, ifMatch: IfMatch, actor: Actor): Promise<Written> {
      const apply = lifecycle.archive(clock())
      return written(await changeArticle(db, change(id, ifMatch, actor, 'archive'), apply))
    },

    remove: (id: string, ifMatch: IfMatch, actor: Actor) => lifecycle.removeArticle(db, id, ifMatch, actor, clock()),

    /** Withdraws a published article everywhere and for good (see articles.kill.ts). */
    kill: (id: string, input: Kill, ifMatch: IfMatch, actor: Actor) =>
      killArticle(db, id, input, { ifMatch, actor, now: clock() }),

    revisions: (id: string, limit: number, cursor?: string) => listRevisions(db, id, limit, cursor),

    revision: (id: string, version: number) => getRevision(db, id, version),

    /** Restores the content of an earlier version as a new version (publication state is kept). */
    async restore(id: string, version: number, ifMatch: IfMatch, actor: Actor): Promise<Written> {
      const apply = await restoreRevision(db, id, version, createTags)
      return written(await changeArticle(db, change(id, ifMatch, actor, 'restore'), apply))
    },
  }
}

export type ArticlesService = ReturnType<typeof createArticlesService>
