import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { read } from '../../http/access.js'
import { canPreview } from '../../http/auth.js'
import { cacheHeaders, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { readResponses } from '../../http/responses.js'
import { problemResponses } from '../../http/schemas.js'
import { CorrectionListQuerySchema, CorrectionListSchema } from './corrections.schemas.js'
import type { CorrectionsService } from './corrections.service.js'

/** GET /v1/corrections: the notes of every article, for a corrections page. */
export const correctionRoutes: FastifyPluginAsyncTypebox<{ corrections: CorrectionsService }> = async (
  app,
  { corrections },
) => {
  app.get(
    '/corrections',
    {
      config: read,
      schema: {
        operationId: 'listCorrections',
        tags: ['Articles'],
        summary: 'List correction notes site-wide',
        description:
          'The correction, clarification and update notes of every article, newest first, each with its article ' +
          '(id, slug and headline as they are now): a corrections page. Public callers see the notes of articles ' +
          'public now (never those of drafts, scheduled, archived, deleted or killed articles); callers with ' +
          'content:preview see those of every live article. `article` takes an id, a slug or a former slug.',
        querystring: CorrectionListQuerySchema,
        response: {
          ...readResponses('A page of notes, newest first', CorrectionListSchema, [
            'Link',
            ...cacheHeaders,
            'Last-Modified',
          ]),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      const list = await corrections.list(request.query, preview)
      setNextLink(request, reply, list.body.page.nextCursor)
      setCacheHeaders(reply, { shared: !preview, surrogateKeys: list.surrogateKeys, lastModified: list.lastModified })
      return list.body
    },
  )
}
