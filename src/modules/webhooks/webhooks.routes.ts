// Webhooks' routes: the webhooks themselves, their secrets and test events. Their deliveries are
// in webhooks.deliveries.routes.ts. Reads are registered first, so the spec lists GET first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, canPreview } from '../../http/auth.js'
import { parseIfMatch } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { empty, readResponses, success } from '../../http/responses.js'
import { IdParamsSchema, IfMatchHeadersSchema, problemResponses, ref } from '../../http/schemas.js'
import { versionEtag } from '../../lib/versions.js'
import { webhookDeliveriesRoutes } from './webhooks.deliveries.routes.js'
import { WebhookDeliverySchema } from './webhooks.deliveries.schemas.js'
import {
  WebhookCreateSchema,
  WebhookListQuerySchema,
  WebhookListSchema,
  WebhookSchema,
  WebhookUpdateSchema,
  WebhookWithSecretSchema,
} from './webhooks.schemas.js'
import type { WebhooksService } from './webhooks.service.js'

const tags = ['Webhooks']
const config = { access: 'webhooks:manage' as const }

const signing =
  'Each delivery is a POST of the event as JSON (the ChangeEvent of GET /v1/changes), signed as Standard ' +
  'Webhooks: `webhook-id` (the delivery id, the same on every attempt: use it to drop duplicates), ' +
  '`webhook-timestamp` and `webhook-signature` (HMAC-SHA256 under the secret; during a rotation two ' +
  'signatures, separated by a space).'

const webhookReadRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhooksService }> = async (app, { webhooks }) => {
  app.get(
    '/webhooks',
    {
      config,
      schema: {
        operationId: 'listWebhooks',
        tags,
        summary: 'List webhooks',
        description: 'Newest first. Never includes secrets.',
        querystring: WebhookListQuerySchema,
        response: { ...readResponses('A page of webhooks', WebhookListSchema, ['Link']), ...problemResponses() },
      },
    },
    async (request, reply) => {
      const page = await webhooks.list(request.query)
      setNextLink(request, reply, page.page.nextCursor)
      return page
    },
  )

  app.get(
    '/webhooks/:id',
    {
      config,
      schema: {
        operationId: 'getWebhook',
        tags,
        summary: 'Get a webhook',
        description: 'Its ETag ("v<version>") is what If-Match takes on changes. Never includes the secret.',
        params: IdParamsSchema,
        response: { ...readResponses('The webhook', ref(WebhookSchema)), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const webhook = await webhooks.get(request.params.id)
      reply.header('etag', versionEtag(webhook.version))
      return webhook
    },
  )
}

const webhookWriteRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhooksService }> = async (app, { webhooks }) => {
  app.post(
    '/webhooks',
    {
      config,
      schema: {
        operationId: 'createWebhook',
        tags,
        summary: 'Create a webhook',
        description:
          'The response holds the signing `secret`, shown this once (and on rotation). The URL must be https ' +
          '(http only with WEBHOOK_ALLOW_HTTP) and reach a public address: a loopback, private, link-local or ' +
          'metadata address is a 422 (`ND_WEBHOOK_TARGET_REFUSED`) unless WEBHOOK_ALLOW_PRIVATE_TARGETS is on. ' +
          'A filter naming a source or collection that does not exist is a 422 (`ND_REFERENCE_MISSING`). ' +
          'When the calling key holds content:preview, the webhook also receives events about drafts ' +
          `(\`receivesDrafts\`).\n\n${signing}`,
        body: WebhookCreateSchema,
        response: {
          201: success(
            'Created; the signing secret is in this response only; Location names the webhook',
            ref(WebhookWithSecretSchema),
            ['Location', 'Cache-Control'],
          ),
          ...problemResponses(413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const webhook = await webhooks.create(request.body, actorOf(request), canPreview(request))
      reply
        .code(201)
        .header('location', `/v1/webhooks/${webhook.id}`)
        .header('etag', versionEtag(webhook.version))
        .header('cache-control', 'no-store')
      return webhook
    },
  )

  app.patch(
    '/webhooks/:id',
    {
      config,
      schema: {
        operationId: 'updateWebhook',
        tags,
        summary: 'Update a webhook',
        description:
          'Sends only the fields to change; `null` clears an optional one. A new URL is checked as on creation. ' +
          '`enabled: true` re-enables a webhook disabled after failed attempts: its failure count starts again ' +
          'and its pending deliveries are attempted at once.',
        params: IdParamsSchema,
        headers: IfMatchHeadersSchema,
        body: WebhookUpdateSchema,
        response: {
          200: success('The webhook as changed', ref(WebhookSchema)),
          ...problemResponses(404, 412, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const webhook = await webhooks.update(request.params.id, request.body, parseIfMatch(request), actorOf(request))
      reply.header('etag', versionEtag(webhook.version))
      return webhook
    },
  )

  app.delete(
    '/webhooks/:id',
    {
      config,
      schema: {
        operationId: 'deleteWebhook',
        tags,
        summary: 'Delete a webhook',
        description: 'Its deliveries, pending or not, are deleted with it.',
        params: IdParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: empty('Deleted'), ...problemResponses(404, 412) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id, parseIfMatch(request), actorOf(request))
      return reply.code(204).send(null)
    },
  )
}

/** Rotating the secret and sending a test event. */
const webhookActionRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhooksService }> = async (app, { webhooks }) => {
  app.post(
    '/webhooks/:id/rotate-secret',
    {
      config,
      schema: {
        operationId: 'rotateWebhookSecret',
        tags,
        summary: "Rotate a webhook's signing secret",
        description:
          'The response holds the new `secret`, shown this once. For 24 hours the previous secret signs every ' +
          'delivery too (`webhook-signature` then carries two signatures), so receivers can switch without ' +
          'missing one; rotating again within that time drops the oldest.',
        params: IdParamsSchema,
        response: {
          200: success('The webhook with its new secret, in this response only', ref(WebhookWithSecretSchema), [
            'Cache-Control',
          ]),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const webhook = await webhooks.rotateSecret(request.params.id, actorOf(request))
      reply.header('etag', versionEtag(webhook.version)).header('cache-control', 'no-store')
      return webhook
    },
  )

  app.post(
    '/webhooks/:id/test',
    {
      config,
      schema: {
        operationId: 'testWebhook',
        tags,
        summary: 'Send a test event',
        description:
          'Enqueues a `webhook.test` event for the webhook, whatever events it asked for, and sends it at once ' +
          '(a disabled webhook: when it is enabled again). Its body is shaped like every event, with ' +
          '`resource.type` "webhook". The response is the delivery; follow it in the deliveries list.',
        params: IdParamsSchema,
        response: {
          202: success('Accepted: the test delivery, sent at once; Location names it', ref(WebhookDeliverySchema), [
            'Location',
          ]),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.test(request.params.id, actorOf(request))
      reply.code(202).header('location', `/v1/webhooks/${request.params.id}/deliveries/${delivery.id}`)
      return delivery
    },
  )
}

export const webhooksRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhooksService }> = async (app, { webhooks }) => {
  await app.register(webhookReadRoutes, { webhooks })
  await app.register(webhookWriteRoutes, { webhooks })
  await app.register(webhookActionRoutes, { webhooks })
  await app.register(webhookDeliveriesRoutes, { webhooks })
}
