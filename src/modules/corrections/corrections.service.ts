// Corrections: appending a note in an article PATCH's transaction, and the site-wide list.
import type { PrismaClient } from '../../db/database.js'
import type { RawDb } from '../../db/direct.js'
import { NotYetPublishedError } from '../../errors.js'
import { decodeCursor, toPage } from '../../lib/pagination.js'
import { uuidPattern } from '../../lib/uuid.js'
import type { ArticleRecord } from '../articles/articles.record.js'
import { firstPublished } from '../articles/articles.visibility.js'
import * as repo from './corrections.repository.js'
import type { CorrectionInput, CorrectionList, CorrectionListQuery } from './corrections.schemas.js'

/**
 * Appends the note to the article being changed, with the version the change makes (the update
 * is conditional on `current.version`, so the note and that version commit together or not at
 * all). Throws NotYetPublishedError (422) for an article never published, before anything is written.
 */
export async function appendCorrection(
  tx: RawDb,
  current: ArticleRecord,
  correction: CorrectionInput,
  now: Date,
): Promise<void> {
  if (!firstPublished(current, now)) {
    throw new NotYetPublishedError('A correction note is for an article that has been published')
  }
  await repo.insertCorrection(tx, {
    articleId: current.id,
    kind: correction.kind,
    text: correction.text,
    at: now,
    version: current.version + 1,
  })
}

/** A list's body and what its caching headers say. */
export interface CorrectionsRead {
  body: CorrectionList
  surrogateKeys: string[]
  lastModified: Date | null
}

export function createCorrectionsService(db: PrismaClient, { clock }: { clock: () => Date }) {
  return {
    /** Newest first; public callers see the notes of articles public now, preview callers of every live one. */
    async list(query: CorrectionListQuery, preview: boolean): Promise<CorrectionsRead> {
      const after = query.cursor ? decodeCursor(query.cursor, 'corrections', ['date', 'uuid']) : undefined
      const article = query.article
        ? uuidPattern.test(query.article)
          ? { id: query.article.toLowerCase() }
          : { slug: query.article }
        : undefined
      const rows = await repo.listCorrections(db, {
        publicAt: preview ? null : clock(),
        article,
        kind: query.kind,
        since: query.since ? new Date(query.since) : undefined,
        after: after ? { at: after[0], id: after[1] } : undefined,
        limit: query.limit,
      })
      const page = toPage(rows, query.limit, 'corrections', (r) => [r.at.toISOString(), r.id])
      const body = {
        data: page.data.map((r) => ({
          id: r.id,
          kind: r.kind,
          text: r.text,
          at: r.at.toISOString(),
          version: r.version,
          article: { id: r.articleId, slug: r.slug, headline: r.headline },
        })),
        page: page.page,
      }
      const articleKeys = [...new Set(page.data.map((r) => `article:${r.articleId}`))]
      const times = page.data.flatMap((r) => [r.at, r.updatedAt])
      const lastModified = times.reduce<Date | null>((max, t) => (!max || t > max ? t : max), null)
      return { body, surrogateKeys: ['corrections', ...articleKeys], lastModified }
    },
  }
}

export type CorrectionsService = ReturnType<typeof createCorrectionsService>
