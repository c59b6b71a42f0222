// The named components of the API: every shared schema, added once with app.addSchema (src/app.ts)
// so that routes, and schemas nesting one another, refer to it as `{ $ref: '<$id>#' }` (see ref()
// in src/http/schemas.ts). The spec lists each under #/components/schemas, the serializer resolves
// the references, and generated clients get one named type per shape.
import { PageSchema } from './http/pagination.js'
import { ProblemFieldSchema, ProblemSchema } from './http/schemas.js'
import { relatedComponents } from './modules/articles/articles.related.schemas.js'
import { articleComponents } from './modules/articles/articles.schemas.js'
import { auditComponents } from './modules/audit/audit.schemas.js'
import { changeComponents } from './modules/changes/changes.schemas.js'
import { collectionComponents } from './modules/collections/collections.schemas.js'
import { correctionComponents } from './modules/corrections/corrections.schemas.js'
import { keyComponents } from './modules/keys/keys.schemas.js'
import { mediaComponents } from './modules/media/media.schemas.js'
import { mediaSharedComponents } from './modules/media/media.shared.schemas.js'
import { ninjsComponents } from './modules/ninjs/ninjs.schemas.js'
import { peopleComponents } from './modules/people/people.schemas.js'
import { previewComponents } from './modules/previews/previews.schemas.js'
import { sectionComponents } from './modules/sections/sections.schemas.js'
import { sourceComponents } from './modules/sources/sources.schemas.js'
import { tagComponents } from './modules/tags/tags.schemas.js'
import { deliveryComponents } from './modules/webhooks/webhooks.deliveries.schemas.js'
import { webhookComponents } from './modules/webhooks/webhooks.schemas.js'

export const components = [
  ProblemSchema,
  ProblemFieldSchema,
  PageSchema,
  ...mediaSharedComponents,
  ...mediaComponents,
  ...correctionComponents,
  ...sourceComponents,
  ...tagComponents,
  ...peopleComponents,
  ...sectionComponents,
  ...articleComponents,
  ...ninjsComponents,
  ...previewComponents,
  ...relatedComponents,
  ...collectionComponents,
  ...changeComponents,
  ...keyComponents,
  ...auditComponents,
  ...webhookComponents,
  ...deliveryComponents,
]
