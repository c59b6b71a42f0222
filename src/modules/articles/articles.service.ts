import { createHash } from 'node:crypto'
import type { PrismaClient } from '../../db/database.js'
import { translateDatabaseError } from '../../db/errors.js'
import type { Db } from '../../db/types.js'
import {
  IdempotencyMismatchError,
  InvalidCursorError,
  InvalidTransitionError,
  MissingReferenceError,
  NotFoundError,
  NotPublishableError,
  type ProblemExtensions,
  UniqueViolationError,
  withProblem,
} from '../../errors.js'
import type { Prisma } from '../../generated/prisma/client.js'
import type { ArticleStatus } from '../../generated/prisma/enums.js'
import { decodeCursor, encodeCursor } from '../../lib/pagination.js'
import type { Actor } from '../../lib/principal.js'
import { firstFreeSlug, slugify } from '../../lib/slug.js'
import { uuidPattern } from '../../lib/uuid.js'
import { checkIfMatch, type IfMatch } from '../../lib/versions.js'
import { recordAudit } from '../audit/audit.repository.js'
import { resolveSourceId, toSource } from '../sources/sources.service.js'
import { renderBodyHtml, renderBodyText } from './articles.body.js'
import * as repo from './articles.repository.js'
import {
  type Article,
  type ArticleCreate,
  type ArticleField,
  type ArticleInclude,
  type ArticleListQuery,
  type ArticleUpdate,
  articleFields,
  type Publish,
} from './articles.schemas.js'

export interface ViewOptions {
  /** The caller may see drafts and scheduled articles. */
  preview: boolean
  fields?: ArticleField[]
  include?: ArticleInclude[]
}

/** BCP 47 tags compare case-insensitively; store one form: "en", "pt-BR", "zh-Hant". */
export function normalizeLanguage(tag: string): string {
  return tag
    .split('-')
    .map((part, i) =>
      i === 0
        ? part.toLowerCase()
        : part.length === 2
          ? part.toUpperCase()
          : part.length === 4
            ? part[0]?.toUpperCase() + part.slice(1).toLowerCase()
            : part.toLowerCase(),
    )
    .join('-')
}

/** The status a reader sees: a scheduled article whose time has come is published. */
export function effectiveStatus(row: { status: ArticleStatus; publishedAt: Date | null }, now: Date): ArticleStatus {
  return row.status === 'scheduled' && row.publishedAt && row.publishedAt <= now ? 'published' : row.status
}

export function isPublic(row: { status: ArticleStatus; publishedAt: Date | null; deletedAt: Date | null }, now: Date) {
  return !row.deletedAt && effectiveStatus(row, now) === 'published'
}

interface ViewContext {
  status: ArticleStatus
  include: ReadonlySet<ArticleInclude>
}

/** How each field is read off a row; a view computes only the fields it shows. */
const fieldValues: { [F in ArticleField]-?: (row: repo.ArticleRow, c: ViewContext) => Article[F] } = {
  slug: (r) => r.slug,
  headline: (r) => r.headline,
  summary: (r) => r.summary,
  body: (r) => r.body,
  // Stored at write time; rendered here only for rows written before the column existed.
  bodyHtml: (r) => r.bodyHtml ?? renderBodyHtml(r.body),
  bodyText: (r) => r.bodyText,
  dateline: (r) => r.dateline,
  bylines: (r) => r.bylines,
  language: (r) => r.language,
  status: (_r, c) => c.status,
  publishedAt: (r) => r.publishedAt?.toISOString() ?? null,
  // A scheduled article whose time has come was first published then (no write marks that moment).
  firstPublishedAt: (r, c) =>
    (r.firstPublishedAt ?? (c.status === 'published' ? r.publishedAt : null))?.toISOString() ?? null,
  canonicalUrl: (r) => r.canonicalUrl,
  leadImage: (r) =>
    r.leadImageUrl ? { url: r.leadImageUrl, caption: r.leadImageCaption, credit: r.leadImageCredit } : null,
  sourceId: (r) => r.sourceId,
  credits: (r, c) =>
    r.credits.map((credit) => ({
      sourceId: credit.sourceId,
      role: credit.role,
      ...(c.include.has('credits') && credit.source ? { source: toSource(credit.source) } : {}),
    })),
  tags: (r, c) =>
    c.include.has('tags') ? r.tags.map((t) => ({ slug: t.tag.slug, name: t.tag.name })) : r.tags.map((t) => t.tag.slug),
  version: (r) => r.version,
  createdBy: (r) => r.createdById,
  updatedBy: (r) => r.updatedById,
  createdAt: (r) => r.createdAt.toISOString(),
  updatedAt: (r) => r.updatedAt.toISOString(),
}

