import type { RawDb } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { TagType } from '../../generated/prisma/enums.js'
import { uuidv7 } from '../../lib/uuid.js'
import { publicArticleSql } from '../articles/articles.embargo-repository.js'
import { escapeLike } from '../sources/sources.repository.js'

export interface TagRow {
  id: string
  slug: string
  name: string
  type: TagType
  uri: string | null
  description: string | null
}

export interface TagCountRow extends TagRow {
  articleCount: number
}

/** The columns of a tag (alias t), defined once for every read below. */
const tagColumns = Prisma.sql`t.id, t.slug, t.name, t.type::text AS type, t.uri, t.description`

/**
 * The articles a caller sees of the tag t: every live one (publicAt null), or those public at
 * that instant. The time is a sub-select so that the statement plans the same whatever it is.
 */
function countedArticles(publicAt: Date | null): Prisma.Sql {
  const visible = publicAt
    ? Prisma.sql`AND ${publicArticleSql('a', Prisma.sql`(SELECT ${publicAt}::timestamptz)`)}`
    : Prisma.empty
  return Prisma.sql`CROSS JOIN LATERAL (
      SELECT count(*)::int AS n FROM article_tags x JOIN articles a ON a.id = x.article_id
      WHERE x.tag_id = t.id AND a.deleted_at IS NULL ${visible}) c`
}

export interface TagListFilter {
  /** Count (and list) only the articles public at this instant; null: every live article, every tag. */
  publicAt: Date | null
  type?: TagType
  /** A substring of the name or slug, matched case-insensitively and literally. */
  q?: string
  /** Keyset position: the slug of the last tag seen (slugs are unique). */
  afterSlug?: string
  limit: number
}

/**
 * Tags by slug with their article counts (`limit + 1` rows, for toPage), in one statement: the
 * tags are walked in slug order off their unique index and each one's articles counted off the
 * (tag_id, article_id) index, so a page costs its own tags' counts, not a count of every tag.
 * The public view lists only the tags that counted at least one article: a tag of drafts alone
 * would tell what is being written.
 */
export async function listTagCounts(db: Db, filter: TagListFilter): Promise<TagCountRow[]> {
  const pattern = filter.q === undefined ? undefined : `%${escapeLike(filter.q)}%`
  const conditions = [
    ...(filter.publicAt ? [Prisma.sql`c.n > 0`] : []),
    ...(filter.afterSlug !== undefined ? [Prisma.sql`t.slug > ${filter.afterSlug}`] : []),
    ...(filter.type ? [Prisma.sql`t.type = ${filter.type}::tag_type`] : []),
    ...(pattern ? [Prisma.sql`(t.name ILIKE ${pattern} OR t.slug ILIKE ${pattern})`] : []),
  ]
  // A literal (the schema bounds it to an integer): with LIMIT $n a generic plan would assume a tenth of the table.
  const limit = Prisma.raw(String(Math.trunc(filter.limit) + 1))
  return db.$queryRaw<TagCountRow[]>`
    SELECT ${tagColumns}, c.n AS "articleCount"
    FROM tags t ${countedArticles(filter.publicAt)}
    ${conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty}
    ORDER BY t.slug LIMIT ${limit}`
}

/**
 * The tag a slug names, now or formerly (a renamed tag, or one merged into it), with its article
 * count; null when none does, or when `publicAt` is given and no article public then uses it.
 */
export async function findTagCount(db: Db, slug: string, publicAt: Date | null): Promise<TagCountRow | null> {
  const rows = await db.$queryRaw<TagCountRow[]>`
    SELECT ${tagColumns}, c.n AS "articleCount"
    FROM tags t ${countedArticles(publicAt)}
    WHERE t.id = (SELECT id FROM tags WHERE slug = ${slug} UNION ALL SELECT tag_id FROM tag_slugs WHERE slug = ${slug} LIMIT 1)
    ${publicAt ? Prisma.sql`AND c.n > 0` : Prisma.empty}`
  return rows[0] ?? null
}

/** The tag with this current slug (locked for the rest of the transaction with `lock`). */
export async function findTag(tx: Db, slug: string, lock = false): Promise<TagRow | null> {
  const rows = await tx.$queryRaw<TagRow[]>`
    SELECT ${tagColumns} FROM tags t WHERE t.slug = ${slug} ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`
  return rows[0] ?? null
}

/** The tag a slug names now or formerly. */
export async function resolveTag(tx: Db, slug: string): Promise<TagRow | null> {
  const rows = await tx.$queryRaw<TagRow[]>`
    SELECT ${tagColumns} FROM tags t
    WHERE t.id = (SELECT id FROM tags WHERE slug = ${slug} UNION ALL SELECT tag_id FROM tag_slugs WHERE slug = ${slug} LIMIT 1)`
  return rows[0] ?? null
}

