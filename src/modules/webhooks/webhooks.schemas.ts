// Webhooks on the wire: the webhook, the one response that shows its secret, and what a client
// sends to create or change one. Responses are named components (the routes add them by $id).
import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import {
  HttpUrlSchema,
  nullable,
  ref,
  SlugSchema,
  StringEnum,
  TimestampSchema,
  UuidSchema,
} from '../../http/schemas.js'
import { eventTypes } from '../changes/changes.schemas.js'

export const eventFamilies = [
  'article.*',
  'collection.*',
  'source.*',
  'person.*',
  'section.*',
  'tag.*',
  'media.*',
  '*',
] as const

const EventSelectorSchema = StringEnum([...eventTypes, ...eventFamilies], {
  description:
    'An event type, every event of a resource (`article.*`, `collection.*`, `source.*`, `person.*`, ' +
    '`section.*`, `tag.*`, `media.*`) or every event (`*`)',
})

const EventsSchema = Type.Array(EventSelectorSchema, {
  minItems: 1,
  maxItems: 30,
  uniqueItems: true,
  description:
    'The events to send. Events about drafts (article.created, article.draft_updated, article.scheduled, and ' +
    'any event about an article that was not public before or after the change, about a tag no public ' +
    'article uses, or about an image no public content shows) are sent only when `receivesDrafts` is true.',
})

const webhookExample = {
  id: '019ac0de-7a1e-7000-8000-00000000c001',
  url: 'https://example.com/newsdesk/webhooks',
  description: 'Purges the CDN when public content changes',
  events: ['article.*', 'collection.updated'],
  filter: { source: null, tag: null, collection: null },
  receivesDrafts: false,
  enabled: true,
  disabledReason: null,
  disabledAt: null,
  consecutiveFailures: 0,
  previousSecretExpiresAt: null,
  version: 1,
  createdBy: '019ac0de-7a1e-7000-8000-00000000b001',
  updatedBy: '019ac0de-7a1e-7000-8000-00000000b001',
  createdAt: '2026-11-29T09:00:00.000Z',
  updatedAt: '2026-11-29T09:00:00.000Z',
}

export const WebhookSchema = Type.Object(
  {
    id: UuidSchema,
    url: Type.String({ description: 'Where events are POSTed' }),
    description: nullable(Type.String()),
    events: Type.Array(EventSelectorSchema, { description: 'Event types, families (`article.*`) or `*`' }),
    filter: Type.Object(
      {
        source: nullable(Type.String({ format: 'uuid', description: 'Only events about this source (its id)' })),
        tag: nullable(Type.String({ description: 'Only events about articles with this tag (its slug)' })),
        collection: nullable(
          Type.String({ format: 'uuid', description: 'Only events about this collection (its id) or its articles' }),
        ),
      },
      { additionalProperties: false },
    ),
    receivesDrafts: Type.Boolean({
      description: 'Also receives events about drafts: the key that created the webhook held content:preview',
    }),
    enabled: Type.Boolean({
      description: 'A disabled webhook is sent nothing; its pending deliveries wait until it is enabled again',
    }),
    disabledReason: nullable(Type.String({ description: 'Why it was disabled (failed attempts, or a PATCH)' })),
    disabledAt: nullable(TimestampSchema),
    consecutiveFailures: Type.Integer({
      description: 'Failed attempts since the last success; at WEBHOOK_FAILURE_LIMIT the webhook is disabled',
    }),
    previousSecretExpiresAt: nullable({
      ...TimestampSchema,
      description: 'After a rotation, the previous secret also signs every delivery until then',
    }),
    version: Type.Integer({ description: 'Changes with every change to the webhook; the ETag is "v<version>"' }),
    createdBy: nullable(Type.String({ format: 'uuid', description: 'The API key that created the webhook' })),
    updatedBy: nullable(Type.String({ format: 'uuid', description: 'The API key that last changed it' })),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  { $id: 'Webhook', additionalProperties: false, examples: [webhookExample] },
)
export type Webhook = Static<typeof WebhookSchema>

export const WebhookWithSecretSchema = Type.Object(
  {
    ...WebhookSchema.properties,
    secret: Type.String({
      description:
        'The signing secret (Standard Webhooks: whsec_ and base64). Shown only when the webhook is created and ' +
        'when the secret is rotated: store it now.',
    }),
  },
  {
    $id: 'WebhookWithSecret',
    additionalProperties: false,
    examples: [{ ...webhookExample, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/Z8lN2WRKgE=' }],
  },
)
export type WebhookWithSecret = Static<typeof WebhookWithSecretSchema>

const filterInput = {
  source: Type.Optional(
    nullable(
      Type.String({ minLength: 1, maxLength: 200, description: 'A source id or slug (422 if no source matches)' }),
    ),
  ),
  tag: Type.Optional(nullable({ ...SlugSchema, description: 'A tag slug' })),
  collection: Type.Optional(
    nullable(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'A collection key or id (422 if no collection matches)',
      }),
    ),
  ),
}

const FilterInputSchema = Type.Object(filterInput, {
  additionalProperties: false,
  description: 'Only events that match every filter given: null or omitted matches any',
})

export const WebhookCreateSchema = Type.Object(
  {
    url: HttpUrlSchema,
    events: EventsSchema,
    filter: Type.Optional(FilterInputSchema),
    description: Type.Optional(nullable(Type.String({ maxLength: 500 }))),
  },
  {
    additionalProperties: false,
    examples: [
      {
        url: 'https://example.com/newsdesk/webhooks',
        events: ['article.*', 'collection.updated'],
        description: 'Purges the CDN when public content changes',
      },
    ],
  },
)
export type WebhookCreate = Static<typeof WebhookCreateSchema>

export const WebhookUpdateSchema = Type.Object(
  {
    url: Type.Optional(HttpUrlSchema),
    events: Type.Optional(EventsSchema),
    filter: Type.Optional(
      Type.Object(filterInput, {
        additionalProperties: false,
        description: 'The filters given replace theirs (null clears one); those omitted stay',
      }),
    ),
    description: Type.Optional(nullable(Type.String({ maxLength: 500 }))),
    enabled: Type.Optional(
      Type.Boolean({
        description:
          'true re-enables a disabled webhook: its failure count starts again and its pending deliveries are due now',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ enabled: true }] },
)
export type WebhookUpdate = Static<typeof WebhookUpdateSchema>

export const WebhookListQuerySchema = Type.Object({ ...paginationQuery }, { additionalProperties: false })
export type WebhookListQuery = Static<typeof WebhookListQuerySchema>
const WebhookPage = listEnvelope(ref(WebhookSchema), 'WebhookPage')
export const WebhookListSchema = ref(WebhookPage)

/** The named components of this module besides the deliveries' (registered in src/components.ts). */
export const webhookComponents = [WebhookSchema, WebhookWithSecretSchema, WebhookPage]
