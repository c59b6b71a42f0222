// IPTC ninjs documents: an article as the single read shows it now (format=ninjs), and each
// article event of the change feed as of that event (the revision of its version).
import type { PrismaClient } from '../../db/database.js'
import { NotFoundError } from '../../errors.js'
import type { PublicUrlTemplates } from '../../lib/public-urls.js'
import { uuidPattern } from '../../lib/uuid.js'
import type { Cacheable } from '../articles/articles.reads.js'
import type { ArticlesService } from '../articles/articles.service.js'
import type { Snapshot, ViewOptions } from '../articles/articles.view.js'
import { underEmbargo } from '../articles/articles.visibility.js'
import type { ChangeEvent } from '../changes/changes.schemas.js'
import { fromArticle, ninjsIncludes, publicUrlOf } from './ninjs.article.js'
import { canceledArticle, type NinjsOptions, toNinjs } from './ninjs.mapper.js'
import * as repo from './ninjs.repository.js'
import { fromRevision, lookupOf, referencedIds } from './ninjs.revisions.js'
import type { NinjsDocument } from './ninjs.schemas.js'

export interface NinjsServiceOptions {
  articles: ArticlesService
  publicUrls: PublicUrlTemplates
  /** PUBLIC_URL: relative rendition URLs are made absolute on it (ninjs wants absolute URIs). */
  publicUrl?: string
  mediaBase?: string
}

/** The events whose article left every read: their document is canceled. */
const cancels = (type: string) => type === 'article.deleted' || type === 'article.killed'

/** Who reads the feed: preview scopes see withheld versions' content; partner keys no unsyndicatable bodies. */
export interface FeedCaller {
  preview: boolean
  embargoed: boolean
  syndication: boolean
}

export function createNinjsService(
  db: PrismaClient,
  { articles, publicUrls, publicUrl, mediaBase }: NinjsServiceOptions,
) {
  const options: NinjsOptions = { publicUrl }

  /** A deleted article for a preview caller: canceled. */
  async function canceled(idOrSlug: string, notFound: unknown): Promise<Cacheable<NinjsDocument>> {
    const isId = uuidPattern.test(idOrSlug)
    const row = await repo.findDeletedArticle(db, isId ? idOrSlug.toLowerCase() : idOrSlug, isId)
    if (!row?.deletedAt) throw notFound
    const body = toNinjs(canceledArticle({ ...row, at: row.deletedAt, notice: row.killNotice }), options)
    return { body, surrogateKeys: [`article:${row.id}`], lastModified: row.deletedAt }
  }

  /** The documents of a page of events, in order (null: not an article event, or no revision of its version). */
  async function documentsOf(events: ChangeEvent[], caller: FeedCaller): Promise<(NinjsDocument | null)[]> {
    const ofArticles = events.filter((e) => e.resource.type === 'article')
    const versioned = ofArticles.filter((e) => e.resource.version !== null && !cancels(e.type))
    const [revisions, facts] = await Promise.all([
      repo.findRevisions(
        db,
        versioned.map((e) => ({ articleId: e.resource.id, version: e.resource.version as number })),
      ),
      repo.findArticleFacts(db, [...new Set(ofArticles.map((e) => e.resource.id))]),
    ])
    const related = await repo.findRelated(db, referencedIds(revisions.map((r) => r.snapshot as Snapshot)))
    const lookup = lookupOf(related, { mediaBase, publicUrls })
    const byVersion = new Map(revisions.map((r) => [`${r.articleId}@${r.version}`, r]))
    const factsOf = new Map(facts.map((f) => [f.id, f]))
    return events.map((e) => {
      const f = factsOf.get(e.resource.id)
      if (e.resource.type !== 'article' || !f) return null
      const at = new Date(e.occurredAt)
      if (cancels(e.type)) {
        const notice = e.type === 'article.killed' ? f.killNotice : null
        const article = { id: f.id, slug: e.resource.slug ?? '', version: e.resource.version ?? 0 }
        return toNinjs(canceledArticle({ ...article, createdAt: f.createdAt, at, notice }), options)
      }
      const revision = byVersion.get(`${e.resource.id}@${e.resource.version}`)
      if (!revision) return null
      const article = fromRevision(revision, f, at, lookup, caller.syndication)
      // Public callers see public events only; still, a version that was not public then shows nothing of itself.
      const hidden = article.status !== 'published' || (!caller.embargoed && underEmbargo(article, at))
      return toNinjs({ ...article, contentless: !caller.preview && hidden }, options)
    })
  }

  return {
    /** The article as the view may read it; a preview caller reads a deleted one as canceled. */
    async article(idOrSlug: string, view: ViewOptions): Promise<Cacheable<NinjsDocument>> {
      try {
        const read = await articles.get(idOrSlug, { ...view, fields: undefined, include: [...ninjsIncludes] })
        return { ...read, body: toNinjs(fromArticle(read.body, publicUrlOf(publicUrls, read.body)), options) }
      } catch (err) {
        if (!(err instanceof NotFoundError) || !view.preview) throw err
        return canceled(idOrSlug, err)
      }
    },

    /** The change feed's events with their ninjs documents (`ninjs`). */
    async withDocuments<E extends ChangeEvent>(
      events: E[],
      caller: FeedCaller,
    ): Promise<(E & { ninjs: NinjsDocument | null })[]> {
      const documents = await documentsOf(events, caller)
      return events.map((e, i) => ({ ...e, ninjs: documents[i] ?? null }))
    },
  }
}

export type NinjsService = ReturnType<typeof createNinjsService>