/** The current slug of the tag this former slug resolves to, if it is one. */
export async function formerSlugOwner(tx: Db, slug: string): Promise<{ id: string; slug: string } | null> {
  const row = await tx.tagSlug.findUnique({ where: { slug }, select: { tag: { select: { id: true, slug: true } } } })
  return row?.tag ?? null
}

/**
 * Holds these slugs for the rest of the transaction, in slug order. A tag's current slugs (tags)
 * and former ones (tag_slugs) share one namespace that no unique index spans: every write that
 * claims a slug in either table (a create, a rename, a merge, an article write creating tags)
 * holds it first and then checks both, so two writes never give one slug two owners. Taken after
 * any article and tag row locks, so that it never waits while an article write waits on it.
 */
export async function lockSlugs(tx: RawDb, slugs: string[]): Promise<void> {
  // pg_advisory_xact_lock is volatile: PostgreSQL calls it after sorting, in slug order.
  await tx.$queryRaw`
    SELECT count(*)::int AS n FROM (
      SELECT pg_advisory_xact_lock(hashtext('tags.slug'), hashtext(s)) FROM unnest(${[...new Set(slugs)]}::text[]) s
      ORDER BY s) x`
}

/**
 * Locks the tags' rows, and first the live articles using them, for the rest of the transaction.
 * Articles first: an article write locks its article, then (linking a tag) takes a key-share lock
 * on the tag; taken in the other order, a save of an article with the tag during a rename would
 * deadlock with it. Once the tags are locked no write can link them, so the articles using them
 * stay those locked (or fewer).
 */
export async function lockTagsAndArticles(tx: Db, tagIds: string[]): Promise<void> {
  await tx.$queryRaw`
    SELECT a.id FROM articles a
    WHERE a.deleted_at IS NULL AND a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ANY (${tagIds}::uuid[]))
    ORDER BY a.id FOR UPDATE`
  await tx.$queryRaw`SELECT id FROM tags WHERE id = ANY (${tagIds}::uuid[]) ORDER BY id FOR UPDATE`
}

/** Whether an article public at `now` uses the tag: its events may then be public. */
export async function usedPublicly(tx: Db, tagId: string, now: Date): Promise<boolean> {
  const [row] = await tx.$queryRaw<[{ used: boolean }]>`
    SELECT EXISTS (
      SELECT 1 FROM article_tags x JOIN articles a ON a.id = x.article_id
      WHERE x.tag_id = ${tagId}::uuid AND ${publicArticleSql('a', Prisma.sql`${now}::timestamptz`)}) AS used`
  return row.used
}

/** How many live articles use the tag. */
export async function liveArticleCount(tx: Db, tagId: string): Promise<number> {
  return tx.articleTag.count({ where: { tagId, article: { deletedAt: null } } })
}

export interface ArticleBump {
  tagId: string
  /** The slug the tag's articles show from now on in its place. */
  slug: string
  now: Date
  keyId: string | null
  requestId: string
}

/** An article a rename or merge changed, as its change event needs it. */
export interface BumpedArticle {
  id: string
  slug: string
  version: number
  status: string
  sourceId: string | null
  creditSourceIds: string[]
  /** Its tag slugs before the change, in slug order. */
  tags: string[]
  /** Public at the change (published, or scheduled and due). */
  isPublic: boolean
}

/**
 * The change a rename or a merge makes to the live articles using the tag, in one statement
 * whatever their number: each gets a new version (their ETag changes with their `tags`) and a
 * revision naming `tags`, whose snapshot is the previous one with the tags as they will be (the
 * tag's slug replaced, once, in slug order as reads list them). An article with no previous
 * revision (seeded content) gets none: there is no snapshot to carry over. Runs before the tag
 * changes, reading the tags as they are. Returns the articles changed, for their events.
 */
