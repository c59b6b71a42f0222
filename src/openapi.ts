// The document-level parts of the OpenAPI spec; operations come from the route schemas.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from './db/paths.js'

const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }

export const openapiInfo = {
  openapi: '3.1.0',
  info: {
    title: 'Newsdesk API',
    version: pkg.version,
    description:
      'Newsdesk is a headless news CMS: articles, sources and curated teaser collections over REST/JSON.\n\n' +
      'Errors are `application/problem+json` (RFC 9457) with a stable `code`; validation errors list every ' +
      'offending field in `errors`. Lists return `{ data, page }` with an opaque `page.nextCursor` and a ' +
      '`Link: rel="next"` header.',
    contact: { name: 'Newsdesk', url: 'https://newsdesk.dev' },
    license: { name: 'MIT', identifier: 'MIT' },
  },
  components: {
    securitySchemes: {
      bearerAuth: {
        type: 'http' as const,
        scheme: 'bearer',
        bearerFormat: 'nd_<id>_<secret>',
        description:
          'An API key: `Authorization: Bearer nd_…`. Create one with `npm run keys:create` or POST /v1/keys.',
      },
    },
  },
  tags: [
    { name: 'Articles', description: 'The journalism: drafts, publishing, revisions, search' },
    { name: 'Tags', description: 'Topics articles are tagged with' },
    { name: 'Collections', description: 'Curated, ordered boxes of teasers such as Top stories' },
    { name: 'Sources', description: 'Publishers, news agencies and partners' },
    {
      name: 'Changes',
      description: 'The change feed: every change to content, in commit order, for partners and frontends to follow',
    },
    { name: 'API keys', description: 'Keys, their scopes and limits (scope keys:manage)' },
    {
      name: 'Webhooks',
      description:
        'Change events POSTed to your URLs, signed as Standard Webhooks, retried for a day (scope webhooks:manage)',
    },
    { name: 'Audit log', description: 'Every write made through the API (scope keys:manage)' },
    { name: 'Health', description: 'Liveness and readiness probes' },
  ],
}
