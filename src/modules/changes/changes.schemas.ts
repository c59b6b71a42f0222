// The change feed's representation: one event per change to content, as GET /v1/changes lists
// it and as webhooks deliver it.
import Type, { type Static } from 'typebox'
import { paginationQuery } from '../../http/pagination.js'
import { nullable, ref, StringEnum, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { NinjsDocumentSchema } from '../ninjs/ninjs.schemas.js'

/** Events every reader sees when they are about public content. */
export const publicEventTypes = [
  'article.published',
  'article.embargo_lifted',
  'article.updated',
  'article.corrected',
  'article.unpublished',
  'article.archived',
  'article.deleted',
  'article.killed',
  'article.restored',
  'collection.created',
  'collection.updated',
  'collection.deleted',
  'source.created',
  'source.updated',
  'source.deleted',
  'person.created',
  'person.updated',
  'person.deleted',
  'section.created',
  'section.updated',
  'section.deleted',
  'tag.created',
  'tag.updated',
  'tag.merged',
  'tag.deleted',
  'media.created',
  'media.updated',
  'media.deleted',
] as const

/** Events about drafts and scheduled articles: preview and write scopes only. */
export const draftEventTypes = ['article.created', 'article.draft_updated', 'article.scheduled'] as const

export const eventTypes = [...draftEventTypes, ...publicEventTypes] as const
export type EventType = (typeof eventTypes)[number] | 'webhook.test'

export const resourceTypes = ['article', 'collection', 'source', 'person', 'section', 'tag', 'media'] as const
export type ResourceType = (typeof resourceTypes)[number]

const EventTypeSchema = StringEnum([...eventTypes, 'webhook.test'], {
  description:
    'What happened. article.published: an article became public (at its scheduled time for a scheduled ' +
    'one); article.embargo_lifted: a published article became public when its embargo lifted (at that instant, ' +
    'once; or when a change cleared or moved the embargo before then); article.updated: a public article changed; ' +
    'article.corrected: a change came with a correction ' +
    'note (`data` has it; public when the article is public); article.unpublished / article.archived / ' +
    'article.deleted: it left the public reads; article.killed: an article once published was withdrawn ' +
    'everywhere (`data.notice` is the notice for partners; its deliveries are sent before every other pending ' +
    'one); article.restored: an earlier version was restored; ' +
    'collection.updated: a box changed (line-up, order, pin, a time window opening or closing, an ' +
    'article in it going public or leaving); source.*, person.*, section.*: a source, person or section; ' +
    'tag.*: a tag of the vocabulary (tag.merged: merged into another, named in changedFields as "into:<slug>"); ' +
    'media.*: a media record (media.updated: its alt, caption, credit, copyright holder, usage terms, capture ' +
    'time or focal point; the articles, teasers and people showing the image change with it and keep their ' +
    'versions: their responses carry the surrogate key media:<id>, which the event names). Seen only with ' +
    'content:preview: article.created, article.draft_updated, article.scheduled, any event about an article ' +
    'that was not public before or after the change, about a tag no public article uses, and about an image ' +
    'no public content uses at the time (the lead image or a body image of a public article, the image of a ' +
    'teaser a collection shows, or of a person): media.created and media.deleted always. ' +
    'webhook.test: sent by POST /v1/webhooks/{id}/test only.',
})

const EventDataSchema = Type.Object(
  {
    kind: Type.Optional(
      StringEnum(['correction', 'clarification', 'update'], { description: "article.corrected: the note's kind" }),
    ),
    text: Type.Optional(Type.String({ description: "article.corrected: the note's text (plain text)" })),
    notice: Type.Optional(Type.String({ description: 'article.killed: the public notice for partners (plain text)' })),
  },
  {
    additionalProperties: false,
    description:
      'What some event types carry besides: article.corrected `{ kind, text }` (the note the change added, as ' +
      "on the article's `corrections`), article.killed `{ notice }`; null for the other types.",
  },
)
export type EventData = Static<typeof EventDataSchema>

export const ChangeEventSchema = Type.Object(
  {
    id: Type.String({
      pattern: '^[0-9]{1,19}$',
      description: 'Position in the feed: events are numbered in the order their changes committed',
    }),
    type: EventTypeSchema,
    occurredAt: { ...TimestampSchema, description: 'When the change happened (a scheduled one: when it fell due)' },
    resource: Type.Object(
      {
        type: StringEnum([...resourceTypes, 'webhook'], {
          description: 'article, collection, source, person, section, tag or media (webhook: a test event)',
        }),
        id: UuidSchema,
        slug: nullable(
          Type.String({
            description:
              "The article's, source's, person's or tag's slug, the section's path, the collection's key " +
              '(null for media: a media record has only its id)',
          }),
        ),
        version: nullable(Type.Integer({ description: 'The version after the change (the ETag is "v<version>")' })),
      },
      { additionalProperties: false },
    ),
    changedFields: Type.Array(Type.String(), { description: 'Fields the change set (every field for a new record)' }),
    surrogateKeys: Type.Array(Type.String(), {
      description: 'Surrogate keys of the cached responses the change makes stale: what a CDN should purge',
    }),
    data: Type.Union([EventDataSchema, Type.Null()]),
    ninjs: Type.Optional(
      Type.Union([ref(NinjsDocumentSchema), Type.Null()], {
        description:
          'With format=ninjs: the article as of this event (the revision of `resource.version`), as an IPTC ninjs ' +
          'document; `canceled` for article.deleted and article.killed; null for events about other resources',
      }),
    ),
  },
  {
    $id: 'ChangeEvent',
    additionalProperties: false,
    examples: [
      {
        id: '1042',
        type: 'article.published',
        occurredAt: '2026-11-29T09:00:00.000Z',
        resource: {
          type: 'article',
          id: '019ac0de-7a1e-7000-8000-00000000a001',
          slug: 'arab-league-chief-warns-of-regional-war',
          version: 4,
        },
        changedFields: ['status', 'publishedAt'],
        surrogateKeys: ['article:019ac0de-7a1e-7000-8000-00000000a001', 'articles', 'tag:iraq'],
        data: null,
      },
      {
        id: '1043',
        type: 'media.updated',
        occurredAt: '2026-11-29T09:05:00.000Z',
        resource: { type: 'media', id: '019ac0de-7a1e-7000-8000-00000000d001', slug: null, version: 3 },
        changedFields: ['caption', 'focalPoint'],
        surrogateKeys: ['media', 'media:019ac0de-7a1e-7000-8000-00000000d001'],
        data: null,
      },
      {
        id: '1044',
        type: 'article.corrected',
        occurredAt: '2026-11-29T10:00:00.000Z',
        resource: {
          type: 'article',
          id: '019ac0de-7a1e-7000-8000-00000000a001',
          slug: 'arab-league-chief-warns-of-regional-war',
          version: 5,
        },
        changedFields: ['body', 'corrections'],
        surrogateKeys: ['article:019ac0de-7a1e-7000-8000-00000000a001', 'articles', 'tag:iraq', 'tags'],
        data: { kind: 'correction', text: 'An earlier version misstated the date of the agreement.' },
      },
    ],
  },
)
export type ChangeEvent = Static<typeof ChangeEventSchema>

const ChangePage = Type.Object(
  {
    data: Type.Array(ref(ChangeEventSchema)),
    page: Type.Object(
      {
        limit: Type.Integer(),
        nextCursor: Type.String({
          description:
            'Where to continue: after the last event of this page, or, on the last page, after every ' +
            'event there is now. Never null: poll it to receive the next changes.',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'ChangePage', additionalProperties: false },
)
export const ChangeListSchema = ref(ChangePage)

/** The named components of this module (registered in src/components.ts). */
export const changeComponents = [ChangeEventSchema, ChangePage]

export const ChangeListQuerySchema = Type.Object(
  {
    ...paginationQuery,
    types: Type.Optional(
      Type.Array(StringEnum(eventTypes), {
        maxItems: eventTypes.length,
        description: 'Only these event types (repeat the parameter: types=article.published&types=article.updated)',
      }),
    ),
    resource: Type.Optional(StringEnum(resourceTypes, { description: 'Only events about this kind of resource' })),
    source: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Source id or slug: events about articles from or crediting it, and about the source itself',
      }),
    ),
    tag: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Tag slug: events about articles with the tag' }),
    ),
    collection: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Collection key: events about the collection and about articles it links to',
      }),
    ),
    format: Type.Optional(
      StringEnum(['json', 'ninjs'], {
        description: '`ninjs`: each article event carries `ninjs`, the article as of that event (IPTC ninjs 3.1)',
      }),
    ),
  },
  { additionalProperties: false },
)
export type ChangeListQuery = Static<typeof ChangeListQuerySchema>
