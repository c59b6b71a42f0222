// A webhook's deliveries on the wire: one event sent to one webhook, with the log of its attempts.
import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { nullable, ref, StringEnum, TimestampSchema, UuidSchema } from '../../http/schemas.js'

export const deliveryStatuses = ['pending', 'succeeded', 'failed'] as const
export type DeliveryStatus = (typeof deliveryStatuses)[number]

const DeliveryStatusSchema = StringEnum(deliveryStatuses, {
  description:
    'pending: not yet answered with a 2xx (attempted again at nextAttemptAt); succeeded: a 2xx; failed: every ' +
    'attempt of the retry schedule failed',
})

export const WebhookAttemptSchema = Type.Object(
  {
    attemptedAt: TimestampSchema,
    statusCode: nullable(Type.Integer({ description: "The receiver's HTTP status; null when there was none" })),
    durationMs: Type.Integer({ description: 'From the start of the request to the answer or the failure' }),
    error: nullable(
      Type.String({ description: 'Why there was no answer: a timeout, a refused address, a connection error' }),
    ),
    responseBody: nullable(Type.String({ description: "The start of the receiver's answer (up to 4 KiB)" })),
  },
  {
    $id: 'WebhookAttempt',
    additionalProperties: false,
    examples: [
      {
        attemptedAt: '2026-11-29T09:00:01.000Z',
        statusCode: 503,
        durationMs: 48,
        error: null,
        responseBody: 'Service Unavailable',
      },
    ],
  },
)

export const WebhookDeliverySchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Sent as the webhook-id header, the same on every attempt' }),
    webhookId: UuidSchema,
    eventId: nullable(
      Type.String({ pattern: '^[0-9]{1,19}$', description: 'The change event sent (null: a webhook.test delivery)' }),
    ),
    eventType: Type.String({ description: 'The type of the event sent' }),
    status: DeliveryStatusSchema,
    attempts: Type.Integer({ description: 'Attempts made since the delivery was enqueued or last redelivered' }),
    nextAttemptAt: nullable({
      ...TimestampSchema,
      description: 'When a pending delivery is attempted next (null while its webhook is disabled)',
    }),
    lastAttemptAt: nullable(TimestampSchema),
    createdAt: TimestampSchema,
    attemptLog: Type.Array(ref(WebhookAttemptSchema), {
      description: 'Every attempt, oldest first (the latest 50 when there were more)',
    }),
  },
  {
    $id: 'WebhookDelivery',
    additionalProperties: false,
    examples: [
      {
        id: '019ac0de-7a1e-7000-8000-00000000d001',
        webhookId: '019ac0de-7a1e-7000-8000-00000000c001',
        eventId: '1042',
        eventType: 'article.published',
        status: 'pending',
        attempts: 1,
        nextAttemptAt: '2026-11-29T09:00:06.000Z',
        lastAttemptAt: '2026-11-29T09:00:01.000Z',
        createdAt: '2026-11-29T09:00:00.000Z',
        attemptLog: [
          {
            attemptedAt: '2026-11-29T09:00:01.000Z',
            statusCode: 503,
            durationMs: 48,
            error: null,
            responseBody: 'Service Unavailable',
          },
        ],
      },
    ],
  },
)
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>

export const DeliveryListQuerySchema = Type.Object(
  { ...paginationQuery, status: Type.Optional(DeliveryStatusSchema) },
  { additionalProperties: false },
)
export type DeliveryListQuery = Static<typeof DeliveryListQuerySchema>
const WebhookDeliveryPage = listEnvelope(ref(WebhookDeliverySchema), 'WebhookDeliveryPage')
export const DeliveryListSchema = ref(WebhookDeliveryPage)

/** The named components of the deliveries (registered in src/components.ts). */
export const deliveryComponents = [WebhookAttemptSchema, WebhookDeliverySchema, WebhookDeliveryPage]

export const DeliveryParamsSchema = Type.Object(
  { id: UuidSchema, deliveryId: UuidSchema },
  { additionalProperties: false },
)
