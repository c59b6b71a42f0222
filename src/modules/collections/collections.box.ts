// The box: a collection's teasers as a frontend shows them, evaluated when read (windows, article
// visibility, the cap), and what its caching headers need. Nothing here names a hidden teaser in
// a public view: not its body, and not its ids in the surrogate keys.
import type { PrismaClient } from '../../db/database.js'
import { NotFoundError } from '../../errors.js'
import type { PublicUrlTemplates } from '../../lib/public-urls.js'
import { isPublic, publicFrom } from '../articles/articles.service.js'
import { findCollectionWithLineup } from './collections.box-repository.js'
import { requireCollection } from './collections.claim.js'
import type { History } from './collections.history.js'
import { toTeaser } from './collections.mapper.js'
import type { CollectionRow, TeaserRow } from './collections.repository.js'
import type { HiddenReason, Teaser } from './collections.schemas.js'

/** What teasers are read with: the clock, the history of line-ups, and what their URLs are made of. */
export interface TeaserViewOptions {
  clock: () => Date
  history: History
  /** MEDIA_PUBLIC_URL (undefined: the API's own /media path). */
  mediaBase: string | undefined
  /** PUBLIC_ARTICLE_URL and the others: the embedded article's `url`. */
  publicUrls?: PublicUrlTemplates
}

export interface BoxView {
  /** Every teaser, each with `visible` and why it is hidden; otherwise only the visible ones. */
  preview: boolean
  /** Past time to show the box at (preview only); default now. */
  at?: Date
}

export interface Box {
  teasers: Teaser[]
  /** The collection's cap on visible teasers. */
  limit: number
  /** The collection's version, for its ETag. */
  version: number
  /** Surrogate keys of the box itself, `articles`, and of what `teasers` shows. */
  surrogateKeys: string[]
  lastModified: Date
  /** Seconds until the public box changes by itself (a window turns, an article goes live); null: never. */
  changesIn: number | null
}

function hiddenReason(t: TeaserRow, at: Date): HiddenReason | null {
  if (t.startsAt && t.startsAt > at) return 'not-started'
  if (t.endsAt && t.endsAt <= at) return 'ended'
  if (t.article && !isPublic(t.article, at)) return 'article-not-public'
  return null
}

function surrogateKeysOf(t: Teaser): string[] {
  const lead = t.article?.leadImage?.media
  return [
    `teaser:${t.id}`,
    // No article:<id>: the box carries `articles`, which every change to an article purges.
    ...(lead ? [`media:${lead.mediaId}`] : []),
    ...(t.image?.media ? [`media:${t.image.media.mediaId}`] : []),
    ...(t.article?.source ? [`source:${t.article.source.id}`] : []),
    ...(t.sourceId ? [`source:${t.sourceId}`] : []),
  ]
}

/** The box of a line-up (in order) at the instant `at`; `mediaBase` is MEDIA_PUBLIC_URL. */
export function boxOf(
  collection: CollectionRow,
  lineup: TeaserRow[],
  view: { preview: boolean; at: Date; mediaBase: string | undefined; publicUrls?: PublicUrlTemplates },
): Box {
  const { preview, at } = view
  const teasers: Teaser[] = []
  let shown = 0
  let nextChangeAt: Date | null = null
  for (const row of lineup) {
    // Scheduled, or published under an embargo: public from the later of the two instants.
    const goesLive = row.article ? publicFrom(row.article) : null
    for (const d of [row.startsAt, row.endsAt, goesLive]) {
      if (d && d > at && (!nextChangeAt || d < nextChangeAt)) nextChangeAt = d
    }
    let reason = hiddenReason(row, at)
    if (!reason && shown >= collection.maxItems) reason = 'over-limit'
    if (!reason) shown++
    if (preview)
      teasers.push({
        ...toTeaser(row, view.mediaBase, view.publicUrls),
        visible: !reason,
        ...(reason ? { hiddenReason: reason } : {}),
      })
    // Numbered among the shown teasers: stored positions would count the hidden ones by their gaps.
    else if (!reason) teasers.push({ ...toTeaser(row, view.mediaBase, view.publicUrls), position: shown - 1 })
  }
  return {
    teasers,
    limit: collection.maxItems,
    version: collection.version,
    // Publishing an article may show a hidden teaser: `articles` purges the box then, without
    // naming the hidden teaser's article.
    surrogateKeys: [`collection:${collection.key}`, 'articles', ...teasers.flatMap(surrogateKeysOf)],
    lastModified: collection.updatedAt,
    changesIn: nextChangeAt ? Math.max(0, Math.floor((nextChangeAt.getTime() - at.getTime()) / 1000)) : null,
  }
}

export function createBoxReader(db: PrismaClient, { clock, history, mediaBase, publicUrls }: TeaserViewOptions) {
  return {
    /** The box as a frontend renders it (or, for preview, with every teaser and why it is hidden). */
    async box(key: string, view: BoxView): Promise<Box> {
      if (view.at) {
        const collection = await requireCollection(db, key)
        const lineup = await history.lineupAt(collection, view.at)
        return boxOf(collection, lineup, { preview: view.preview, at: view.at, mediaBase, publicUrls })
      }
      const found = await findCollectionWithLineup(db, key)
      if (!found) throw new NotFoundError('collection', key)
      const { teasers, ...collection } = found
      return boxOf(collection, teasers, { preview: view.preview, at: clock(), mediaBase, publicUrls })
    },
  }
}
