// Synthetic articles built in batches and written with one multi-row INSERT per table: each
// article's row, its wire credits and its tags, all drawn from the random source in one fixed order
// (a seeded source gives the same data set every time), and its sections, which follow from its
// tags (no draw of their own: adding them changed nothing else of the data set).

import type { PrismaClient } from '../db/database.js'
import { uuidv7 } from '../lib/uuid.js'
import { renderBodyHtml } from '../modules/articles/articles.body.js'
import type { PoolSource } from './synthetic.pools.js'
import { body, dateline, headline, int, pick, type Random, sentence, skewed, slugWords } from './synthetic.text.js'
import { firstNames, lastNames, nouns } from './synthetic.words.js'

const DAY = 86_400_000
const HOUR = 3_600_000
const MINUTE = 60_000

type Status = 'published' | 'scheduled' | 'draft'
type ArticleRow = Batch['articles'][number]

/** What a batch draws from: the random source, the end of the two years, and the pools. */
export interface BatchContext {
  random: Random
  now: number
  publishers: PoolSource[]
  agencies: PoolSource[]
  tagIds: string[]
  /** The section each tag's articles are filed in (a topic belongs to a section). */
  tagSections: Map<string, string>
}

/** Publish, creation and update times: two years back for the published, a month ahead for the scheduled. */
function timesOf(random: Random, status: Status, now: number) {
  let publishedAt: number | null = null
  let createdAt: number
  let updatedAt: number
  if (status === 'published') {
    publishedAt = now - Math.floor(random() * 730 * DAY) - MINUTE
    createdAt = publishedAt - int(random, 10, 480) * MINUTE
    updatedAt = publishedAt
  } else if (status === 'scheduled') {
    publishedAt = now + HOUR + Math.floor(random() * 30 * DAY)
    createdAt = now - Math.floor(random() * 5 * DAY) - HOUR
    updatedAt = createdAt + Math.floor(random() * HOUR)
  } else {
    createdAt = now - Math.floor(random() * 730 * DAY) - MINUTE
    updatedAt = Math.min(now, createdAt + Math.floor(random() * 2 * DAY))
  }
  return { publishedAt, createdAt, updatedAt }
}

/** Article number n's row. */
function articleRow({ random, now, publishers }: BatchContext, n: number): ArticleRow {
  const roll = random()
  const status: Status = roll < 0.9 ? 'published' : roll < 0.95 ? 'draft' : 'scheduled'
  const langRoll = random()
  const language = langRoll < 0.8 ? 'en' : langRoll < 0.92 ? 'ru' : 'hy'
  const { publishedAt, createdAt, updatedAt } = timesOf(random, status, now)
  const title = headline(random, language)
  const { markdown, text } = body(random, language, n)
  const source = skewed(random, publishers)
  const slug = `synthetic-${n}-${slugWords(language === 'en' ? title : `${pick(random, nouns)} ${pick(random, nouns)}`)}`
  const bylines = Array.from(
    { length: Math.floor(random() * 3) },
    () => `${pick(random, firstNames)} ${pick(random, lastNames)}`,
  )
  const withImage = random() < 0.5
  return {
    id: uuidv7(createdAt),
    slug,
    headline: title,
    summary: sentence(random, language),
    body: markdown,
    body_text: text,
    body_html: renderBodyHtml(markdown),
    dateline: random() < 0.7 ? dateline(random, new Date(publishedAt ?? createdAt)) : null,
    bylines,
    language,
    status,
    published_at: publishedAt === null ? null : new Date(publishedAt).toISOString(),
    first_published_at: status === 'published' ? new Date(publishedAt as number).toISOString() : null,
    canonical_url: source.homepageUrl ? `${source.homepageUrl.replace(/\/$/, '')}/news/${slug}` : null,
    lead_image_url: withImage ? `https://images.example.com/synthetic/${n}.jpg` : null,
    lead_image_caption: withImage ? sentence(random, language) : null,
    lead_image_credit: withImage ? `Photo: ${bylines[0] ?? source.name}` : null,
    source_id: source.id,
    created_at: new Date(createdAt).toISOString(),
    updated_at: new Date(updatedAt).toISOString(),
  }
}

/**
 * An article's sections: its first tag's as the primary one, and its second tag's as well when it
 * has three tags or more and that section is another (nearly half the articles).
 */
function sectionsOf(tags: string[], tagSections: Map<string, string>): string[] {
  const sections = tags.map((t) => tagSections.get(t)).filter((s): s is string => s !== undefined)
  const [primary, second] = sections
  if (!primary) return []
  return tags.length >= 3 && second && second !== primary ? [primary, second] : [primary]
}