function toArticle(row: repo.ArticleRow, now: Date, view: ViewOptions, snippet?: string | null): Article {
  const include = new Set(view.include ?? [])
  const context: ViewContext = { status: effectiveStatus(row, now), include }
  const out: Record<string, unknown> = { id: row.id }
  for (const field of view.fields ?? articleFields) out[field] = fieldValues[field](row, context)
  // Embedded records come with their fields even when `fields` leaves those out.
  if (include.has('source')) out.source = row.source ? toSource(row.source) : null
  if (include.has('credits') && !('credits' in out)) out.credits = fieldValues.credits(row, context)
  if (include.has('tags') && !('tags' in out)) out.tags = fieldValues.tags(row, context)
  if (snippet) out.snippet = snippet
  return out as Article
}

/** The editable state of an article, as stored in a revision. */
function snapshotOf(row: repo.ArticleRow) {
  return {
    slug: row.slug,
    headline: row.headline,
    summary: row.summary,
    body: row.body,
    dateline: row.dateline,
    bylines: row.bylines,
    language: row.language,
    status: row.status,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    canonicalUrl: row.canonicalUrl,
    leadImage: row.leadImageUrl
      ? { url: row.leadImageUrl, caption: row.leadImageCaption, credit: row.leadImageCredit }
      : null,
    sourceId: row.sourceId,
    credits: row.credits.map((c) => ({ sourceId: c.sourceId, role: c.role })),
    tags: row.tags.map((t) => t.tag.slug),
  }
}
type Snapshot = ReturnType<typeof snapshotOf>

function changedFields(before: Snapshot, after: Snapshot): string[] {
  return (Object.keys(after) as (keyof Snapshot)[]).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  )
}

export function surrogateKeysOf(row: repo.ArticleRow): string[] {
  return [
    `article:${row.id}`,
    ...(row.sourceId ? [`source:${row.sourceId}`] : []),
    ...row.credits.map((c) => `source:${c.sourceId}`),
    ...row.tags.map((t) => `tag:${t.tag.slug}`),
  ]
}

/** The related records a view embeds (include=source, include=credits). */
function relationsOf(view: ViewOptions): repo.Relations {
  return {
    source: view.include?.includes('source') ?? false,
    creditSources: view.include?.includes('credits') ?? false,
  }
}

/** The fields read from the body columns (the largest by far). */
const bodyFields = new Set<string>(['body', 'bodyHtml', 'bodyText'])

/** Slugs that are paths under /v1/articles: an article with one could not be read by its slug. */
const reservedSlugs = ['deletions']

/**
 * Runs a create again when the slug it generated was taken meanwhile by a concurrent create (both
 * chose it before either committed). A slug the caller chose is a 409 at once.
 */
async function retryGeneratedSlugClash<T>(input: ArticleCreate, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (err) {
      const clash = (translateDatabaseError(err) as ProblemExtensions | undefined)?.problem?.field === 'slug'
      if (input.slug !== undefined || !clash || attempt >= 5) throw err
    }
  }
}

export interface ArticlesServiceOptions {
  clock: () => Date
}

