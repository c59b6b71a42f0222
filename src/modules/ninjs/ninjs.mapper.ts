// From an article (as a read shows it now, or as a revision stored it) to its ninjs document.
// Both sources are first brought to NinjsArticle, so one mapping decides every property.
import type { ArticleStatus } from '../../generated/prisma/enums.js'
import type { MediaImage } from '../media/media.embeds.js'
import { type NinjsDocument, ninjsSchemaUrl, ninjsVersion } from './ninjs.schemas.js'

/** A publishing or credited source, a contributor, or a tag: what ninjs names of each. */
export interface NinjsParty {
  name: string
  slug: string
  uri: string | null
  /** A contributor's role, a credit's role. */
  role?: string
}

/** The lead image as reads show it. */
export interface NinjsLeadImage {
  url: string
  caption: string | null
  credit: string | null
  media?: MediaImage
}

export interface NinjsArticle {
  id: string
  slug: string
  version: number
  /** The status a reader sees (a scheduled article whose time has come is published). */
  status: ArticleStatus
  /** Deleted or killed: the document is `canceled` and carries nothing of the content. */
  canceled: boolean
  /** Only what the article is and its status (a public caller's document of a withheld version). */
  contentless?: boolean
  killNotice?: string | null
  headline: string
  summary: string | null
  /** Null: withheld (a partner key, an article that is not syndicatable). */
  bodyHtml: string | null
  bodyText: string | null
  dateline: string | null
  bylines: string[]
  language: string
  createdAt: Date
  versionAt: Date
  firstPublishedAt: Date | null
  embargoedUntil: Date | null
  url: string | null
  publisher: NinjsParty | null
  originators: NinjsParty[]
  people: NinjsParty[]
  subjects: NinjsParty[]
  leadImage: NinjsLeadImage | null
  rights: { usageTerms: string | null; copyrightHolder: string | null; copyrightNotice: string | null }
}

/** The base a relative URL (the API's own /media path) is made absolute with: PUBLIC_URL, if set. */
export interface NinjsOptions {
  publicUrl?: string
}

const articleUri = (id: string) => `urn:newsdesk:article:${id}`
const mediaUri = (id: string) => `urn:newsdesk:media:${id}`

/** An absolute URL: as it is, or on PUBLIC_URL; undefined when it stays relative (ninjs wants a URI). */
function absolute(url: string, options: NinjsOptions): string | undefined {
  if (URL.canParse(url)) return url
  return options.publicUrl && URL.canParse(url, options.publicUrl) ? new URL(url, options.publicUrl).href : undefined
}

const words = (text: string) => (text.trim() === '' ? 0 : text.trim().split(/\s+/).length)

