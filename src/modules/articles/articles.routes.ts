// Articles' routes, by use case: lists and reads, writes, status changes, revisions. The spec lists
// paths in the order they are first registered, and a path's methods in theirs: each plugin keeps
// its routes' places (GET /articles before POST /articles, /articles/deletions before
// /articles/{idOrSlug}, which come before /articles/{id}), so the committed spec does not move.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { NinjsService } from '../ninjs/ninjs.service.js'
import type { SourcesService } from '../sources/sources.service.js'
import { articleKillRoutes } from './articles.kill.routes.js'
import { articleLifecycleRoutes } from './articles.lifecycle.routes.js'
import { articleListRoutes, articleReadRoutes } from './articles.reads.routes.js'
import { articleRelatedRoutes } from './articles.related.routes.js'
import { articleRevisionsRoutes } from './articles.revisions.routes.js'
import { articleRightsRoutes } from './articles.rights.routes.js'
import type { ArticlesService } from './articles.service.js'
import { articleWriteRoutes } from './articles.writes.routes.js'

export const articlesRoutes: FastifyPluginAsyncTypebox<{
  articles: ArticlesService
  sources: SourcesService
  ninjs: NinjsService
}> = async (app, { articles, sources, ninjs }) => {
  await app.register(articleListRoutes, { articles, sources })
  await app.register(articleReadRoutes, { articles, ninjs })
  await app.register(articleRelatedRoutes, { articles })
  await app.register(articleRightsRoutes, { articles })
  await app.register(articleWriteRoutes, { articles })
  await app.register(articleLifecycleRoutes, { articles })
  await app.register(articleKillRoutes, { articles })
  await app.register(articleRevisionsRoutes, { articles })
}
