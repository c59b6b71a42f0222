import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { canPreview, readsSyndication } from '../../http/auth.js'
import { cacheHeaders, setCacheHeaders } from '../../http/caching.js'
import { setNextLink } from '../../http/pagination.js'
import { readResponses } from '../../http/responses.js'
import { problemResponses } from '../../http/schemas.js'
import type { NinjsService } from '../ninjs/ninjs.service.js'
import { ChangeListQuerySchema, ChangeListSchema } from './changes.schemas.js'
import type { ChangesService } from './changes.service.js'

export const changesRoutes: FastifyPluginAsyncTypebox<{ changes: ChangesService; ninjs: NinjsService }> = async (
  app,
  { changes, ninjs },
) => {
  app.get(
    '/changes',
    {
      // Not from the response cache: events get their positions after commit, with no change
      // notification of their own, so a cached page could stay behind until the next change.
      config: { access: 'content:read' },
      schema: {
        operationId: 'listChanges',
        tags: ['Changes'],
        summary: 'Follow every change to content, oldest first',
        description:
          'The change feed: one event per change to an article, collection or source, in the order the ' +
          'changes committed. Start without a cursor (the oldest event kept), then keep following ' +
          '`page.nextCursor` (also in `Link: rel="next"`): it is never null, and a page shorter than `limit` ' +
          'means you are at the end — poll the same cursor later. Following cursors never misses an event: ' +
          'an event becomes visible only after every event numbered before it. A scheduled article appears ' +
          '(`article.published`) when it goes live, once; an article published under embargo ' +
          '(`article.embargo_lifted`) when its embargo lifts, once. Anonymous and content:read callers see events about ' +
          'public content only; content:preview sees every event, including `article.created`, ' +
          '`article.draft_updated` and `article.scheduled`. `surrogateKeys` name what a CDN should purge. ' +
          'Events are kept CHANGES_RETENTION_DAYS (default 30): an older cursor is 410 — resync from the lists, ' +
          'then follow the feed from its end. Filters: `types` (repeatable), `resource`, `source` (id or slug), ' +
          '`tag` (slug), `collection` (key). `format=ninjs` adds to each event `ninjs`: the article as of that event ' +
          '(IPTC ninjs 3.1; for a public caller a version that was not public shows only its status; a partner key ' +
          'reads no body of an article that is not syndicatable).',
        querystring: ChangeListQuerySchema,
        response: {
          ...readResponses('A page of change events, oldest first', ChangeListSchema, ['Link', ...cacheHeaders]),
          ...problemResponses(410),
        },
      },
    },
    async (request, reply) => {
      const preview = canPreview(request)
      const page = await changes.list(request.query, preview)
      if (request.query.format === 'ninjs') {
        const caller = { preview, embargoed: preview, syndication: readsSyndication(request) }
        page.data = await ninjs.withDocuments(page.data, caller)
      }
      setNextLink(request, reply, page.page.nextCursor)
      setCacheHeaders(reply, { shared: !preview, surrogateKeys: ['changes'] })
      return page
    },
  )
}
