// The articles service: the use cases the routes call, composed from their modules (reads,
// edits, lifecycle, revisions, idempotency) over one database client and clock. It answers with
// what the route sends and what its headers need, never with database records.

import type { PrismaClient } from '../../db/database.js'
import { isSlugClash } from '../../db/errors.js'
import type { Actor } from '../../lib/principal.js'
import { retryGeneratedSlug } from '../../lib/slug.js'
import type { IfMatch } from '../../lib/versions.js'
import { type Change, changeArticle } from './articles.change.js'
import { createArticle, createDraft, renderBody, updateArticle } from './articles.edits.js'
import { createOnce } from './articles.idempotency.js'
import * as lifecycle from './articles.lifecycle.js'
import { getArticle, listArticles, listDeletions } from './articles.reads.js'
import type { ArticleRecord } from './articles.record.js'
import { getRelated } from './articles.related.js'
import type { RelatedQuery } from './articles.related.schemas.js'
import { getRevision, listRevisions, restoreRevision } from './articles.revisions.js'
import type {
  Article,
  ArticleCreate,
  ArticleListQuery,
  ArticleUpdate,
  Publish,
  TombstoneQuery,
} from './articles.schemas.js'
import { fullView, toArticle, type ViewOptions } from './articles.view.js'

export { isPublic } from './articles.view.js'
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
}

export function createArticlesService(db: PrismaClient, { clock }: ArticlesServiceOptions) {
  const written = (record: ArticleRecord): Written => ({
    article: toArticle(record, clock(), fullView),
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
    get: (idOrSlug: string, view: ViewOptions) => getArticle(db, idOrSlug, view, clock()),

    list: (query: ArticleListQuery, view: ViewOptions & { sourceKey?: string }) =>
      listArticles(db, query, view, clock()),

    deletions: (query: TombstoneQuery, preview: boolean) => listDeletions(db, query, preview),

    related: (idOrSlug: string, query: RelatedQuery, view: ViewOptions) =>
      getRelated(db, idOrSlug, query, view, clock()),

    async create(input: ArticleCreate, actor: Actor, idempotencyKey?: string): Promise<Written> {
      const rendered = renderBody(input.body)
      return retryGeneratedSlug(input.slug, isSlugClash, async () => {
        if (!idempotencyKey) return written(await createDraft(db, input, rendered, { actor, now: clock() }))
        const once = await createOnce(db, { key: idempotencyKey, input, actor }, async (tx) =>
          toArticle(await createArticle(tx, input, rendered, { actor, now: clock() }), clock(), fullView),
        )
        return { article: once.body, version: once.body.version as number, replayed: once.replayed }
      })
    },

    async update(id: string, input: ArticleUpdate, ifMatch: IfMatch, actor: Actor): Promise<Written> {
      return written(await changeArticle(db, change(id, ifMatch, actor, 'update'), updateArticle(input)))
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

    revisions: (id: string, limit: number, cursor?: string) => listRevisions(db, id, limit, cursor),

    revision: (id: string, version: number) => getRevision(db, id, version),

    /** Restores the content of an earlier version as a new version (publication state is kept). */
    async restore(id: string, version: number, ifMatch: IfMatch, actor: Actor): Promise<Written> {
      const apply = await restoreRevision(db, id, version)
      return written(await changeArticle(db, change(id, ifMatch, actor, 'restore'), apply))
    },
  }
}

export type ArticlesService = ReturnType<typeof createArticlesService>
