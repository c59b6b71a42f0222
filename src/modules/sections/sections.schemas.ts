import Type, { type Static } from 'typebox'
import { nullable, ref, SlugSchema, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { maxInt4 } from '../../lib/ranges.js'

/** How deep the tree may go: world/europe/france/paris/… stops at 8 levels. */
export const maxSectionDepth = 8

export const seedSectionExample = {
  id: '019ac0de-7a1e-7000-8000-00000000d002',
  slug: 'middle-east',
  path: 'world/middle-east',
  name: 'Middle East',
  description: null,
  parentId: '019ac0de-7a1e-7000-8000-00000000d001',
  depth: 2,
  position: 0,
  createdBy: null,
  updatedBy: null,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
}

export const SectionComponent = Type.Object(
  {
    id: UuidSchema,
    slug: SlugSchema,
    path: Type.String({
      maxLength: 1000,
      description: 'The slugs from the root down, joined by "/": names the section in URLs and filters',
    }),
    name: Type.String({ maxLength: 200 }),
    description: nullable(Type.String({ maxLength: 2000 })),
    parentId: nullable({ ...UuidSchema, description: 'null for a root section' }),
    depth: Type.Integer({ minimum: 1, maximum: maxSectionDepth, format: 'int32', description: '1 for a root section' }),
    position: Type.Integer({
      minimum: 0,
      maximum: maxInt4,
      format: 'int32',
      description: 'Order among its siblings (then slug)',
    }),
    createdBy: nullable({ ...UuidSchema, description: 'The API key that created the section (null: seed)' }),
    updatedBy: nullable({ ...UuidSchema, description: 'The API key that last changed the section' }),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  {
    $id: 'Section',
    description: 'A section of the site, in a tree: World › Middle East is world/middle-east',
    additionalProperties: false,
    examples: [seedSectionExample],
  },
)
/** A section, as reads show it and as articles embed it (include=sections). */
export const SectionSchema = ref(SectionComponent)
export type Section = Static<typeof SectionSchema>

/** The named components of this module (registered in src/components.ts). */
export const sectionComponents = [SectionComponent]
