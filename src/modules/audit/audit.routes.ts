import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { setNextLink } from '../../http/pagination.js'
import { readResponses } from '../../http/responses.js'
import { problemResponses } from '../../http/schemas.js'
import { AuditListSchema, AuditQuerySchema } from './audit.schemas.js'
import type { AuditService } from './audit.service.js'

export const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditService }> = async (app, { audit }) => {
  app.get(
    '/audit',
    {
      config: { access: 'keys:manage' },
      schema: {
        operationId: 'listAuditEntries',
        tags: ['Audit log'],
        summary: 'List writes made through the API',
        description: 'Newest first: which key did what to which record, when, in which request.',
        querystring: AuditQuerySchema,
        response: {
          ...readResponses('A page of audit entries, newest first', AuditListSchema, ['Link']),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const page = await audit.list(request.query)
      setNextLink(request, reply, page.page.nextCursor)
      return page
    },
  )
}
