// Related articles, as their own list (GET /articles/{idOrSlug}/related) and embedded in a single
// read (include=related). Both answer with what their caching headers need: the article's key, the
// related articles' keys, and `articles`, since any article published may join the list.

import type { Db } from '../../db/types.js'
import { NotFoundError } from '../../errors.js'
import { uuidPattern } from '../../lib/uuid.js'
import { shownRecordKeysOf, shownRecordsOf } from './articles.keys.js'
import type { Cacheable } from './articles.reads.js'
import type { ArticleRecord } from './articles.record.js'
import type { RelatedArticles, RelatedQuery } from './articles.related.schemas.js'
import { relatedArticles } from './articles.related-repository.js'
import type { Article, ArticleField } from './articles.schemas.js'
import { publicUrlOf, urlNeedsSection } from './articles.urls.js'
import { latest, leadImageOf, relationsOf, toArticle, type ViewOptions } from './articles.view.js'
import { embeddedRelated, type RelatedArticle } from './articles.view.schemas.js'

/** An article's related articles, as the view shows them; 404 when the view may not see the article. */
export async function getRelated(
  db: Db,
  idOrSlug: string,
  query: RelatedQuery,
  view: ViewOptions,
  now: Date,
): Promise<Cacheable<RelatedArticles>> {
  const isId = uuidPattern.test(idOrSlug)
  const found = await relatedArticles(db, {
    article: isId ? { id: idOrSlug.toLowerCase() } : { slug: idOrSlug },
    // Public callers cannot tell a draft from a missing article, here as on the article itself.
    publicAt: view.preview ? null : now,
    embargoed: view.embargoed ?? false,
    now,
    limit: query.limit,
    fields: view.fields,
    relations: relationsOf(view),
  })
  if (!found.article) throw new NotFoundError('article', idOrSlug)
  const shown = shownRecordsOf(view)
  return {
    body: { data: found.related.map((record) => toArticle(record, now, view)) },
    surrogateKeys: [
      `article:${found.article.id}`,
      'articles',
      ...found.related.flatMap((r) => shownRecordKeysOf(r, shown)),
    ],
    lastModified: latest([found.article.updatedAt, ...found.related.map((r) => r.updatedAt)]),
  }
}

/** The fields an embedded related article shows (toRelatedArticle). */
const relatedFields: readonly ArticleField[] = [
  'slug',
  'headline',
  'summary',
  'language',
  'publishedAt',
  'url',
  'leadImage',
]

function toRelatedArticle(record: ArticleRecord, view: Pick<ViewOptions, 'mediaBase' | 'publicUrls'>): RelatedArticle {
  return {
    id: record.id,
    slug: record.slug,
    headline: record.headline,
    summary: record.summary,
    language: record.language,
    // Related articles are public: they have a publish time.
    publishedAt: (record.publishedAt as Date).toISOString(),
    url: publicUrlOf(view.publicUrls ?? {}, record),
    leadImage: leadImageOf(record, view.mediaBase),
  }
}

/** include=related: a single read (the article already found and visible) with its best related articles. */
export async function withRelated(
  db: Db,
  read: Cacheable<Article> & { lastModified: Date },
  now: Date,
  view: Pick<ViewOptions, 'mediaBase' | 'publicUrls'>,
): Promise<Cacheable<Article>> {
  const found = await relatedArticles(db, {
    article: { id: read.body.id },
    publicAt: null,
    now,
    limit: embeddedRelated,
    fields: relatedFields,
    // Sections (their paths) for {section} of the related articles' URLs.
    relations: {
      source: false,
      creditSources: false,
      people: false,
      sectionRecords: false,
      contributors: false,
      sections: urlNeedsSection(view.publicUrls),
      tagRecords: false,
    },
  })
  return {
    ...read,
    body: { ...read.body, related: found.related.map((r) => toRelatedArticle(r, view)) },
    surrogateKeys: [
      ...read.surrogateKeys,
      'articles',
      ...found.related.flatMap((r) => [
        ...(r.leadMediaId ? [`media:${r.leadMediaId}`] : []),
        // Loaded only when {section} is in their URL: a moved section changes it.
        ...r.sections.filter((x) => x.primary).map((x) => `section:${x.sectionId}`),
      ]),
    ],
    lastModified: latest([read.lastModified, ...found.related.map((r) => r.updatedAt)]),
  }
}
