// Which events a change makes, from the record before and after it: pure functions, so each write
// path states what happened and these decide the event type, who may see it and what to purge.
import type { NewEvent } from './changes.repository.js'
import type { EventData, EventType } from './changes.schemas.js'

/** What an event needs of an article (its record satisfies it). */
export interface ArticleState {
  id: string
  slug: string
  version: number
  status: string
  sourceId: string | null
  credits: { sourceId: string }[]
  /** Its tags' slugs. */
  tags: string[]
  /** Its correction notes (a correction's event carries the note of its version). */
  corrections?: { kind: NonNullable<EventData['kind']>; text: string; version: number }[]
}

export interface ArticleChange {
  /** correct: an update with a correction note; kill: a withdrawal after publication. */
  action: 'create' | 'update' | 'correct' | 'publish' | 'unpublish' | 'archive' | 'delete' | 'kill' | 'restore'
  before: ArticleState | null
  after: ArticleState
  /** Whether an anonymous reader could see the article before and after the change. */
  wasPublic: boolean
  isPublic: boolean
  changedFields: string[]
  at: Date
  /** What the event carries besides (a kill's public notice). */
  data?: EventData
}

function articleEventType(c: ArticleChange): EventType {
  if (c.action === 'create') return 'article.created'
  if (c.action === 'delete') return 'article.deleted'
  if (c.action === 'kill') return 'article.killed'
  if (c.action === 'restore') return 'article.restored'
  // An edit cannot publish: one that makes the article public cleared or moved its embargo (a
  // correction note with it is still in the event's data).
  const edit = c.action === 'update' || c.action === 'correct'
  if (!c.wasPublic && c.isPublic) return edit ? 'article.embargo_lifted' : 'article.published'
  if (c.wasPublic && !c.isPublic) return c.after.status === 'archived' ? 'article.archived' : 'article.unpublished'
  if (c.action === 'correct') return 'article.corrected'
  if (c.wasPublic) return 'article.updated'
  if (c.action === 'publish') return 'article.scheduled'
  if (c.action === 'unpublish') return 'article.unpublished'
  return 'article.draft_updated'
}

function sourcesOf(a: ArticleState): string[] {
  return [...(a.sourceId ? [a.sourceId] : []), ...a.credits.map((c) => c.sourceId)]
}

/** The surrogate keys of an article's public responses: itself, the lists, its sources and tags. */
export function articleSurrogateKeys(a: Pick<ArticleState, 'id'>, sourceIds: string[], tags: string[]): string[] {
  return [
    `article:${a.id}`,
    'articles',
    ...new Set(sourceIds.map((s) => `source:${s}`)),
    ...new Set(tags.map((t) => `tag:${t}`)),
    'tags',
  ]
}

/**
 * The other lists an article event makes stale: GET /v1/corrections shows the notes of public
 * articles, GET /v1/articles/deletions the killed ones.
 */
function listKeys(c: ArticleChange): string[] {
  const notes = c.action === 'correct' || (c.after.corrections?.length ?? 0) > 0
  return [...(notes ? ['corrections'] : []), ...(c.action === 'kill' ? ['article-deletions'] : [])]
}

/** A correction's note (the one made with the version after it), a kill's notice. */
function eventData(c: ArticleChange): EventData | null {
  if (c.action !== 'correct') return c.data ?? null
  const note = c.after.corrections?.find((n) => n.version === c.after.version)
  return note ? { kind: note.kind, text: note.text } : null
}

/**
 * The event of a change to an article. It is public when the article was public before or after
 * (its slug was or is public then); otherwise only preview scopes see it, and it purges nothing. A
 * kill's `wasPublic` is whether the article ever became public (partners who took it then must
 * withdraw it), not whether it is at the moment (it may have been archived since).
 */
export function articleEvent(c: ArticleChange): NewEvent {
  const states = c.before ? [c.before, c.after] : [c.after]
  const sourceIds = [...new Set(states.flatMap(sourcesOf))]
  const tags = [...new Set(states.flatMap((s) => s.tags))]
  const visible = c.wasPublic || c.isPublic
  // The slug after the change, unless the change hid the article: readers knew the one before.
  const named = c.isPublic || !c.wasPublic || !c.before ? c.after : c.before
  return {
    type: articleEventType(c),
    occurredAt: c.at,
    resourceType: 'article',
    resourceId: c.after.id,
    resourceSlug: named.slug,
    resourceVersion: c.after.version,
    changedFields: c.changedFields,
    surrogateKeys: visible ? [...articleSurrogateKeys(c.after, sourceIds, tags), ...listKeys(c)] : [],
    public: visible,
    sourceIds,
    tags,
    collectionIds: [],
    data: eventData(c),
  }
}

