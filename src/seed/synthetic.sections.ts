// The section tree synthetic articles are filed in: 6 root sections, 19 below them and 2 at the
// third level (27), created once level by level (a child needs its parent's id) and found by path
// by the next runs.

import type { PrismaClient } from '../db/database.js'

/** Each root with its children; a child's own children after a colon and commas. */
const tree: Record<string, string[]> = {
  world: ['europe:eastern-europe,european-union', 'middle-east', 'asia', 'americas', 'africa'],
  politics: ['elections', 'parliament', 'diplomacy'],
  business: ['economy', 'markets', 'energy', 'technology'],
  sport: ['football', 'athletics'],
  culture: ['film', 'music', 'books'],
  science: ['health', 'climate'],
}

interface Wanted {
  slug: string
  path: string
  parentPath: string | null
  depth: number
  position: number
}

function nameOf(slug: string): string {
  return slug
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ')
}

/** The tree as rows, parents before their children, with their positions among siblings. */
function wantedSections(): Wanted[][] {
  const levels: Wanted[][] = [[], [], []]
  Object.entries(tree).forEach(([root, children], i) => {
    levels[0]?.push({ slug: root, path: root, parentPath: null, depth: 1, position: i })
    children.forEach((child, j) => {
      const [slug = '', grandchildren] = child.split(':')
      const path = `${root}/${slug}`
      levels[1]?.push({ slug, path, parentPath: root, depth: 2, position: j })
      grandchildren?.split(',').forEach((g, k) => {
        levels[2]?.push({ slug: g, path: `${path}/${g}`, parentPath: path, depth: 3, position: k })
      })
    })
  })
  return levels
}

/** The synthetic sections' ids in tree order (a root, then its descendants), created the first time. */
export async function sectionPool(prisma: PrismaClient): Promise<{ ids: string[]; created: number }> {
  const levels = wantedSections()
  const ids = new Map<string, string>()
  let created = 0
  for (const level of levels) {
    const { count } = await prisma.section.createMany({
      data: level.map((s) => ({
        slug: s.slug,
        name: nameOf(s.slug),
        path: s.path,
        depth: s.depth,
        position: s.position,
        parentId: s.parentPath ? (ids.get(s.parentPath) ?? null) : null,
      })),
      skipDuplicates: true,
    })
    created += count
    const rows = await prisma.section.findMany({
      where: { path: { in: level.map((s) => s.path) } },
      select: { id: true, path: true },
    })
    for (const row of rows) ids.set(row.path, row.id)
  }
  const inTreeOrder = levels.flat().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { ids: inTreeOrder.map((s) => ids.get(s.path) as string), created }
}
