// The records synthetic articles point to, created by the first run and found by the next ones:
// 50 sources and 500 tags. And where this run's slug numbers start.

import type { PrismaClient } from '../db/database.js'
import type { SourceKind } from '../generated/prisma/enums.js'
import { nameKey } from '../modules/sources/sources.service.js'
import { loadSeedContent } from './seed.js'
import { capitalize } from './synthetic.text.js'
import { adjectives, nouns, outlets, places, wires } from './synthetic.words.js'

const SYNTHETIC_SOURCES = 50
const SYNTHETIC_TAGS = 500

export interface PoolSource {
  id: string
  name: string
  kind: SourceKind
  homepageUrl: string | null
}

/** The 50 sources: the example seed's ones plus synthetic-source-NN, created once. */
export async function sourcePool(prisma: PrismaClient): Promise<{ pool: PoolSource[]; created: number }> {
  const exampleSlugs = (await loadSeedContent()).sources.map((s) => s.slug)
  const select = { id: true, slug: true, name: true, kind: true, homepageUrl: true } as const
  const examples = await prisma.source.findMany({ where: { slug: { in: exampleSlugs } }, select })
  const wanted = Array.from({ length: SYNTHETIC_SOURCES - examples.length }, (_, i) => {
    const nn = String(i + 1).padStart(2, '0')
    // Half publishers, a quarter agencies (credited on wire copy), a quarter partner sites.
    const kind: SourceKind = i % 4 === 1 ? 'agency' : i % 4 === 3 ? 'partner' : 'publisher'
    const place = places[i % places.length] as string
    const name =
      kind === 'agency' ? `${place} ${wires[i % wires.length]} ${nn}` : `${place} ${outlets[i % outlets.length]} ${nn}`
    return {
      slug: `synthetic-source-${nn}`,
      name,
      nameKey: nameKey(name),
      kind,
      homepageUrl: `https://synthetic-source-${nn}.example.com/`,
      description: `Synthetic ${kind} for load and search testing.`,
    }
  })
  const { count } = await prisma.source.createMany({ data: wanted, skipDuplicates: true })
  const synthetic = await prisma.source.findMany({ where: { slug: { in: wanted.map((w) => w.slug) } }, select })
  const pool = [...examples, ...synthetic].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
  return { pool, created: count }
}

/** topic-001 … topic-500, created once. */
export async function tagPool(prisma: PrismaClient): Promise<{ ids: string[]; created: number }> {
  const wanted = Array.from({ length: SYNTHETIC_TAGS }, (_, i) => ({
    slug: `topic-${String(i + 1).padStart(3, '0')}`,
    name: `${capitalize(adjectives[i % adjectives.length] as string)} ${nouns[Math.floor(i / adjectives.length) % nouns.length]}`,
  }))
  const { count } = await prisma.tag.createMany({ data: wanted, skipDuplicates: true })
  const rows = await prisma.tag.findMany({
    where: { slug: { in: wanted.map((w) => w.slug) } },
    select: { id: true },
    orderBy: { slug: 'asc' },
  })
  return { ids: rows.map((r) => r.id), created: count }
}

/** The highest n of the synthetic-<n>-… slugs taken so far, old slugs included (0 when none). */
export async function lastNumber(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: bigint | null }[]>`
    SELECT max(substring(slug FROM '^synthetic-([0-9]{1,15})-')::bigint) AS n
    FROM (SELECT slug FROM articles UNION ALL SELECT slug FROM article_slugs) AS s
    WHERE slug LIKE 'synthetic-%'`
  return Number(row?.n ?? 0)
}
