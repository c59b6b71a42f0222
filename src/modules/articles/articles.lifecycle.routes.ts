import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { write } from '../../http/access.js'
import { actorOf } from '../../http/auth.js'
import { parseIfMatch } from '../../http/caching.js'
import { IdParamsSchema, IfMatchHeadersSchema } from '../../http/schemas.js'
import { tags, writeHeaders, writeResponses } from './articles.http.js'
import { PublishSchema } from './articles.schemas.js'
import type { ArticlesService } from './articles.service.js'

/** The status changes: publish (or schedule), unpublish and archive. */
export const articleLifecycleRoutes: FastifyPluginAsyncTypebox<{ articles: ArticlesService }> = async (
  app,
  { articles },
) => {
  for (const [action, summary, description, answer] of [
    [
      'publish',
      'Publish or schedule an article',
      'From draft or scheduled. A future `publishAt` schedules it: it becomes public at that time, with no further request. Needs a headline and a body (422). The body is optional: without one (and without a Content-Type) it is published now.',
      'The article, published or scheduled',
    ],
    [
      'unpublish',
      'Unpublish an article',
      'Back to draft, from published, scheduled or archived.',
      'The article, a draft again',
    ],
    [
      'archive',
      'Archive (withdraw) an article',
      'From published. Archived articles are not public.',
      'The article, archived',
    ],
  ] as const) {
    app.post(
      `/articles/:id/${action}`,
      {
        config: write,
        // The body is optional: a POST without one means "now".
        preValidation: async (request) => {
          if (action === 'publish') request.body ??= {}
        },
        schema: {
          operationId: `${action}Article`,
          tags,
          summary,
          description: `${description} An invalid transition is a 409 naming the current status.`,
          params: IdParamsSchema,
          headers: IfMatchHeadersSchema,
          ...(action === 'publish' ? { body: PublishSchema, 'x-optional-body': true as const } : {}),
          response: writeResponses(answer, ...(action === 'publish' ? [422] : [])),
        },
      },
      async (request, reply) => {
        const ifMatch = parseIfMatch(request)
        const actor = actorOf(request)
        const id = (request.params as { id: string }).id
        const changed =
          action === 'publish'
            ? await articles.publish(id, (request.body ?? {}) as { publishAt?: string }, ifMatch, actor)
            : action === 'unpublish'
              ? await articles.unpublish(id, ifMatch, actor)
              : await articles.archive(id, ifMatch, actor)
        writeHeaders(reply, changed)
        return changed.article
      },
    )
  }
}
