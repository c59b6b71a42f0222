// A section's row to its representation.
import type { Prisma } from '../../generated/prisma/client.js'
import { type PublicUrlTemplates, sectionUrl } from '../../lib/public-urls.js'
import type { Section } from './sections.schemas.js'

export type SectionRow = Prisma.SectionGetPayload<object>

/** `urls` holds PUBLIC_SECTION_URL, the template of its `url` (none: null). */
export function toSection(row: SectionRow, urls: PublicUrlTemplates = {}): Section {
  return {
    id: row.id,
    slug: row.slug,
    path: row.path,
    url: sectionUrl(urls, row),
    name: row.name,
    description: row.description,
    parentId: row.parentId,
    depth: row.depth,
    position: row.position,
    createdBy: row.createdById,
    updatedBy: row.updatedById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
