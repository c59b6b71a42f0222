// Feed entries written as RSS 2.0, Atom 1.0 or JSON Feed 1.1 with the `feed` package (no XML is
// written by hand). The package leaves some escaping to its caller, which is done here:
// - XML 1.0 cannot carry most control characters (nor U+FFFE/U+FFFF, nor lone surrogates): removed
//   from every string.
// - It wraps text in CDATA and splits only the first "]]>" (String.replace): cdata() splits the rest.
// - It does not escape "<" or "&" in some attributes (extensions, an RSS category's domain): attr().
// - Atom titles and summaries are type="html": a headline is escaped as HTML there, so "<script>" in
//   a headline is text in every reader. RSS titles are plain text; RSS descriptions are HTML.
// JSON Feed 1.1 fields the package does not write (version 1.1, `authors`, `language`) are set on its output.
import { Feed, type Item as FeedItem } from 'feed'
import type { FeedEntry } from './feeds.mapper.js'
import type { FeedFormat } from './feeds.schemas.js'

export interface FeedHead {
  title: string
  description: string
  /** The site the feed is of. */
  link: string
  /** This feed's own URL (Atom's id and self link). */
  self: string
  /** The latest change among its items (stable, so the ETag is). */
  updated: Date
  language?: string
}

const mediaNs = 'http://search.yahoo.com/mrss/'
const dcNs = 'http://purl.org/dc/elements/1.1/'

/** A code point XML 1.0 may carry: tab, line feed, carriage return, and from space up (not U+FFFE/U+FFFF, not a lone surrogate). */
function allowed(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0
  if (c < 0x20) return c === 0x09 || c === 0x0a || c === 0x0d
  return !(c >= 0xd800 && c <= 0xdfff) && c !== 0xfffe && c !== 0xffff
}

export function xmlSafe(text: string): string {
  // Array.from splits by code point: a surrogate pair is one character, a lone surrogate its own.
  return Array.from(text).filter(allowed).join('')
}

/** Text for a CDATA section: every "]]>" after the first split as the package splits the first. */
export function cdata(text: string): string {
  const clean = xmlSafe(text)
  const first = clean.indexOf(']]>')
  if (first < 0) return clean
  const head = clean.slice(0, first + 3)
  return head + clean.slice(first + 3).replaceAll(']]>', ']]]]><![CDATA[>')
}

/** An attribute value the package writes as given (it escapes only the double quote). */
function attr(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;')
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const imageTypes: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
}

function imageType(url: string): string | undefined {
  const ext = new URL(url).pathname.split('.').pop()?.toLowerCase() ?? ''
  return imageTypes[ext]
}

/** RSS: the lead image as media:content (Media RSS) with its credit and caption. */
function mediaContent(entry: FeedEntry) {
  const image = entry.image
  if (!image) return []
  const type = imageType(image.url)
  return [
    {
      name: 'media:content',
      objects: {
        _attributes: { 'xmlns:media': mediaNs, url: attr(image.url), medium: 'image', ...(type ? { type } : {}) },
        ...(image.credit ? { 'media:credit': { _text: xmlSafe(image.credit) } } : {}),
        ...(image.caption ? { 'media:description': { _text: xmlSafe(image.caption) } } : {}),
      },
    },
  ]
}

function rssItem(entry: FeedEntry): FeedItem {
  const type = entry.image ? imageType(entry.image.url) : undefined
  return {
    title: cdata(entry.title),
    link: entry.link,
    guid: entry.id,
    date: entry.updated,
    published: entry.published,
    description: entry.summary ? cdata(escapeHtml(entry.summary)) : undefined,
    content: entry.contentHtml ? cdata(entry.contentHtml) : undefined,
    author: entry.authors.map((name) => ({ name: xmlSafe(name) })),
    category: entry.categories.map((c) => ({ name: xmlSafe(c.label), domain: c.domain })),
    // Its size is not known here: RSS asks for length 0 then.
    ...(entry.image ? { enclosure: { url: entry.image.url, length: 0, ...(type ? { type } : {}) } } : {}),
    extensions: [
      ...mediaContent(entry),
      ...(entry.creditLine
        ? [{ name: 'dc:rights', objects: { _attributes: { 'xmlns:dc': dcNs }, _text: xmlSafe(entry.creditLine) } }]
        : []),
    ],
  }
}

function atomItem(entry: FeedEntry): FeedItem {
  return {
    title: cdata(escapeHtml(entry.title)),
    id: `urn:uuid:${entry.id}`,
    link: entry.link,
    date: entry.updated,
    published: entry.published,
    description: entry.summary ? cdata(escapeHtml(entry.summary)) : undefined,
    content: entry.contentHtml ? cdata(entry.contentHtml) : undefined,
    author: entry.authors.map((name) => ({ name: xmlSafe(name) })),
    // The package escapes "&" in these but not "<": a label holding one is left out (the term stays).
    category: entry.categories.map((c) => ({
      term: c.term,
      ...(c.label.includes('<') ? {} : { name: xmlSafe(c.label) }),
    })),
    copyright: entry.creditLine ? xmlSafe(entry.creditLine) : undefined,
    ...(entry.image ? { image: { url: entry.image.url } } : {}),
  }
}

function jsonItem(entry: FeedEntry): FeedItem {
  return {
    title: entry.title,
    id: entry.id,
    link: entry.link,
    date: entry.updated,
    published: entry.published,
    description: entry.summary ?? undefined,
    content: entry.contentHtml ?? undefined,
    category: entry.categories.map((c) => ({ name: c.label })),
    ...(entry.image ? { image: entry.image.url } : {}),
  }
}

/** The package writes JSON Feed 1.0: what 1.1 names differently, and Newsdesk's own fields (`_newsdesk`). */
function jsonFeed11(output: string, entries: FeedEntry[], head: FeedHead): string {
  const feed = JSON.parse(output) as { items: Record<string, unknown>[] } & Record<string, unknown>
  feed.version = 'https://jsonfeed.org/version/1.1'
  if (head.language) feed.language = head.language
  feed.items = feed.items.map((item, i) => {
    const entry = entries[i] as FeedEntry
    const { content_html, summary: _summary, ...rest } = item
    return {
      ...rest,
      ...(entry.contentHtml ? { content_html } : { content_text: entry.summary ?? entry.title }),
      ...(entry.summary ? { summary: entry.summary } : {}),
      ...(entry.authors.length > 0 ? { authors: entry.authors.map((name) => ({ name })) } : {}),
      ...(entry.creditLine || entry.image?.credit
        ? { _newsdesk: { credit_line: entry.creditLine, image_credit: entry.image?.credit ?? null } }
        : {}),
    }
  })
  return JSON.stringify(feed)
}

export function renderFeed(format: FeedFormat, head: FeedHead, entries: FeedEntry[]): string {
  const feed = new Feed({
    id: head.self,
    title: xmlSafe(head.title),
    description: xmlSafe(head.description),
    link: head.link,
    updated: head.updated,
    generator: 'Newsdesk',
    ...(head.language ? { language: head.language } : {}),
    feedLinks: { [format]: head.self },
  })
  const item = format === 'rss' ? rssItem : format === 'atom' ? atomItem : jsonItem
  for (const entry of entries) feed.addItem(item(entry))
  if (format === 'rss') return feed.rss2()
  if (format === 'atom') return feed.atom1()
  return jsonFeed11(feed.json1(), entries, head)
}