/** Articles number `from` to `from + count - 1`, with their credits, tags and sections. */
export function makeBatch(context: BatchContext, from: number, count: number): Batch {
  const { random, agencies, tagIds } = context
  const batch: Batch = { articles: [], credits: [], tags: [], sections: [] }
  for (let n = from; n < from + count; n++) {
    const article = articleRow(context, n)
    batch.articles.push(article)
    // Wire credits: none for most, one or two agencies for the rest.
    const creditRoll = random()
    const creditCount = Math.min(creditRoll < 0.55 ? 0 : creditRoll < 0.9 ? 1 : 2, agencies.length)
    const credited = new Set<string>()
    while (credited.size < creditCount) credited.add(skewed(random, agencies).id)
    let position = 0
    for (const sourceId of credited)
      batch.credits.push({ article_id: article.id, source_id: sourceId, position: position++ })
    const tagCount = int(random, 1, 4)
    const tagged = new Set<string>()
    while (tagged.size < tagCount) tagged.add(skewed(random, tagIds))
    for (const tagId of tagged) batch.tags.push({ article_id: article.id, tag_id: tagId })
    sectionsOf([...tagged], context.tagSections).forEach((sectionId, i) => {
      batch.sections.push({ article_id: article.id, section_id: sectionId, is_primary: i === 0, position: i })
    })
  }
  return batch
}

/** A batch's rows, named as the tables' columns. */
export interface Batch {
  articles: {
    id: string
    slug: string
    headline: string
    summary: string
    body: string
    body_text: string
    body_html: string
    dateline: string | null
    bylines: string[]
    language: string
    status: Status
    published_at: string | null
    first_published_at: string | null
    canonical_url: string | null
    lead_image_url: string | null
    lead_image_caption: string | null
    lead_image_credit: string | null
    source_id: string
    created_at: string
    updated_at: string
  }[]
  credits: { article_id: string; source_id: string; position: number }[]
  tags: { article_id: string; tag_id: string }[]
  sections: { article_id: string; section_id: string; is_primary: boolean; position: number }[]
}

// Each table's rows go in as one JSON parameter expanded by json_to_recordset: a multi-row insert
// with one parameter whatever the batch size (a VALUES list would need 19 per article), which
// costs the client little more than a JSON.stringify.
export async function insertBatch(prisma: PrismaClient, batch: Batch): Promise<[number, number, number, number]> {
  const [articles, credits, tags, sections] = await prisma.$transaction(
    [
      prisma.$executeRaw`
      INSERT INTO articles (id, slug, headline, summary, body, body_text, body_html, dateline, bylines, language, status,
        published_at, first_published_at, canonical_url, lead_image_url, lead_image_caption, lead_image_credit,
        source_id, version, created_at, updated_at)
      SELECT id, slug, headline, summary, body, body_text, body_html, dateline, bylines, language, status,
        published_at, first_published_at, canonical_url, lead_image_url, lead_image_caption, lead_image_credit,
        source_id, 1, created_at, updated_at
      FROM json_to_recordset(${JSON.stringify(batch.articles)}::json) AS x(id uuid, slug text, headline text,
        summary text, body text, body_text text, body_html text, dateline text, bylines text[], language text, status article_status,
        published_at timestamptz, first_published_at timestamptz, canonical_url text, lead_image_url text,
        lead_image_caption text, lead_image_credit text, source_id uuid, created_at timestamptz, updated_at timestamptz)`,
      prisma.$executeRaw`
      INSERT INTO article_credits (article_id, source_id, role, position)
      SELECT article_id, source_id, 'wire', position
      FROM json_to_recordset(${JSON.stringify(batch.credits)}::json) AS x(article_id uuid, source_id uuid, position int)`,
      prisma.$executeRaw`
      INSERT INTO article_tags (article_id, tag_id)
      SELECT article_id, tag_id FROM json_to_recordset(${JSON.stringify(batch.tags)}::json) AS x(article_id uuid, tag_id uuid)`,
      prisma.$executeRaw`
      INSERT INTO article_sections (article_id, section_id, is_primary, position)
      SELECT article_id, section_id, is_primary, position FROM json_to_recordset(${JSON.stringify(batch.sections)}::json)
        AS x(article_id uuid, section_id uuid, is_primary boolean, position int)`,
      // Scheduled articles go live later: the change feed writes their events then.
      prisma.$executeRaw`
      INSERT INTO scheduled_changes (resource_type, resource_id, due_at)
      SELECT 'article', id, published_at FROM json_to_recordset(${JSON.stringify(batch.articles)}::json)
        AS x(id uuid, status text, published_at timestamptz)
      WHERE status = 'scheduled' AND published_at IS NOT NULL`,
    ],
    // A batch takes about a second; far more on a busy or small server, which must not abort the run.
    { maxWait: 60_000, timeout: 600_000 },
  )
  return [articles, credits, tags, sections]
}
