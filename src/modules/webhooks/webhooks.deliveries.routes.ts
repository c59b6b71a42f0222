// A webhook's deliveries: what was sent, how each attempt went, and sending one again.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../http/auth.js'
import { setNextLink } from '../../http/pagination.js'
import { readResponses, success } from '../../http/responses.js'
import { IdParamsSchema, problemResponses, ref } from '../../http/schemas.js'
import {
  DeliveryListQuerySchema,
  DeliveryListSchema,
  DeliveryParamsSchema,
  WebhookDeliverySchema,
} from './webhooks.deliveries.schemas.js'
import type { WebhooksService } from './webhooks.service.js'

const tags = ['Webhooks']
const config = { access: 'webhooks:manage' as const }

const retries =
  'A delivery is attempted until the receiver answers 2xx within WEBHOOK_TIMEOUT_MS (redirects are not ' +
  'followed). After a failed attempt it is retried after 5 s, 1 min, 10 min, 1 h, 6 h and 16 h (each ±20%): ' +
  "seven attempts over about a day, then it is 'failed'. Every failed attempt counts against the webhook: " +
  'after WEBHOOK_FAILURE_LIMIT in a row it is disabled, and its pending deliveries wait until it is enabled again.'

export const webhookDeliveriesRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhooksService }> = async (
  app,
  { webhooks },
) => {
  app.get(
    '/webhooks/:id/deliveries',
    {
      config,
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: "List a webhook's deliveries",
        description: `Newest first, each with the log of its attempts.\n\n${retries}`,
        params: IdParamsSchema,
        querystring: DeliveryListQuerySchema,
        response: {
          ...readResponses('A page of deliveries, newest first', DeliveryListSchema, ['Link']),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const page = await webhooks.deliveries(request.params.id, request.query)
      setNextLink(request, reply, page.page.nextCursor)
      return page
    },
  )

  app.get(
    '/webhooks/:id/deliveries/:deliveryId',
    {
      config,
      schema: {
        operationId: 'getWebhookDelivery',
        tags,
        summary: 'Get a delivery',
        params: DeliveryParamsSchema,
        response: { ...readResponses('The delivery', ref(WebhookDeliverySchema)), ...problemResponses(404) },
      },
    },
    async (request) => webhooks.delivery(request.params.id, request.params.deliveryId),
  )

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config,
      schema: {
        operationId: 'redeliverWebhookDelivery',
        tags,
        summary: 'Send a delivery again',
        description:
          'The delivery becomes pending and is attempted at once, with the same `webhook-id` (receivers that ' +
          'already processed it can tell), its retry schedule starting over. Any status may be redelivered.',
        params: DeliveryParamsSchema,
        response: {
          202: success('Accepted: the delivery, pending again; Location names it', ref(WebhookDeliverySchema), [
            'Location',
          ]),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const { id, deliveryId } = request.params
      const delivery = await webhooks.redeliver(id, deliveryId, actorOf(request))
      reply.code(202).header('location', `/v1/webhooks/${id}/deliveries/${deliveryId}`)
      return delivery
    },
  )
}
