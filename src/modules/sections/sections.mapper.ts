// A section's row to its representation.
import type { Prisma } from '../../generated/prisma/client.js'
import type { Section } from './sections.schemas.js'

export type SectionRow = Prisma.SectionGetPayload<object>

export function toSection(row: SectionRow): Section {
  return {
    id: row.id,
    slug: row.slug,
    path: row.path,
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
