import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import { nullable, ref, SlugSchema, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { maxInt4 } from '../../lib/ranges.js'

/** How deep the tree may go: world/europe/france/paris/… stops at 8 levels. */
export const maxSectionDepth = 8

export const seedSectionExample = {
  id: '019ac0de-7a1e-7000-8000-00000000d002',
  slug: 'middle-east',
  path: 'world/middle-east',
  url: 'https://www.example.com/world/middle-east',
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
    url: nullable(
      Type.String({
        format: 'uri',
        description:
          "Where the section lives on the newsroom's site: PUBLIC_SECTION_URL rendered ({path}, {slug}, {id}); " +
          'null when it is not set. Read-only, set by the server',
      }),
    ),
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

/**
 * How many sections one tree answer (GET /v1/sections?tree=true) holds: a bigger tree is refused
 * (409), and read flat, a page or one level (`parent`) at a time.
 */
export const maxTreeSections = 2000

// A section path: slugs joined by "/", at most maxSectionDepth of them. Each slug is letters and
// digits separated by single hyphens, so the pattern cannot backtrack.
const slugShape = '[a-z0-9]+(?:-[a-z0-9]+)*'
const pathShape = `${slugShape}(?:/${slugShape}){0,${maxSectionDepth - 1}}`
const idShape = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'

/** A section named by its id or its path (a path is never shaped like an id: slugs are not). */
const SectionKeySchema = Type.String({
  minLength: 1,
  maxLength: 1000,
  pattern: `^(?:${idShape}|${pathShape})$`,
  description: 'The section id (UUID) or its path, e.g. world/middle-east',
})

export const IdOrPathParamsSchema = Type.Object(
  {
    idOrPath: {
      ...SectionKeySchema,
      description:
        'The section id (UUID) or its path. The slashes of a path may be sent as they are ' +
        '(/v1/sections/world/middle-east) or encoded (/v1/sections/world%2Fmiddle-east).',
    },
  },
  { additionalProperties: false },
)
export type IdOrPathParams = Static<typeof IdOrPathParamsSchema>

export const sectionNodeExample = {
  ...seedSectionExample,
  id: '019ac0de-7a1e-7000-8000-00000000d001',
  slug: 'world',
  path: 'world',
  url: 'https://www.example.com/world',
  name: 'World',
  parentId: null,
  depth: 1,
  children: [{ ...seedSectionExample, children: [] }],
}

const SectionNodeComponent = Type.Object(
  {
    ...SectionComponent.properties,
    children: Type.Array(Type.Unsafe<unknown>({ $ref: 'SectionNode#' }), {
      description: 'Its child sections, each with theirs, ordered by position, then slug',
    }),
  },
  {
    $id: 'SectionNode',
    description: 'A section with its subtree',
    additionalProperties: false,
    examples: [sectionNodeExample],
  },
)
export type SectionNode = Section & { children: SectionNode[] }

const SectionTreeComponent = Type.Object(
  {
    data: Type.Array(ref(SectionNodeComponent), {
      description: 'The root sections, ordered by position, then slug',
    }),
  },
  { $id: 'SectionTree', additionalProperties: false },
)
const SectionPage = listEnvelope(SectionSchema, 'SectionPage')
/** GET /v1/sections: a page of the flat list, or the whole tree (tree=true). */
export const SectionListSchema = Type.Union([ref(SectionPage), ref(SectionTreeComponent)])

export const SectionListQuerySchema = Type.Object(
  {
    ...paginationQuery,
    parent: Type.Optional({
      ...SectionKeySchema,
      description: 'Only the children of this section (its id or path)',
    }),
    tree: Type.Boolean({
      default: false,
      description:
        `true: every section in one answer, nested (\`children\`): \`limit\` is ignored, \`cursor\` and ` +
        `\`parent\` are refused (400). Refused (409) beyond ${maxTreeSections} sections.`,
    }),
  },
  { additionalProperties: false },
)
export type SectionListQuery = Static<typeof SectionListQuerySchema>

const positionSchema = Type.Integer({
  minimum: 0,
  maximum: 1_000_000,
  format: 'int32',
  description: 'Order among its siblings (then slug); 0 when omitted',
})
const nameSchema = Type.String({ minLength: 1, maxLength: 200 })
const descriptionSchema = Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])
const parentFields = {
  parent: Type.Optional(
    Type.Union([SectionKeySchema, Type.Null()], { description: 'The parent section (id or path); null: a root' }),
  ),
  parentId: Type.Optional(
    Type.Union([UuidSchema, Type.Null()], { description: 'The parent section as reads name it; null: a root' }),
  ),
}

export const SectionCreateSchema = Type.Object(
  {
    slug: Type.Optional({
      ...SlugSchema,
      description: 'Generated from the name when omitted (the first free among its siblings)',
    }),
    name: nameSchema,
    ...parentFields,
    position: Type.Optional(positionSchema),
    description: Type.Optional(descriptionSchema),
  },
  {
    additionalProperties: false,
    examples: [{ name: 'Opinion', description: 'Columns, editorials and letters.', position: 5 }],
  },
)
export type SectionCreate = Static<typeof SectionCreateSchema>

export const SectionUpdateSchema = Type.Object(
  {
    slug: Type.Optional(SlugSchema),
    name: Type.Optional(nameSchema),
    ...parentFields,
    position: Type.Optional(positionSchema),
    description: Type.Optional(descriptionSchema),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ name: 'Opinion and analysis', position: 2 }] },
)
export type SectionUpdate = Static<typeof SectionUpdateSchema>

/** The named components of this module (registered in src/components.ts). */
export const sectionComponents = [SectionComponent, SectionNodeComponent, SectionTreeComponent, SectionPage]
