// Example content from a real page: the article, its publisher and wire credit, the
// "Top stories" box of teasers and an empty "Partner news" box, with the sections the page's
// content shows (world, the Middle East, Armenia and its region) and example staff credited on
// the teaser articles. Idempotent: records are matched by slug, path or key, existing ones are
// left as editors may have changed them.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PrismaClient } from '../db/database.js'
import { projectRoot } from '../db/paths.js'
import type { ArticleStatus, ContributorRole, SourceKind } from '../generated/prisma/enums.js'
import { renderBodyHtml, renderBodyText } from '../modules/articles/articles.body.js'
import { createCollectionsService } from '../modules/collections/collections.service.js'
import { nameKey } from '../modules/sources/sources.service.js'

interface SeedContent {
  sources: { slug: string; name: string; kind: SourceKind; homepageUrl: string | null; description: string | null }[]
  people: { slug: string; name: string; jobTitle: string | null; bio: string | null; affiliation: string | null }[]
  /** Parents before their children. */
  sections: { path: string; name: string; description: string | null }[]
  tags: { slug: string; name: string }[]
  articles: {
    slug: string
    headline: string
    summary: string | null
    body: string
    dateline: string | null
    bylines: string[]
    language: string
    status: ArticleStatus
    publishedAt: string | null
    source: string
    credits: { source: string; role: string }[]
    contributors: { person: string; role: ContributorRole }[]
    sections: { section: string; primary: boolean }[]
    tags: string[]
  }[]
  collections: {
    key: string
    title: string
    description: string | null
    maxItems: number
    teasers: { article?: string; url?: string; text: string; source?: string }[]
  }[]
}

export const seedFile = join(projectRoot, 'prisma', 'seed', 'content.json')

export async function loadSeedContent(): Promise<SeedContent> {
  return JSON.parse(await readFile(seedFile, 'utf8')) as SeedContent
}

export interface SeedResult {
  created: {
    sources: number
    people: number
    sections: number
    tags: number
    articles: number
    collections: number
    teasers: number
  }
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0]

/** The example people (matched by slug), by slug. */
async function seedPeople(
  tx: Tx,
  people: SeedContent['people'],
  sourceIds: Map<string, string>,
  created: SeedResult['created'],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  for (const { affiliation, bio, ...p } of people) {
    let row = await tx.person.findUnique({ where: { slug: p.slug }, select: { id: true } })
    if (!row) {
      const data = { ...p, bio, bioHtml: bio === null ? null : renderBodyHtml(bio), nameKey: nameKey(p.name) }
      const affiliationId = affiliation === null ? null : (sourceIds.get(affiliation) ?? null)
      row = await tx.person.create({ data: { ...data, affiliationId }, select: { id: true } })
      created.people++
    }
    ids.set(p.slug, row.id)
  }
  return ids
}

/** The example section tree (matched by path; parents come first), by path. */
async function seedSections(
  tx: Tx,
  sections: SeedContent['sections'],
  created: SeedResult['created'],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  for (const [position, s] of sections.entries()) {
    let row = await tx.section.findUnique({ where: { path: s.path }, select: { id: true } })
    if (!row) {
      const slugs = s.path.split('/')
      const parentId = slugs.length > 1 ? ids.get(slugs.slice(0, -1).join('/')) : undefined
      row = await tx.section.create({
        data: { ...s, slug: slugs.at(-1) as string, depth: slugs.length, position, parentId },
        select: { id: true },
      })
      created.sections++
    }
    ids.set(s.path, row.id)
  }
  return ids
}

/** The example tags (matched by slug), by slug. */
async function seedTags(tx: Tx, tags: SeedContent['tags'], created: SeedResult['created']) {
  const ids = new Map<string, string>()
  for (const t of tags) {
    let row = await tx.tag.findUnique({ where: { slug: t.slug }, select: { id: true } })
    if (!row) {
      row = await tx.tag.create({ data: t, select: { id: true } })
      created.tags++
    }
    ids.set(t.slug, row.id)
  }
  return ids
}

export async function seed(prisma: PrismaClient): Promise<SeedResult> {
  const content = await loadSeedContent()
  const created = { sources: 0, people: 0, sections: 0, tags: 0, articles: 0, collections: 0, teasers: 0 }
  const collections = createCollectionsService(prisma, { clock: () => new Date() })
  await prisma.$transaction(
    async (tx) => {
      const sourceIds = new Map<string, string>()
      for (const s of content.sources) {
        let row = await tx.source.findUnique({ where: { slug: s.slug }, select: { id: true } })
        if (!row) {
          row = await tx.source.create({ data: { ...s, nameKey: nameKey(s.name) }, select: { id: true } })
          created.sources++
        }
        sourceIds.set(s.slug, row.id)
      }
      const personIds = await seedPeople(tx, content.people, sourceIds, created)
      const sectionIds = await seedSections(tx, content.sections, created)
      const tagIds = await seedTags(tx, content.tags, created)
      const articleIds = new Map<string, string>()
      for (const a of content.articles) {
        const existing = await tx.article.findUnique({ where: { slug: a.slug }, select: { id: true } })
        if (existing) {
          articleIds.set(a.slug, existing.id)
          continue
        }
        created.articles++
        const row = await tx.article.create({
          select: { id: true },
          data: {
            slug: a.slug,
            headline: a.headline,
            summary: a.summary,
            body: a.body,
            bodyText: renderBodyText(a.body),
            bodyHtml: renderBodyHtml(a.body),
            dateline: a.dateline,
            bylines: a.bylines,
            bylinesDerived: a.contributors.length > 0, // the example bylines are the authors' names
            language: a.language,
            status: a.status,
            publishedAt: a.publishedAt ? new Date(a.publishedAt) : null,
            firstPublishedAt: a.publishedAt ? new Date(a.publishedAt) : null,
            source: { connect: { id: sourceIds.get(a.source) } },
            credits: {
              create: a.credits.map((c, position) => ({
                role: c.role,
                position,
                source: { connect: { id: sourceIds.get(c.source) } },
              })),
            },
            contributors: {
              create: a.contributors.map((c, position) => ({
                role: c.role,
                position,
                person: { connect: { id: personIds.get(c.person) } },
              })),
            },
            sections: {
              create: a.sections.map((s, position) => ({
                primary: s.primary,
                position,
                section: { connect: { id: sectionIds.get(s.section) } },
              })),
            },
            tags: { create: a.tags.map((slug) => ({ tag: { connect: { id: tagIds.get(slug) } } })) },
          },
        })
        articleIds.set(a.slug, row.id)
      }
      for (const c of content.collections) {
        const existing = await tx.collection.findUnique({ where: { key: c.key }, select: { id: true } })
        if (existing) continue
        created.collections++
        created.teasers += c.teasers.length
        const collection = await tx.collection.create({
          data: {
            key: c.key,
            title: c.title,
            description: c.description,
            maxItems: c.maxItems,
            teasers: {
              create: c.teasers.map((t, position) => ({
                text: t.text,
                url: t.url ?? null,
                position,
                article: t.article ? { connect: { id: articleIds.get(t.article) } } : undefined,
                source: t.source ? { connect: { id: sourceIds.get(t.source) } } : undefined,
              })),
            },
          },
        })
        // History starts with the seeded line-up.
        await collections.recordSeed(tx, collection.id)
      }
      // Prisma's default 5 s is too short for a busy machine: a seed cut off mid-way by it once left a
      // nested write running outside the rolled-back transaction (a foreign-key error, not a timeout).
    },
    { maxWait: 30_000, timeout: 120_000 },
  )
  return { created }
}
