// Preview links: a capability URL that shows one article (as it is now, or one version of it) to
// whoever holds it, so that a frontend's preview page needs no API key in the browser. A link is
// created, listed and revoked with content:preview; opening it needs only its token.

import type { PrismaClient } from '../../db/database.js'
import type { Db } from '../../db/types.js'
import { MissingReferenceError, NotFoundError, PreviewNotFoundError, withProblem } from '../../errors.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import type { PublicUrlTemplates } from '../../lib/public-urls.js'
import { uuidPattern } from '../../lib/uuid.js'
import { getArticle } from '../articles/articles.reads.js'
import { noRelations } from '../articles/articles.record.js'
import { findArticle } from '../articles/articles.repository.js'
import { findRevision } from '../articles/articles.revisions-repository.js'
import type { Article } from '../articles/articles.schemas.js'
import { fullView, type ViewOptions } from '../articles/articles.view.js'
import { recordAudit } from '../audit/audit.repository.js'
import { previewUrl, toPreviewLink } from './previews.mapper.js'
import { pinnedArticle } from './previews.pinned.js'
import * as repo from './previews.repository.js'
import type { PreviewLink, PreviewLinkCreate, PreviewLinkCreated, PreviewLinkListQuery } from './previews.schemas.js'
import { createToken, hashToken } from './previews.tokens.js'

export interface PreviewsServiceOptions {
  clock: () => Date
  /** MEDIA_PUBLIC_URL: the base of rendition URLs (undefined: the API's own /media path). */
  mediaBase?: string
  /** PUBLIC_ARTICLE_URL and the others: the `url` of the article a link shows (as reads show it). */
  publicUrls?: PublicUrlTemplates
  /** PREVIEW_URL (a template with {token}) and PUBLIC_URL: where a new link points. */
  urls: { template?: string; publicUrl?: string }
}

const resource = 'preview-link'

/** The id of the live article with this id or slug: 404 if none. */
async function articleIdOf(db: Db, idOrSlug: string): Promise<string> {
  const isId = uuidPattern.test(idOrSlug)
  // Named by id, slug or former slug, it needs none of its relations to be found.
  const record = await findArticle(db, isId ? idOrSlug.toLowerCase() : idOrSlug, isId, noRelations)
  if (!record) throw new NotFoundError('article', idOrSlug)
  return record.id
}

export function createPreviewsService(
  db: PrismaClient,
  { clock, mediaBase, publicUrls, urls }: PreviewsServiceOptions,
) {
  const view: ViewOptions = { ...fullView, mediaBase, publicUrls }

  /** The article the link shows, as it is now or as its pinned version (deleted since: 404). */
  async function shown(link: repo.PreviewLinkRow, now: Date): Promise<Article> {
    if (link.pinnedVersion === null) {
      const read = await getArticle(db, link.articleId, view, now).catch((err: { code?: string }) => {
        throw err.code === 'ND_NOT_FOUND' ? new PreviewNotFoundError() : err
      })
      return read.body
    }
    const [current, revision] = await Promise.all([
      findArticle(db, link.articleId, true),
      findRevision(db, link.articleId, link.pinnedVersion),
    ])
    if (!current || !revision) throw new PreviewNotFoundError()
    return pinnedArticle(db, current, revision, view, now)
  }

  return {
    async create(articleKey: string, input: PreviewLinkCreate, actor: Actor): Promise<PreviewLinkCreated> {
      const articleId = await articleIdOf(db, articleKey)
      const pinnedVersion = input.pinVersion ?? null
      if (pinnedVersion !== null && !(await repo.revisionExists(db, articleId, pinnedVersion))) {
        throw withProblem(new MissingReferenceError(`The article has no version ${pinnedVersion} (pinVersion)`), {
          field: 'pinVersion',
        })
      }
      const now = clock()
      const { token, tokenHash } = createToken()
      const row = await db.$transaction(async (tx) => {
        const created = await repo.createLink(tx, {
          articleId,
          tokenHash,
          pinnedVersion,
          expiresAt: new Date(now.getTime() + input.expiresIn * 1000),
          createdById: actor.keyId,
          createdAt: now,
        })
        await recordAudit(tx, actor, { action: 'create', resourceType: resource, resourceId: created.id })
        return created
      })
      return { ...toPreviewLink(row, now), token, url: previewUrl(token, urls) }
    },

    async list(articleKey: string, query: PreviewLinkListQuery): Promise<Page<PreviewLink>> {
      const articleId = await articleIdOf(db, articleKey)
      const after = query.cursor ? decodeCursor(query.cursor, '-createdAt', ['date', 'uuid']) : undefined
      const rows = await repo.listLinks(db, articleId, query.limit, after ? { at: after[0], id: after[1] } : undefined)
      const page = toPage(rows, query.limit, '-createdAt', (r) => [r.createdAt.toISOString(), r.id])
      const now = clock()
      return { data: page.data.map((r) => toPreviewLink(r, now)), page: page.page }
    },

    async get(id: string): Promise<PreviewLink> {
      const row = await repo.findLink(db, id)
      if (!row) throw new NotFoundError('preview link', id)
      return toPreviewLink(row, clock())
    },

    /** Revokes a link: the next visit is a 404. Revoking a revoked link again changes nothing. */
    async revoke(id: string, actor: Actor): Promise<void> {
      await db.$transaction(async (tx) => {
        const row = await repo.revokeLink(tx, id, clock())
        if (!row) throw new NotFoundError('preview link', id)
        await recordAudit(tx, actor, { action: 'revoke', resourceType: resource, resourceId: id })
      })
    },

    /**
     * Opens a preview: the article the token's link shows, the visit counted and audited (by the
     * link's id, never its token). `admit` may refuse the visit (the link's rate limit) before it
     * is counted; every refusal of a token is the same 404, whatever the reason.
     */
    async open(token: string, actor: Actor, admit: (linkId: string) => Promise<void>): Promise<Article> {
      const now = clock()
      const link = await repo.findOpenLink(db, hashToken(token), now)
      if (!link) throw new PreviewNotFoundError()
      await admit(link.id)
      const article = await shown(link, now)
      await db.$transaction(async (tx) => {
        await repo.recordUse(tx, link.id, now)
        await recordAudit(tx, actor, { action: 'view', resourceType: resource, resourceId: link.id })
      })
      return article
    },
  }
}

export type PreviewsService = ReturnType<typeof createPreviewsService>
