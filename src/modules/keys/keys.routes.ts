import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../http/auth.js'
import { setNextLink } from '../../http/pagination.js'
import { empty, readResponses, success } from '../../http/responses.js'
import { IdParamsSchema, problemResponses } from '../../http/schemas.js'
import {
  ApiKeyCreatedSchema,
  ApiKeyCreateSchema,
  ApiKeyListQuerySchema,
  ApiKeyListSchema,
  ApiKeySchema,
  ApiKeyUpdateSchema,
} from './keys.schemas.js'
import type { KeysService } from './keys.service.js'

const tags = ['API keys']
const config = { access: 'keys:manage' as const }

export const keysRoutes: FastifyPluginAsyncTypebox<{ keys: KeysService }> = async (app, { keys }) => {
  app.post(
    '/keys',
    {
      config,
      schema: {
        operationId: 'createApiKey',
        tags,
        summary: 'Create an API key',
        description:
          'The response holds the key itself in `secret`, shown this once; only its hash is stored.\n\n' +
          'The new key may only hold scopes the calling key holds itself (directly or by implication: ' +
          'content:write covers content:preview and content:read). keys:manage implies no other scope: a key ' +
          'with only keys:manage can create keys:manage keys; to create a content:write key it must also ' +
          'hold content:write. Asking for a scope the caller does not hold is a 403 (`ND_SCOPE_NOT_HELD`, ' +
          'listing them in `scopesNotHeld`).',
        body: ApiKeyCreateSchema,
        response: {
          201: success('Created; the secret is in this response only; Location names the key', ApiKeyCreatedSchema, [
            'Location',
            'Cache-Control',
          ]),
          ...problemResponses(413, 415),
        },
      },
    },
    async (request, reply) => {
      const held = request.principal.kind === 'key' ? request.principal.scopes : []
      const key = await keys.create(request.body, actorOf(request), held)
      reply.code(201).header('location', `/v1/keys/${key.id}`).header('cache-control', 'no-store')
      return key
    },
  )

  app.get(
    '/keys',
    {
      config,
      schema: {
        operationId: 'listApiKeys',
        tags,
        summary: 'List API keys',
        description: 'Newest first. Never includes secrets or their hashes.',
        querystring: ApiKeyListQuerySchema,
        response: { ...readResponses('A page of API keys', ApiKeyListSchema, ['Link']), ...problemResponses() },
      },
    },
    async (request, reply) => {
      const page = await keys.list(request.query)
      setNextLink(request, reply, page.page.nextCursor)
      return page
    },
  )

  app.get(
    '/keys/:id',
    {
      config,
      schema: {
        operationId: 'getApiKey',
        tags,
        summary: 'Get an API key',
        params: IdParamsSchema,
        response: { ...readResponses('The API key', ApiKeySchema), ...problemResponses(404) },
      },
    },
    async (request) => keys.get(request.params.id),
  )

  app.patch(
    '/keys/:id',
    {
      config,
      schema: {
        operationId: 'updateApiKey',
        tags,
        summary: 'Rename, narrow or re-limit an API key',
        description: 'Scopes can only be narrowed (409 otherwise): a wider key is a new key.',
        params: IdParamsSchema,
        body: ApiKeyUpdateSchema,
        response: { 200: success('The API key as changed', ApiKeySchema), ...problemResponses(404, 409, 413, 415) },
      },
    },
    async (request) => keys.update(request.params.id, request.body, actorOf(request)),
  )

  app.delete(
    '/keys/:id',
    {
      config,
      schema: {
        operationId: 'revokeApiKey',
        tags,
        summary: 'Revoke an API key',
        description: 'The key stops working from the next request. Revoking a revoked key changes nothing.',
        params: IdParamsSchema,
        response: { 204: empty('Revoked'), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      await keys.revoke(request.params.id, actorOf(request))
      return reply.code(204).send(null)
    },
  )
}