export interface CollectionState {
  id: string
  key: string
  version: number
}

/** A public event about a whole record (a collection or a source), with no article filters of its own. */
function recordEvent(
  event: Pick<NewEvent, 'type' | 'resourceType' | 'resourceId' | 'resourceSlug' | 'resourceVersion' | 'surrogateKeys'>,
  changedFields: string[],
  at: Date,
  filters: Pick<NewEvent, 'sourceIds' | 'collectionIds'>,
): NewEvent {
  return { ...event, occurredAt: at, changedFields, public: true, tags: [], ...filters }
}

export function collectionEvent(
  type: 'collection.created' | 'collection.updated' | 'collection.deleted',
  collection: CollectionState,
  changedFields: string[],
  at: Date,
): NewEvent {
  const { id, key, version } = collection
  const event = {
    type,
    resourceType: 'collection' as const,
    resourceId: id,
    resourceSlug: key,
    resourceVersion: version,
  }
  return recordEvent({ ...event, surrogateKeys: [`collection:${key}`, 'collections'] }, changedFields, at, {
    sourceIds: [],
    collectionIds: [id],
  })
}

export interface SourceState {
  id: string
  slug: string
}

export function sourceEvent(
  type: 'source.created' | 'source.updated' | 'source.deleted',
  source: SourceState,
  changedFields: string[],
  at: Date,
): NewEvent {
  const event = { type, resourceType: 'source' as const, resourceId: source.id, resourceSlug: source.slug }
  // Articles embed their source (include=source): those responses carry source:<id> too.
  const surrogateKeys = [`source:${source.id}`, 'sources']
  return recordEvent({ ...event, resourceVersion: null, surrogateKeys }, changedFields, at, {
    sourceIds: [source.id],
    collectionIds: [],
  })
}

export interface VocabularyState {
  id: string
  /** The person's or tag's slug, the section's path. */
  slug: string
}

/**
 * An event about a person, a section or a tag. Articles name these (contributors, sections,
 * tags) and embed them with include, so the responses showing one carry its surrogate key.
 * `public`: whether anonymous readers may learn of it (a tag no public article uses is not
 * public: a prepared tag would tell what is being written).
 */
export function vocabularyEvent(
  type: `${'person' | 'section' | 'tag'}.${'created' | 'updated' | 'deleted'}` | 'tag.merged',
  record: VocabularyState,
  changed: { fields: string[]; at: Date; surrogateKeys: string[]; public?: boolean; tags?: string[] },
): NewEvent {
  const resourceType = type.slice(0, type.indexOf('.')) as 'person' | 'section' | 'tag'
  return {
    type,
    occurredAt: changed.at,
    resourceType,
    resourceId: record.id,
    resourceSlug: record.slug,
    resourceVersion: null,
    changedFields: changed.fields,
    surrogateKeys: changed.public === false ? [] : changed.surrogateKeys,
    public: changed.public ?? true,
    sourceIds: [],
    tags: changed.tags ?? [],
    collectionIds: [],
  }
}

export interface MediaState {
  id: string
  version: number
}

/**
 * An event about a media record. Its id is enough to fetch the image's renditions, so the event is
 * public only when public content shows the image at the time (`public`). It purges the record,
 * the media list and the rendition files (`media:<id>`), and with them every article, teaser and
 * person showing the image: their responses carry `media:<id>` and keep their versions, since the
 * record changed, not they. The keys stay on an event only preview scopes see: the renditions of
 * an image that is no longer shown may still be cached.
 */
export function mediaEvent(
  type: 'media.created' | 'media.updated' | 'media.deleted',
  record: MediaState,
  changed: { fields: string[]; at: Date; public: boolean },
): NewEvent {
  return {
    type,
    occurredAt: changed.at,
    resourceType: 'media',
    resourceId: record.id,
    resourceSlug: null,
    resourceVersion: record.version,
    changedFields: changed.fields,
    surrogateKeys: ['media', `media:${record.id}`],
    public: changed.public,
    sourceIds: [],
    tags: [],
    collectionIds: [],
  }
}
