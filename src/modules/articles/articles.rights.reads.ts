// GET /articles/{idOrSlug}/rights: whether an article is syndicatable and why, visible to whom
// the article itself is (public callers: published articles only), cached like an article read.

import type { Db } from '../../db/types.js'
import { NotFoundError } from '../../errors.js'
import { uuidPattern } from '../../lib/uuid.js'
import { surrogateKeysOf } from './articles.keys.js'
import type { Cacheable } from './articles.reads.js'
import { noRelations } from './articles.record.js'
import { findArticle } from './articles.repository.js'
import { explainRights } from './articles.rights.js'
import type { RightsExplanation } from './articles.rights.schemas.js'
import type { ViewOptions } from './articles.view.js'
import { isVisible } from './articles.visibility.js'

export async function getRights(
  db: Db,
  idOrSlug: string,
  view: Pick<ViewOptions, 'preview' | 'embargoed'>,
  now: Date,
): Promise<Cacheable<RightsExplanation>> {
  const isId = uuidPattern.test(idOrSlug)
  const record = await findArticle(db, isId ? idOrSlug.toLowerCase() : idOrSlug, isId, noRelations)
  if (!record || !isVisible(record, now, view)) throw new NotFoundError('article', idOrSlug)
  return {
    body: explainRights(record, now),
    // Its credits' sources decide: a change to one (its redistribution, name, template) purges source:<id>.
    surrogateKeys: surrogateKeysOf(record),
    lastModified: record.updatedAt,
  }
}
