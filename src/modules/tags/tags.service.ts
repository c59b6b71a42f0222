import type { PrismaClient } from '../../db/database.js'
import type { Db } from '../../db/types.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import * as repo from './tags.repository.js'
import type { TagCount, TagListQuery } from './tags.schemas.js'

/** Tag slugs named by another record's input to their ids, in the same order; new tags are created. */
export async function resolveTagIds(tx: Db, slugs: string[]): Promise<string[]> {
  if (slugs.length === 0) return []
  const ids = await repo.ensureTags(tx, slugs)
  return slugs.map((slug) => ids.get(slug) as string)
}

export interface TagsServiceOptions {
  clock: () => Date
}

export function createTagsService(db: PrismaClient, { clock }: TagsServiceOptions) {
  return {
    /** Tags by slug; the public view lists and counts public articles only, `preview` every live one. */
    async list(query: TagListQuery, preview: boolean): Promise<Page<TagCount>> {
      const after = query.cursor ? decodeCursor(query.cursor, 'slug', ['string']) : undefined
      const rows = await repo.listTagCounts(db, {
        publicAt: preview ? null : clock(),
        afterSlug: after?.[0],
        limit: query.limit,
      })
      return toPage(rows, query.limit, 'slug', (r) => [r.slug])
    },
  }
}

export type TagsService = ReturnType<typeof createTagsService>
