// The surrogate keys of article responses: the article's own, and those of the other records whose
// data a view shows, so that a CDN purges a response when any of them changes (README, Caching).

import type { ArticleRecord } from './articles.record.js'
import { urlNeedsSection } from './articles.urls.js'
import { embeds, showsField, type ViewOptions } from './articles.view.js'

/**
 * Which other records a view shows data of: the families of surrogate keys its responses need
 * besides their own. A record's id alone (sourceId, a credit's or a contributor's id, a section
 * link, a tag's slug) needs none: changing what the article links to changes the article, and
 * that purges its own keys. What needs one is data read from the record: the lead image's media
 * record; the credited sources' names and terms behind `rights` (and behind what a partner key may
 * read); embedded sources, people (and their pictures), sections and tags; and the primary
 * section's path in a `url` with {section}. Bylines are the article's own, written with it.
 */
export interface ShownRecords {
  leadMedia: boolean
  sources: boolean
  people: boolean
  sections: boolean
  primarySection: boolean
  tags: boolean
}

/** Every family: for a response about all of an article (its rights explained). */
const allShownRecords: ShownRecords = {
  leadMedia: true,
  sources: true,
  people: true,
  sections: true,
  primarySection: true,
  tags: true,
}

export function shownRecordsOf(view: ViewOptions): ShownRecords {
  return {
    leadMedia: showsField(view, 'leadImage'),
    sources:
      showsField(view, 'rights') || embeds(view, 'source') || embeds(view, 'credits') || view.syndication === true,
    people: embeds(view, 'contributors'),
    sections: embeds(view, 'sections'),
    primarySection: showsField(view, 'url') && urlNeedsSection(view.publicUrls),
    tags: embeds(view, 'tags'),
  }
}

export function surrogateKeysOf(record: ArticleRecord, shown: ShownRecords = allShownRecords): string[] {
  const keys = new Set([`article:${record.id}`])
  addShownRecordKeys(record, keys, shown)
  return [...keys]
}

/**
 * The keys of the other records an article shows in a view: what a list needs for it. A list
 * leaves the article's own key out: every change to an article also purges `articles`, which
 * every list carries, so one key per list does the work of one per item.
 */
export function shownRecordKeysOf(record: ArticleRecord, shown: ShownRecords): string[] {
  const keys = new Set<string>()
  addShownRecordKeys(record, keys, shown)
  return [...keys]
}

/**
 * Adds the keys of shownRecordKeysOf to `keys`: a list collects its page's keys in one set, each
 * once (its articles share most of their sources and tags), with no arrays per article.
 */
export function addShownRecordKeys(record: ArticleRecord, keys: Set<string>, shown: ShownRecords): void {
  // A change to the media record (its caption, focal point) changes the article's lead image.
  if (shown.leadMedia && record.leadMediaId) keys.add(`media:${record.leadMediaId}`)
  if (shown.sources) {
    if (record.sourceId) keys.add(`source:${record.sourceId}`)
    for (const credit of record.credits) keys.add(`source:${credit.sourceId}`)
  }
  if (shown.people) {
    for (const contributor of record.contributors) {
      keys.add(`person:${contributor.personId}`)
      if (contributor.person?.imageMediaId) keys.add(`media:${contributor.person.imageMediaId}`)
    }
  }
  for (const link of record.sections)
    if (shown.sections || (shown.primarySection && link.primary)) keys.add(`section:${link.sectionId}`)
  if (shown.tags) for (const slug of record.tags) keys.add(`tag:${slug}`)
}
