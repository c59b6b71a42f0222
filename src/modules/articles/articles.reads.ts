// Reading articles: one by id or slug, lists and search, and the tombstones of deleted ones.
// Each answer carries what the route needs for its caching headers besides the body.

import type { Db } from '../../db/types.js'
import { NotFoundError } from '../../errors.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import { uuidPattern } from '../../lib/uuid.js'
import { findPeopleByKey } from '../people/people.repository.js'
import { addShownRecordKeys, shownRecordsOf, surrogateKeysOf } from './articles.keys.js'
import type { ArticleRecord } from './articles.record.js'
import { withRelated } from './articles.related.js'
import * as repo from './articles.repository.js'
import type { Article, ArticleList, ArticleListQuery, Tombstone, TombstoneQuery } from './articles.schemas.js'
import { latest, relationsOf, toArticle, type ViewOptions } from './articles.view.js'
import { isVisible, normalizeLanguage } from './articles.visibility.js'

/** A read's body and what its caching headers say. */
export interface Cacheable<T> {
  body: T
  surrogateKeys: string[]
  lastModified: Date | null
  /** The article's version, when the body is one article. */
  version?: number
}

export async function getArticle(db: Db, idOrSlug: string, view: ViewOptions, now: Date): Promise<Cacheable<Article>> {
  const isId = uuidPattern.test(idOrSlug)
  const record = await repo.findArticle(db, isId ? idOrSlug.toLowerCase() : idOrSlug, isId, relationsOf(view))
  // Public callers cannot tell a draft from a missing article.
  if (!record || !isVisible(record, now, view)) throw new NotFoundError('article', idOrSlug)
  const read = {
    body: toArticle(record, now, view),
    surrogateKeys: surrogateKeysOf(record, shownRecordsOf(view)),
    lastModified: record.updatedAt,
    version: record.version,
  }
  return view.include?.includes('related') ? withRelated(db, read, now, view) : read
}

/** The keyset position a list cursor holds: a rank, an update time, or a publish time (null: a draft). */
function listPosition(query: ArticleListQuery, sort: repo.ArticleSort): repo.ArticleListFilter['after'] {
  if (!query.cursor) return undefined
  const key = `${sort}:${query.q ?? ''}`
  // Each kind checks the value against its column's range (a forged rank of 1e400 or a year 0000
  // is the client's 400, never the database's error).
  if (sort === 'relevance') {
    const [value, id] = decodeCursor(query.cursor, key, ['number', 'uuid'])
    return { value, id }
  }
  if (sort === '-updatedAt') {
    const [value, id] = decodeCursor(query.cursor, key, ['date', 'uuid'])
    return { value, id }
  }
  const [value, id] = decodeCursor(query.cursor, key, ['date-or-empty', 'uuid'])
  return { value, id }
}

/** A list's scope: the source's or the person's articles (GET /sources/{idOrSlug}/articles, /people/…). */
export interface ListScope {
  sourceKey?: string
  personKey?: string
}

function listFilter(query: ArticleListQuery, view: ViewOptions & ListScope, now: Date) {
  const sort = query.sort ?? '-publishedAt'
  return {
    publicAt: view.preview ? null : now,
    embargoed: view.embargoed ?? false,
    now,
    status: query.status,
    source: view.sourceKey ?? query.source,
    credit: query.credit,
    tags: query.tag,
    person: view.personKey ?? query.person,
    section: query.section ? { key: query.section, descendants: query.sectionDescendants ?? true } : undefined,
    language: query.language ? normalizeLanguage(query.language) : undefined,
    syndicatable: query.syndicatable,
    publishedAfter: query.publishedAfter ? new Date(query.publishedAfter) : undefined,
    publishedBefore: query.publishedBefore ? new Date(query.publishedBefore) : undefined,
    q: query.q,
    sort,
    after: listPosition(query, sort),
    limit: query.limit,
    fields: view.fields,
    relations: relationsOf(view),
  } satisfies repo.ArticleListFilter
}

function sortValue(sort: repo.ArticleSort, listed: repo.ListedArticle): string {
  if (sort === 'relevance') return String(listed.rank)
  if (sort === '-updatedAt') return listed.record.updatedAt.toISOString()
  return listed.record.publishedAt?.toISOString() ?? ''
}

/** A list's surrogate keys, each once (a page's articles share sources and tags). */
function listKeys(view: ViewOptions & ListScope, records: ArticleRecord[]): string[] {
  const keys = new Set(['articles'])
  if (view.sourceKey) keys.add(`source-articles:${view.sourceKey}`)
  if (view.personKey) keys.add(`person-articles:${view.personKey}`)
  const shown = shownRecordsOf(view)
  for (const record of records) addShownRecordKeys(record, keys, shown)
  return [...keys]
}

export async function listArticles(
  db: Db,
  query: ArticleListQuery,
  view: ViewOptions & ListScope,
  now: Date,
): Promise<Cacheable<ArticleList>> {
  const filter = listFilter(query, view, now)
  const listed = await repo.listArticles(db, filter)
  const page = toPage(listed, query.limit, `${filter.sort}:${query.q ?? ''}`, (l) => [
    sortValue(filter.sort, l),
    l.record.id,
  ])
  const total = query.count ? await repo.countArticles(db, { ...filter, after: undefined }) : undefined
  const records = page.data.map((l) => l.record)
  return {
    body: {
      data: page.data.map((l) => toArticle(l.record, now, view, l.snippet)),
      page: { ...page.page, ...(total === undefined ? {} : { total }) },
    },
    surrogateKeys: listKeys(view, records),
    lastModified: latest(records.map((r) => r.updatedAt)),
  }
}

/** The articles a person contributed to (any role): 404 when no person has this id or slug. */
export async function listPersonArticles(
  db: Db,
  personKey: string,
  query: ArticleListQuery,
  view: ViewOptions,
  now: Date,
): Promise<Cacheable<ArticleList>> {
  const key = uuidPattern.test(personKey) ? personKey.toLowerCase() : personKey
  if ((await findPeopleByKey(db, [key])).size === 0) throw new NotFoundError('person', personKey)
  return listArticles(db, query, { ...view, personKey: key }, now)
}

/**
 * Tombstones, oldest deletion first; `preview` callers see every deleted article, others the once
 * public ones. A killed one carries its public notice; its internal reason only for `writer` callers.
 */
export async function listDeletions(
  db: Db,
  query: TombstoneQuery,
  { preview, writer }: { preview: boolean; writer: boolean },
): Promise<Page<Tombstone>> {
  const after = query.cursor ? decodeCursor(query.cursor, 'deletedAt', ['date', 'uuid']) : undefined
  const rows = await repo.listDeletions(db, {
    since: query.since ? new Date(query.since) : undefined,
    after: after ? { value: after[0], id: after[1] } : undefined,
    limit: query.limit,
    oncePublic: !preview,
  })
  const page = toPage(
    rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      deletedAt: r.deletedAt.toISOString(),
      killed: r.killedAt !== null,
      notice: r.killNotice,
      reason: writer ? r.killReason : null,
    })),
    query.limit,
    'deletedAt',
    (t) => [t.deletedAt, t.id],
  )
  return page
}
