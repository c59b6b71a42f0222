// The resources under /v1, each registered explicitly with the services it needs (built here from
// the configuration and the app's shared parts).

import type { FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import type { Database } from './db/database.js'
import { articlesRoutes } from './modules/articles/articles.routes.js'
import { createArticlesService } from './modules/articles/articles.service.js'
import { auditRoutes } from './modules/audit/audit.routes.js'
import { createAuditService } from './modules/audit/audit.service.js'
import { changesRoutes } from './modules/changes/changes.routes.js'
import type { createChangesService } from './modules/changes/changes.service.js'
import { collectionsRoutes } from './modules/collections/collections.routes.js'
import { createCollectionsService } from './modules/collections/collections.service.js'
import { correctionRoutes } from './modules/corrections/corrections.routes.js'
import { createCorrectionsService } from './modules/corrections/corrections.service.js'
import { feedsOptions } from './modules/feeds/feeds.options.js'
import { feedsRoutes } from './modules/feeds/feeds.routes.js'
import { keysRoutes } from './modules/keys/keys.routes.js'
import type { createKeysService } from './modules/keys/keys.service.js'
import type { RenditionsService } from './modules/media/media.renditions.js'
import { mediaOriginalRoutes } from './modules/media/media.renditions.routes.js'
import { mediaRoutes } from './modules/media/media.routes.js'
import { createMediaService } from './modules/media/media.service.js'
import type { MediaStorage } from './modules/media/media.storage.js'
import { createNinjsService } from './modules/ninjs/ninjs.service.js'
import { peopleRoutes } from './modules/people/people.routes.js'
import { createPeopleService } from './modules/people/people.service.js'
import { previewsRoutes } from './modules/previews/previews.routes.js'
import { createPreviewsService } from './modules/previews/previews.service.js'
import { sectionsRoutes } from './modules/sections/sections.routes.js'
import { createSectionsService } from './modules/sections/sections.service.js'
import { sitemapsRoutes } from './modules/sitemaps/sitemaps.routes.js'
import { createSitemapsService } from './modules/sitemaps/sitemaps.service.js'
import { sourcesRoutes } from './modules/sources/sources.routes.js'
import { createSourcesService } from './modules/sources/sources.service.js'
import { tagsRoutes } from './modules/tags/tags.routes.js'
import { createTagsService } from './modules/tags/tags.service.js'
import type { Resolve } from './modules/webhooks/webhooks.address.js'
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.js'
import { createWebhooksService } from './modules/webhooks/webhooks.service.js'

interface ModuleDeps {
  db: Database
  config: Config
  clock: () => Date
  keys: ReturnType<typeof createKeysService>
  changes: ReturnType<typeof createChangesService>
  resolveHost?: Resolve
  storage: MediaStorage
  renditions: RenditionsService
  /** Wakes the background worker (a webhook test delivery is due). */
  wake: () => void
}

/** The resources under /v1, each registered explicitly with what it needs. */
export function v1Routes({ db, config, clock, keys, changes, resolveHost, storage, renditions, wake }: ModuleDeps) {
  return async (v1: FastifyInstance) => {
    const sources = createSourcesService(db.prisma, { clock })
    await v1.register(sourcesRoutes, { sources })
    const articles = createArticlesService(db.prisma, {
      clock,
      createTags: config.tagsCreateOnWrite,
      mediaBase: config.media.publicUrl,
      publicUrls: config.publicUrls,
    })
    const ninjs = createNinjsService(db.prisma, {
      articles,
      publicUrls: config.publicUrls,
      publicUrl: config.publicUrl,
      mediaBase: config.media.publicUrl,
    })
    await v1.register(articlesRoutes, { articles, sources, ninjs })
    const previews = createPreviewsService(db.prisma, {
      clock,
      mediaBase: config.media.publicUrl,
      publicUrls: config.publicUrls,
      urls: { template: config.previews.urlTemplate, publicUrl: config.publicUrl },
    })
    await v1.register(previewsRoutes, { previews, config })
    await v1.register(correctionRoutes, { corrections: createCorrectionsService(db.prisma, { clock }) })
    const sitemaps = createSitemapsService(db.prisma, {
      clock,
      publicUrl: config.publicUrl,
      urls: config.publicUrls,
      newsName: config.sitemapNewsName,
    })
    await v1.register(sitemapsRoutes, { sitemaps })
    await v1.register(tagsRoutes, { tags: createTagsService(db.prisma, { clock }) })
    await v1.register(peopleRoutes, {
      people: createPeopleService(db.prisma, {
        clock,
        mediaBase: config.media.publicUrl,
        urls: config.publicUrls,
      }),
    })
    await v1.register(sectionsRoutes, {
      sections: createSectionsService(db.prisma, { clock, urls: config.publicUrls }),
    })
    const collections = createCollectionsService(db.prisma, {
      clock,
      mediaBase: config.media.publicUrl,
      publicUrls: config.publicUrls,
    })
    await v1.register(collectionsRoutes, { collections })
    await v1.register(feedsRoutes, feedsOptions(config, articles, collections))
    const media = createMediaService(db.prisma, {
      clock,
      storage,
      maxPixels: config.media.maxPixels,
      publicUrl: config.media.publicUrl,
      onStorageError: (err, key) => v1.log.warn({ err, key }, 'could not remove media files'),
    })
    await v1.register(mediaRoutes, { media, config })
    await v1.register(keysRoutes, { keys })
    await v1.register(auditRoutes, { audit: createAuditService(db.prisma) })
    await v1.register(changesRoutes, { changes, ninjs })
    const webhooks = createWebhooksService(db.prisma, { clock, policy: config.webhooks, resolve: resolveHost, wake })
    await v1.register(webhooksRoutes, { webhooks })
    await v1.register(mediaOriginalRoutes, { renditions })
  }
}