const weekdayOrMonth =
  /^(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(\s|$)|^\d/i

/** The place of a dateline ("BAGHDAD, Sunday, September 27" → "BAGHDAD"); none when it starts with a date. */
export function locatedOf(dateline: string | null): string | undefined {
  const place = dateline?.split(',')[0]?.trim()
  return place && !weekdayOrMonth.test(place) ? place : undefined
}

const party = (p: NinjsParty, relation: { rel?: string; role?: string }) => ({
  name: p.name,
  ...relation,
  ...(p.uri ? { uri: p.uri } : {}),
  literal: p.slug,
})

function bodiesOf(a: NinjsArticle): NinjsDocument['bodies'] {
  const blocks = [
    { contentType: 'text/html', value: a.bodyHtml },
    { contentType: 'text/plain', value: a.bodyText },
  ].flatMap(({ contentType, value }) => (value ? [{ contentType, value }] : []))
  if (blocks.length === 0) return undefined
  const count = a.bodyText ?? ''
  return blocks.map((b) => ({ role: 'main', ...b, charCount: count.length, wordCount: words(count) }))
}

function leadImageOf(image: NinjsLeadImage | null, options: NinjsOptions): NinjsDocument['associations'] {
  if (!image) return undefined
  const media = image.media
  const renditions = media
    ? media.renditions.map((r) => {
        const href = absolute(r.url, options)
        return {
          name: r.name,
          ...(href ? { href } : {}),
          contentType: r.mimeType,
          width: r.width,
          height: r.height,
          ...(r.aspectRatio ? { aspectRatio: r.aspectRatio } : {}),
        }
      })
    : [{ name: 'original', ...(absolute(image.url, options) ? { href: absolute(image.url, options) } : {}) }]
  const uri = media ? mediaUri(media.mediaId) : absolute(image.url, options)
  if (!uri) return undefined
  return [
    {
      name: 'leadImage',
      rel: 'leadImage',
      uri,
      type: 'picture',
      ...(image.caption
        ? { descriptions: [{ role: 'caption', contentType: 'text/plain', value: image.caption }] }
        : {}),
      ...(image.credit ? { by: image.credit } : {}),
      ...(media?.copyrightHolder ? { copyrightHolder: media.copyrightHolder } : {}),
      renditions,
    },
  ]
}

/** Present when non-empty: ninjs has no nulls. */
const some = <K extends string, T>(key: K, value: T | null | undefined | '') =>
  (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
    ? {}
    : { [key]: value }) as Partial<Record<K, T>>

function headOf(a: NinjsArticle, pubStatus: NinjsDocument['pubStatus'], partial: boolean) {
  return {
    uri: articleUri(a.id),
    type: 'text' as const,
    representationType: partial ? ('partial' as const) : ('full' as const),
    standard: { name: 'ninjs' as const, version: ninjsVersion, schema: ninjsSchemaUrl },
    version: String(a.version),
    pubStatus,
    firstCreated: a.createdAt.toISOString(),
    versionCreated: a.versionAt.toISOString(),
  }
}

const altIdsOf = (a: NinjsArticle) => [{ role: 'id', value: a.id }, ...(a.url ? [{ role: 'url', value: a.url }] : [])]

/** The ninjs document of the article; a canceled one says only what it was and, if killed, why. */
export function toNinjs(a: NinjsArticle, options: NinjsOptions = {}): NinjsDocument {
  const pubStatus = a.canceled ? 'canceled' : a.status === 'published' ? 'usable' : 'withheld'
  if (a.canceled || a.contentless) {
    return { ...headOf(a, pubStatus, true), ...some('edNote', a.killNotice), altIds: altIdsOf(a) }
  }
  const bodies = bodiesOf(a)
  return {
    ...headOf(a, pubStatus, !bodies),
    contentCreated: (a.firstPublishedAt ?? a.createdAt).toISOString(),
    ...some('embargoedUntil', a.embargoedUntil?.toISOString()),
    language: a.language,
    slugline: a.slug,
    headlines: [{ role: 'main', contentType: 'text/plain', value: a.headline }],
    ...some('descriptions', a.summary ? [{ role: 'summary', contentType: 'text/plain', value: a.summary }] : null),
    ...some('bodies', bodies),
    ...some('located', locatedOf(a.dateline)),
    ...some('by', a.bylines.join(', ')),
    ...some(
      'people',
      a.people.map((p) => party(p, p.role ? { rel: p.role } : {})),
    ),
    ...some('infoSources', [
      ...(a.publisher ? [party(a.publisher, { role: 'publisher' })] : []),
      ...a.originators.map((o) => party(o, { role: 'originator' })),
    ]),
    ...some(
      'subjects',
      a.subjects.map((s) => party(s, {})),
    ),
    ...some('associations', leadImageOf(a.leadImage, options)),
    ...some('usageTerms', a.rights.usageTerms),
    ...some('copyrightHolder', a.rights.copyrightHolder),
    ...some('copyrightNotice', a.rights.copyrightNotice),
    altIds: altIdsOf(a),
  }
}

/** A deleted or killed article: what it was, when it went, and a kill's public notice. */
export function canceledArticle(a: {
  id: string
  slug: string
  version: number
  createdAt: Date
  at: Date
  notice: string | null
}): NinjsArticle {
  return {
    id: a.id,
    slug: a.slug,
    version: a.version,
    status: 'archived',
    canceled: true,
    killNotice: a.notice,
    headline: '',
    summary: null,
    bodyHtml: null,
    bodyText: null,
    dateline: null,
    bylines: [],
    language: '',
    createdAt: a.createdAt,
    versionAt: a.at,
    firstPublishedAt: null,
    embargoedUntil: null,
    url: null,
    publisher: null,
    originators: [],
    people: [],
    subjects: [],
    leadImage: null,
    rights: { usageTerms: null, copyrightHolder: null, copyrightNotice: null },
  }
}
