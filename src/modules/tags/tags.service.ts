// The tag vocabulary: reads with article counts (public callers see only tags of public
// articles), its changes (tags.writes.ts), and the tags an article's input names.
import type { PrismaClient } from '../../db/database.js'
import type { RawDb } from '../../db/direct.js'
import { MissingReferenceError, NotFoundError, withProblem } from '../../errors.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import * as repo from './tags.repository.js'
import type { TagCount, TagCreate, TagListQuery, TagMerge, TagUpdate } from './tags.schemas.js'
import * as writes from './tags.writes.js'

/**
 * What an article write does with a slug no tag has or had: create the tag (named after its
 * slug), refuse the write (422 naming each such slug), or leave the slug out (restoring a
 * revision that names a tag deleted since).
 */
export type UnknownTags = 'create' | 'reject' | 'skip'

/**
 * Tag slugs named by an article's input to their ids, in the same order. A former slug names the
 * tag it resolves to (never a new tag under an old name); slugs naming one tag give one id.
 */
export async function resolveTagIds(tx: RawDb, slugs: string[], unknown: UnknownTags): Promise<string[]> {
  if (slugs.length === 0) return []
  let ids = await repo.tagIdsBySlug(tx, slugs)
  const missing = slugs.filter((slug) => !ids.has(slug))
  if (missing.length > 0 && unknown === 'reject') {
    throw withProblem(
      new MissingReferenceError(
        `No tag has the slug ${missing.map((s) => `"${s}"`).join(', ')}: create it first (POST /v1/tags)`,
      ),
      {
        errors: missing.map((slug) => ({
          in: 'body' as const,
          pointer: `/tags/${slugs.indexOf(slug)}`,
          message: `no tag has the slug "${slug}"`,
        })),
      },
    )
  }
  if (missing.length > 0 && unknown === 'create') {
    await repo.createTagsNamedBySlug(tx, missing)
    ids = await repo.tagIdsBySlug(tx, slugs)
  }
  return [...new Set(slugs.flatMap((slug) => ids.get(slug) ?? []))]
}

export interface TagsServiceOptions {
  clock: () => Date
}

export function createTagsService(db: PrismaClient, { clock }: TagsServiceOptions) {
  const context = (actor: Actor): writes.Context => ({ actor, at: clock() })
  return {
    /** Tags by slug; the public view lists and counts public articles only, `preview` every live one. */
    async list(query: TagListQuery, preview: boolean): Promise<Page<TagCount>> {
      const after = query.cursor ? decodeCursor(query.cursor, 'slug', ['string']) : undefined
      const rows = await repo.listTagCounts(db, {
        publicAt: preview ? null : clock(),
        type: query.type,
        q: query.q,
        afterSlug: after?.[0],
        limit: query.limit,
      })
      return toPage(rows, query.limit, 'slug', (r) => [r.slug])
    },

    /** The tag a slug names now or formerly; for public callers only while a public article uses it. */
    async get(slug: string, preview: boolean): Promise<TagCount> {
      const row = await repo.findTagCount(db, slug, preview ? null : clock())
      if (!row) throw new NotFoundError('tag', slug)
      return row
    },

    create: (input: TagCreate, actor: Actor) => db.$transaction((tx) => writes.createTag(tx, input, context(actor))),

    update: (slug: string, input: TagUpdate, actor: Actor) =>
      db.$transaction((tx) => writes.updateTag(tx, slug, input, context(actor))),

    remove: (slug: string, actor: Actor) => db.$transaction((tx) => writes.removeTag(tx, slug, context(actor))),

    merge: (slug: string, input: TagMerge, actor: Actor) =>
      db.$transaction((tx) => writes.mergeTag(tx, slug, input, context(actor))),
  }
}

export type TagsService = ReturnType<typeof createTagsService>