export function createArticlesService(db: PrismaClient, { clock }: ArticlesServiceOptions) {
  /** Tag slugs to ids, creating tags that do not exist yet (named after their slug). */
  async function resolveTags(tx: Db, slugs: string[]): Promise<string[]> {
    if (slugs.length === 0) return []
    // Sorted, so two writers adding the same new tags take their locks in the same order.
    await tx.tag.createMany({
      data: [...slugs]
        .sort()
        .map((slug) => ({ slug, name: slug.replace(/-/g, ' ').replace(/^\w/, (c) => c.toUpperCase()) })),
      skipDuplicates: true,
    })
    const rows = await tx.tag.findMany({ where: { slug: { in: slugs } }, select: { id: true, slug: true } })
    const ids = new Map(rows.map((r) => [r.slug, r.id]))
    return slugs.map((s) => ids.get(s) as string)
  }

  /**
   * The first free of base, base-2, … base-50, asked by exact slugs (unique index lookups): a
   * prefix search (LIKE 'base%') cannot use the index under a locale collation and read every
   * article (~30 ms at 100,000). Only when all fifty are taken does it search by prefix.
   */
  async function uniqueSlug(tx: Db, headline: string): Promise<string> {
    const base = slugify(headline, 200) || 'article'
    const candidates = [base, ...Array.from({ length: 49 }, (_, i) => firstFreeSlug(base, [], 200, i + 2))]
    const taken = async (where: Prisma.StringFilter) => [
      ...(await tx.article.findMany({ where: { slug: where }, select: { slug: true } })),
      ...(await tx.articleSlug.findMany({ where: { slug: where }, select: { slug: true } })),
      ...reservedSlugs.map((slug) => ({ slug })),
    ]
    const near = (await taken({ in: candidates })).map((r) => r.slug)
    const free = candidates.find((c) => !near.includes(c))
    if (free) return free
    return firstFreeSlug(
      base,
      (await taken({ startsWith: base })).map((r) => r.slug),
      200,
    )
  }

  async function assertSlugFree(tx: Db, slug: string, articleId?: string) {
    if (reservedSlugs.includes(slug)) throw withProblem(new UniqueViolationError('slug'), { field: 'slug' })
    const old = await tx.articleSlug.findUnique({ where: { slug } })
    if (old && old.articleId !== articleId) {
      // Another article had this slug before and it still resolves there.
      throw withProblem(new UniqueViolationError('slug'), { field: 'slug' })
    }
  }

  /** Column values for the editable fields present in the input. */
  async function columns(tx: Db, input: ArticleUpdate) {
    const data: Prisma.ArticleUncheckedUpdateInput = {}
    if (input.headline !== undefined) data.headline = input.headline
    if (input.summary !== undefined) data.summary = input.summary
    if (input.body !== undefined) {
      data.body = input.body
      data.bodyText = renderBodyText(input.body)
      data.bodyHtml = renderBodyHtml(input.body)
    }
    if (input.dateline !== undefined) data.dateline = input.dateline
    if (input.bylines !== undefined) data.bylines = input.bylines
    if (input.language !== undefined) data.language = normalizeLanguage(input.language)
    if (input.canonicalUrl !== undefined) data.canonicalUrl = input.canonicalUrl
    if (input.leadImage !== undefined) {
      data.leadImageUrl = input.leadImage?.url ?? null
      data.leadImageCaption = input.leadImage?.caption ?? null
      data.leadImageCredit = input.leadImage?.credit ?? null
    }
    if (input.source !== undefined)
      data.sourceId = input.source === null ? null : await resolveSourceId(tx, input.source, 'source')
    return data
  }

  async function replaceRelations(tx: Db, articleId: string, input: ArticleUpdate) {
    if (input.credits !== undefined) {
      const ids = await Promise.all(input.credits.map((c, i) => resolveSourceId(tx, c.source, `credits/${i}/source`)))
      await tx.articleCredit.deleteMany({ where: { articleId } })
      const seen = new Set<string>()
      await tx.articleCredit.createMany({
        data: ids
          .map((sourceId, position) => ({
            articleId,
            sourceId,
            position,
            role: input.credits?.[position]?.role ?? 'wire',
          }))
          .filter((c) => !seen.has(c.sourceId) && seen.add(c.sourceId)),
      })
    }
    if (input.tags !== undefined) {
      const tagIds = await resolveTags(tx, input.tags)
      await tx.articleTag.deleteMany({ where: { articleId } })
      await tx.articleTag.createMany({ data: tagIds.map((tagId) => ({ articleId, tagId })) })
    }
  }

  async function load(tx: Db, id: string): Promise<repo.ArticleRow> {
    const row = await repo.findArticle(tx, id, true)
    if (!row) throw new NotFoundError('article', id)
    return row
  }

  /**
   * Locks the article's row for the rest of the transaction, then reads it: changes to one article
   * run one after the other, each judging (If-Match, transitions) the state the previous one left.
   */
  async function lockAndLoad(tx: Db, id: string): Promise<repo.ArticleRow> {
    await tx.$queryRaw`SELECT 1 FROM articles WHERE id = ${id}::uuid FOR UPDATE`
    return load(tx, id)
  }

  async function writeRevision(tx: Db, before: Snapshot | null, row: repo.ArticleRow, actor: Actor) {
    const after = snapshotOf(row)
    await tx.articleRevision.create({
      data: {
        articleId: row.id,
        version: row.version,
        changedFields: before ? changedFields(before, after) : Object.keys(after),
        snapshot: after,
        keyId: actor.keyId,
        requestId: actor.requestId,
      },
    })
  }

  /**
   * Applies a change to an article inside one transaction: row lock, If-Match check, conditional
   * update on the version read (so two concurrent saves of one version cannot both win), revision, audit.
   */
  async function change(
    id: string,
    ifMatch: IfMatch,
    actor: Actor,
    action: string,
    apply: (tx: Db, current: repo.ArticleRow) => Promise<Prisma.ArticleUncheckedUpdateInput>,
  ): Promise<repo.ArticleRow> {
    return db.$transaction(async (tx) => {
      const current = await lockAndLoad(tx, id)
      checkIfMatch(ifMatch, current.version)
      const data = await apply(tx, current)
      const { count } = await tx.article.updateMany({
        where: { id, version: current.version },
        data: { ...data, version: { increment: 1 }, updatedById: actor.keyId },
      })
      if (count === 0) {
        const latest = await tx.article.findUnique({ where: { id }, select: { version: true } })
        checkIfMatch([current.version], latest?.version ?? current.version + 1)
      }
      const updated = await load(tx, id)
      await writeRevision(tx, snapshotOf(current), updated, actor)
      await recordAudit(tx, actor, { action, resourceType: 'article', resourceId: id })
      return updated
    })
  }

  function publishable(row: repo.ArticleRow): void {
    const missing = [...(row.headline.trim() ? [] : ['headline']), ...(row.body.trim() ? [] : ['body'])]
    if (missing.length > 0) {
      throw withProblem(new NotPublishableError(`An article needs ${missing.join(' and ')} to be published`), {
        errors: missing.map((f) => ({ in: 'body', pointer: `/${f}`, message: 'is required to publish' })),
      })
    }
  }

  function transitionError(action: string, row: repo.ArticleRow, now: Date): Error {
    const status = effectiveStatus(row, now)
    return withProblem(new InvalidTransitionError(`Cannot ${action} an article that is ${status}`), {
      currentStatus: status,
    })
  }

  async function createIn(tx: Db, input: ArticleCreate, actor: Actor): Promise<repo.ArticleRow> {
    const slug = input.slug ?? (await uniqueSlug(tx, input.headline))
    await assertSlugFree(tx, slug)
    const data = await columns(tx, input)
    const created = await tx.article.create({
      data: {
        ...(data as Prisma.ArticleUncheckedCreateInput),
        slug,
        headline: input.headline,
        createdById: actor.keyId,
        updatedById: actor.keyId,
      },
    })
    await replaceRelations(tx, created.id, input)
    const row = await load(tx, created.id)
    await writeRevision(tx, null, row, actor)
    await recordAudit(tx, actor, { action: 'create', resourceType: 'article', resourceId: row.id })
    return row
  }

  return {
    view(row: repo.ArticleRow, view: ViewOptions) {
      return toArticle(row, clock(), view)
    },

    async get(idOrSlug: string, view: ViewOptions): Promise<repo.ArticleRow> {
      const isId = uuidPattern.test(idOrSlug)
      const row = await repo.findArticle(db, isId ? idOrSlug.toLowerCase() : idOrSlug, isId, relationsOf(view))
      // Public callers cannot tell a draft from a missing article.
      if (!row || (!view.preview && !isPublic(row, clock()))) throw new NotFoundError('article', idOrSlug)
      return row
    },

    async list(query: ArticleListQuery, view: ViewOptions & { sourceKey?: string }) {
      const now = clock()
      const sort = query.sort ?? '-publishedAt'
      const kinds = sort === '-updatedAt' ? (['date', 'uuid'] as const) : (['string', 'uuid'] as const)
      const after = query.cursor ? decodeCursor(query.cursor, `${sort}:${query.q ?? ''}`, kinds) : undefined
      let afterValue: Date | number | null | undefined
      if (after) {
        const raw = after[0]
        afterValue =
          raw instanceof Date ? raw : sort === 'relevance' ? Number(raw) : raw === '' ? null : new Date(String(raw))
        const invalid =
          (typeof afterValue === 'number' && !Number.isFinite(afterValue)) ||
          (afterValue instanceof Date && Number.isNaN(afterValue.getTime()))
        if (invalid) throw new InvalidCursorError()
      }
      const filter: repo.ArticleListFilter = {
        publicAt: view.preview ? null : now,
        now,
        status: query.status,
        source: view.sourceKey ?? query.source,
        credit: query.credit,
        tags: query.tag,
        language: query.language ? normalizeLanguage(query.language) : undefined,
        publishedAfter: query.publishedAfter ? new Date(query.publishedAfter) : undefined,
        publishedBefore: query.publishedBefore ? new Date(query.publishedBefore) : undefined,
        q: query.q,
        sort,
        after: after ? { value: afterValue ?? null, id: after[1] } : undefined,
        limit: query.limit,
        withoutBody: view.fields !== undefined && !view.fields.some((f) => bodyFields.has(f)),
        relations: relationsOf(view),
      }
      const listed = await repo.listArticles(db, filter)
      const more = listed.length > query.limit
      const page = more ? listed.slice(0, query.limit) : listed
      const total = query.count ? await repo.countArticles(db, { ...filter, after: undefined }) : undefined
      const last = page.at(-1)?.row
      const nextCursor =
        more && last
          ? encodeCursor(`${sort}:${query.q ?? ''}`, [
              sort === 'relevance'
                ? String(page.at(-1)?.rank)
                : sort === '-updatedAt'
                  ? last.updatedAt.toISOString()
                  : (last.publishedAt?.toISOString() ?? ''),
              last.id,
            ])
          : null
      return {
        rows: page.map((l) => l.row),
        body: {
          data: page.map((l) => toArticle(l.row, now, view, l.snippet)),
          page: { limit: query.limit, nextCursor, ...(total === undefined ? {} : { total }) },
        },
      }
    },

    async create(input: ArticleCreate, actor: Actor): Promise<repo.ArticleRow> {
      return retryGeneratedSlugClash(input, () => db.$transaction((tx) => createIn(tx, input, actor)))
    },

    /**
     * Runs `create` at most once per Idempotency-Key and API key; a retry gets the first answer.
     * The key is claimed in the same transaction as the article, so a concurrent duplicate waits
     * for the first to commit and then replays it instead of creating a second article.
     */
    async createIdempotent(
      key: string,
      input: ArticleCreate,
      actor: Actor,
      respond: (row: repo.ArticleRow) => unknown,
    ): Promise<{ body: unknown; replayed: boolean }> {
      const keyId = actor.keyId ?? '00000000-0000-0000-0000-000000000000'
      const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex')
      const replay = async () => {
        const previous = await db.idempotencyRecord.findUnique({ where: { keyId_key: { keyId, key } } })
        if (!previous) return undefined
        if (previous.requestHash !== requestHash) throw new IdempotencyMismatchError()
        return { body: previous.body, replayed: true }
      }
      const earlier = await replay()
      if (earlier) return earlier
      return retryGeneratedSlugClash(input, async () => {
        try {
          return await db.$transaction(async (tx) => {
            await tx.idempotencyRecord.create({ data: { keyId, key, requestHash, status: 201, body: {} } })
            const body = respond(await createIn(tx, input, actor))
            await tx.idempotencyRecord.update({
              where: { keyId_key: { keyId, key } },
              data: { body: body as Prisma.InputJsonValue },
            })
            return { body, replayed: false }
          })
        } catch (err) {
          const raced = (err as { code?: string }).code === 'P2002' ? await replay() : undefined
          if (raced) return raced
          throw err
        }
      })
    },

    async update(id: string, input: ArticleUpdate, ifMatch: IfMatch, actor: Actor): Promise<repo.ArticleRow> {
      return change(id, ifMatch, actor, 'update', async (tx, current) => {
        const data = await columns(tx, input)
        if (input.slug !== undefined && input.slug !== current.slug) {
          await assertSlugFree(tx, input.slug, id)
          data.slug = input.slug
          // The old slug keeps resolving to this article.
          await tx.articleSlug.upsert({
            where: { slug: current.slug },
            create: { slug: current.slug, articleId: id },
            update: { articleId: id },
          })
          await tx.articleSlug.deleteMany({ where: { slug: input.slug, articleId: id } })
        }
        await replaceRelations(tx, id, input)
        return data
      })
    },

    async publish(id: string, input: Publish, ifMatch: IfMatch, actor: Actor) {
      const now = clock()
      return change(id, ifMatch, actor, 'publish', async (_tx, current) => {
        const status = effectiveStatus(current, now)
        if (status === 'published' || status === 'archived') throw transitionError('publish', current, now)
        publishable(current)
        const at = input.publishAt ? new Date(input.publishAt) : now
        const future = at > now
        return {
          status: future ? 'scheduled' : 'published',
          publishedAt: at,
          firstPublishedAt: current.firstPublishedAt ?? (future ? null : at),
        }
      })
    },

    async unpublish(id: string, ifMatch: IfMatch, actor: Actor) {
      const now = clock()
      return change(id, ifMatch, actor, 'unpublish', async (_tx, current) => {
        if (effectiveStatus(current, now) === 'draft') throw transitionError('unpublish', current, now)
        return {
          status: 'draft',
          publishedAt: null,
          // A scheduled article that never appeared keeps no first-published time.
          firstPublishedAt:
            current.firstPublishedAt ??
            (current.publishedAt && current.publishedAt <= now ? current.publishedAt : null),
        }
      })
    },

    async archive(id: string, ifMatch: IfMatch, actor: Actor) {
      const now = clock()
      return change(id, ifMatch, actor, 'archive', async (_tx, current) => {
        if (effectiveStatus(current, now) !== 'published') throw transitionError('archive', current, now)
        // A due scheduled article has no first publish time stored yet; it was public from publishedAt.
        return { status: 'archived', firstPublishedAt: current.firstPublishedAt ?? current.publishedAt }
      })
    },

    async remove(id: string, ifMatch: IfMatch, actor: Actor): Promise<void> {
      await db.$transaction(async (tx) => {
        const current = await lockAndLoad(tx, id)
        checkIfMatch(ifMatch, current.version)
        const { count } = await tx.article.updateMany({
          where: { id, version: current.version, deletedAt: null },
          data: { deletedAt: clock(), updatedById: actor.keyId },
        })
        if (count === 0) throw new NotFoundError('article', id)
        await recordAudit(tx, actor, { action: 'delete', resourceType: 'article', resourceId: id })
      })
    },

    async revisions(id: string, limit: number, cursor?: string) {
      await load(db, id)
      const after = cursor ? decodeCursor(cursor, '-version', ['string']) : undefined
      const rows = await db.articleRevision.findMany({
        where: { articleId: id, ...(after ? { version: { lt: Number(after[0]) || 0 } } : {}) },
        orderBy: { version: 'desc' },
        take: limit + 1,
        omit: { snapshot: true },
      })
      const more = rows.length > limit
      const data = (more ? rows.slice(0, limit) : rows).map((r) => ({
        version: r.version,
        changedFields: r.changedFields,
        keyId: r.keyId,
        requestId: r.requestId,
        createdAt: r.createdAt.toISOString(),
      }))
      const last = data.at(-1)
      return {
        data,
        page: { limit, nextCursor: more && last ? encodeCursor('-version', [String(last.version)]) : null },
      }
    },

    async revision(id: string, version: number) {
      await load(db, id)
      const r = await db.articleRevision.findUnique({ where: { articleId_version: { articleId: id, version } } })
      if (!r) throw new NotFoundError('revision', `${id}@${version}`)
      return {
        version: r.version,
        changedFields: r.changedFields,
        keyId: r.keyId,
        requestId: r.requestId,
        createdAt: r.createdAt.toISOString(),
        snapshot: r.snapshot as Record<string, unknown>,
      }
    },

    /** Restores the content of an earlier version as a new version (publication state is kept). */
    async restore(id: string, version: number, ifMatch: IfMatch, actor: Actor) {
      const revision = await db.articleRevision.findUnique({ where: { articleId_version: { articleId: id, version } } })
      if (!revision) throw new NotFoundError('revision', `${id}@${version}`)
      const s = revision.snapshot as unknown as Snapshot
      return change(id, ifMatch, actor, 'restore', async (tx, current) => {
        const input: ArticleUpdate = {
          headline: s.headline,
          summary: s.summary,
          body: s.body,
          dateline: s.dateline,
          bylines: s.bylines,
          language: s.language,
          canonicalUrl: s.canonicalUrl,
          leadImage: s.leadImage,
          tags: s.tags,
        }
        const data = await columns(tx, input)
        data.sourceId = s.sourceId && (await tx.source.findUnique({ where: { id: s.sourceId } })) ? s.sourceId : null
        const credits = await tx.source.findMany({
          where: { id: { in: s.credits.map((c) => c.sourceId) } },
          select: { id: true },
        })
        const live = new Set(credits.map((c) => c.id))
        await tx.articleCredit.deleteMany({ where: { articleId: id } })
        await tx.articleCredit.createMany({
          data: s.credits
            .filter((c) => live.has(c.sourceId))
            .map((c, position) => ({ articleId: id, sourceId: c.sourceId, role: c.role, position })),
        })
        await replaceRelations(tx, id, { tags: s.tags })
        if (s.slug !== current.slug) {
          const clash = await tx.article.findFirst({ where: { slug: s.slug, NOT: { id } }, select: { id: true } })
          if (!clash) {
            data.slug = s.slug
            await tx.articleSlug.deleteMany({ where: { slug: s.slug } })
            await tx.articleSlug.upsert({
              where: { slug: current.slug },
              create: { slug: current.slug, articleId: id },
              update: { articleId: id },
            })
          }
        }
        return data
      })
    },

    async deletions(limit: number, since?: string, cursor?: string) {
      const after = cursor ? decodeCursor(cursor, 'deletedAt', ['date', 'uuid']) : undefined
      const rows = await db.article.findMany({
        where: {
          deletedAt: { not: null, ...(since ? { gte: new Date(since) } : {}) },
          ...(after ? { OR: [{ deletedAt: { gt: after[0] } }, { deletedAt: after[0], id: { gt: after[1] } }] } : {}),
        },
        orderBy: [{ deletedAt: 'asc' }, { id: 'asc' }],
        select: { id: true, slug: true, deletedAt: true },
        take: limit + 1,
      })
      const more = rows.length > limit
      const data = (more ? rows.slice(0, limit) : rows).map((r) => ({
        id: r.id,
        slug: r.slug,
        deletedAt: (r.deletedAt as Date).toISOString(),
      }))
      const last = data.at(-1)
      return {
        data,
        page: { limit, nextCursor: more && last ? encodeCursor('deletedAt', [last.deletedAt, last.id]) : null },
      }
    },

    async tags(limit: number, preview: boolean, cursor?: string) {
      const now = clock()
      const after = cursor ? decodeCursor(cursor, 'slug', ['string']) : undefined
      const rows = await db.tag.findMany({
        where: after ? { slug: { gt: after[0] } } : {},
        orderBy: { slug: 'asc' },
        take: limit + 1,
        select: {
          slug: true,
          name: true,
          _count: {
            select: {
              articles: {
                where: {
                  article: preview
                    ? { deletedAt: null }
                    : { deletedAt: null, status: { in: ['published', 'scheduled'] }, publishedAt: { lte: now } },
                },
              },
            },
          },
        },
      })
      const more = rows.length > limit
      const data = (more ? rows.slice(0, limit) : rows).map((r) => ({
        slug: r.slug,
        name: r.name,
        articleCount: r._count.articles,
      }))
      const last = data.at(-1)
      return { data, page: { limit, nextCursor: more && last ? encodeCursor('slug', [last.slug]) : null } }
    },
  }
}

export type ArticlesService = ReturnType<typeof createArticlesService>