export function bumpArticlesOfTag(tx: Db, bump: ArticleBump): Promise<BumpedArticle[]> {
  return tx.$queryRaw<BumpedArticle[]>`
    WITH bumped AS (
      UPDATE articles a SET version = a.version + 1, updated_at = ${bump.now}, updated_by_id = ${bump.keyId}::uuid
      WHERE a.deleted_at IS NULL AND a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ${bump.tagId}::uuid)
      RETURNING a.id, a.slug, a.version, a.status, a.published_at, a.source_id, a.deleted_at, a.embargoed_until
    ), revised AS (
      INSERT INTO article_revisions (article_id, version, changed_fields, snapshot, key_id, request_id, created_at)
      SELECT b.id, b.version, ARRAY['tags'], jsonb_set(r.snapshot, '{tags}', (
          SELECT jsonb_agg(DISTINCT s.slug ORDER BY s.slug) FROM (
            SELECT CASE WHEN x.tag_id = ${bump.tagId}::uuid THEN ${bump.slug}::varchar ELSE t.slug END AS slug
            FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = b.id) s)),
        ${bump.keyId}::uuid, ${bump.requestId}, ${bump.now}
      FROM bumped b JOIN article_revisions r ON r.article_id = b.id AND r.version = b.version - 1
    )
    SELECT b.id, b.slug, b.version, b.status::text AS status, b.source_id AS "sourceId",
      ARRAY(SELECT c.source_id::text FROM article_credits c WHERE c.article_id = b.id ORDER BY c.position) AS "creditSourceIds",
      ARRAY(SELECT t.slug::text FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = b.id ORDER BY t.slug) AS tags,
      (${publicArticleSql('b', Prisma.sql`${bump.now}::timestamptz`)}) AS "isPublic"
    FROM bumped b ORDER BY b.id`
}

export function createTag(tx: Db, data: Prisma.TagUncheckedCreateInput): Promise<TagRow> {
  return tx.tag.create({ data, select: { id: true, slug: true, name: true, type: true, uri: true, description: true } })
}

export function updateTag(tx: Db, id: string, data: Prisma.TagUncheckedUpdateInput): Promise<TagRow> {
  return tx.tag.update({
    where: { id },
    data,
    select: { id: true, slug: true, name: true, type: true, uri: true, description: true },
  })
}

/** Makes a former slug resolve to the tag. */
export async function addFormerSlug(tx: Db, slug: string, tagId: string): Promise<void> {
  await tx.tagSlug.create({ data: { slug, tagId } })
}

export async function forgetFormerSlug(tx: Db, slug: string): Promise<void> {
  await tx.tagSlug.deleteMany({ where: { slug } })
}

/**
 * Moves every article of `fromId` to `intoId` in one statement (an article that had both keeps
 * one link), and the former slugs of `fromId` to `intoId`.
 */
export async function moveTag(tx: Db, fromId: string, intoId: string): Promise<void> {
  await tx.$executeRaw`
    WITH moved AS (DELETE FROM article_tags WHERE tag_id = ${fromId}::uuid RETURNING article_id)
    INSERT INTO article_tags (article_id, tag_id) SELECT article_id, ${intoId}::uuid FROM moved
    ON CONFLICT DO NOTHING`
  await tx.tagSlug.updateMany({ where: { tagId: fromId }, data: { tagId: intoId } })
}

/** Deletes the tag and its links to (deleted) articles. */
export async function deleteTag(tx: Db, id: string): Promise<void> {
  await tx.articleTag.deleteMany({ where: { tagId: id } })
  await tx.tag.delete({ where: { id } })
}

/** The ids of the tags these slugs name, now or formerly (a slug of none is absent). */
export async function tagIdsBySlug(tx: RawDb, slugs: string[]): Promise<Map<string, string>> {
  // A current slug wins over a former one (the last set below), should both ever exist.
  const rows = await tx.$queryRaw<{ slug: string; id: string }[]>`
    SELECT slug, tag_id AS id, 0 AS ord FROM tag_slugs WHERE slug = ANY (${slugs}::text[])
    UNION ALL SELECT slug, id, 1 FROM tags WHERE slug = ANY (${slugs}::text[])
    ORDER BY ord`
  return new Map(rows.map((r) => [r.slug, r.id]))
}

/**
 * Creates tags with these slugs, named after them, unless a tag has or had the slug (a concurrent
 * write may have created one since it was looked up).
 */
export async function createTagsNamedBySlug(tx: RawDb, slugs: string[]): Promise<void> {
  await lockSlugs(tx, slugs)
  const formers = await tx.$queryRaw<{ slug: string }[]>`
    SELECT slug FROM tag_slugs WHERE slug = ANY (${slugs}::text[])`
  const taken = new Set(formers.map((f) => f.slug))
  // Sorted, so two writers adding the same new tags take their locks in the same order.
  const added = slugs.filter((slug) => !taken.has(slug)).sort()
  if (added.length === 0) return
  const names = added.map((slug) => slug.replace(/-/g, ' ').replace(/^\w/, (c) => c.toUpperCase()))
  await tx.$executeRaw`INSERT INTO tags (id, slug, name, updated_at)
    SELECT id, slug, name, ${new Date()} FROM unnest(${added.map(() => uuidv7())}::uuid[], ${added}::text[], ${names}::text[])
      WITH ORDINALITY AS t(id, slug, name, n)
    ORDER BY n
    ON CONFLICT DO NOTHING`
}
