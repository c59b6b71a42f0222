// Synthetic articles for load and search testing (npm run db:seed -- --articles N): realistic
// sizes and spreads — 50 sources, 500 tags, 27 sections, three languages, two years of publish
// times, ~3 KB Markdown bodies — written with bulk inserts: one multi-row INSERT per table and batch of 1000,
// a few batches at a time on a server. The database's own work dominates (the search-vector
// trigger parses each ~3 KB body twice): about 1.1 ms of server CPU per article, plus ~1 ms in
// this process (half of it rendering the stored HTML body), so 100,000 take two to three minutes
// on two cores.
//
// The content is a function of the random source and `now` (pass mulberry32(seed) for a
// repeatable data set); ids are uuidv7 at the record's creation time, made in this process so the
// credits and tags of a batch are inserted right after its articles. Runs add up: each one numbers
// its slugs (synthetic-<n>-…) after the highest number already taken.
//
// synthetic.words.ts holds the word lists, synthetic.text.ts the text made of them,
// synthetic.pools.ts the sources and tags, synthetic.sections.ts the section tree,
// synthetic.batch.ts the articles and their inserts.

import type { PrismaClient } from '../db/database.js'
import { insertBatch, makeBatch } from './synthetic.batch.js'
import { lastNumber, sourcePool, tagPool } from './synthetic.pools.js'
import { sectionPool } from './synthetic.sections.js'

export { mulberry32 } from './synthetic.text.js'
export { SYNTHETIC_WORDS } from './synthetic.words.js'

export interface SyntheticOptions {
  /** How many articles to add. */
  articles: number
  /** The instant the two years of publish times end at (default: the current time). */
  now?: Date
  /** Uniform numbers in [0, 1) (default Math.random); mulberry32(seed) gives a repeatable data set. */
  random?: () => number
  /** Articles per bulk insert (default 1000). */
  batchSize?: number
  /** Batches written at the same time, each on its own connection (default 1; 2–3 suit a server). */
  concurrency?: number
  /** Called after each batch is committed with the number of articles written so far. */
  onProgress?: (written: number) => void
}

export interface SyntheticResult {
  /** Records this run created: sources, tags and sections only the first time. */
  created: {
    sources: number
    tags: number
    articles: number
    credits: number
    articleTags: number
    sections: number
    articleSections: number
  }
  /** The new articles by status and by language. */
  statuses: Record<'published' | 'scheduled' | 'draft', number>
  languages: Record<string, number>
  /** The slug numbers of this run: synthetic-<first>-… to synthetic-<last>-…. */
  first: number
  last: number
}

/** Adds `articles` synthetic articles (and, the first time, their sources, tags and sections). */
export async function seedSyntheticArticles(prisma: PrismaClient, options: SyntheticOptions): Promise<SyntheticResult> {
  if (!Number.isSafeInteger(options.articles) || options.articles < 1) {
    throw new RangeError(`articles must be a positive integer, not ${options.articles}`)
  }
  const batchSize = options.batchSize ?? 1000
  const sources = await sourcePool(prisma)
  const tags = await tagPool(prisma)
  const sections = await sectionPool(prisma)
  const context = {
    random: options.random ?? Math.random,
    now: (options.now ?? new Date()).getTime(),
    publishers: sources.pool.filter((s) => s.kind !== 'agency'),
    agencies: sources.pool.filter((s) => s.kind === 'agency'),
    tagIds: tags.ids,
    // Tags in turn over the sections: the most used tags file their articles in different sections.
    tagSections: new Map(tags.ids.map((id, i) => [id, sections.ids[i % sections.ids.length] as string])),
  }
  const start = (await lastNumber(prisma)) + 1

  const result: SyntheticResult = {
    created: {
      sources: sources.created,
      tags: tags.created,
      articles: 0,
      credits: 0,
      articleTags: 0,
      sections: sections.created,
      articleSections: 0,
    },
    statuses: { published: 0, scheduled: 0, draft: 0 },
    languages: {},
    first: start,
    last: start + options.articles - 1,
  }

  // One transaction per batch (an article never lands without its tags), `concurrency` of them at
  // a time; the next batch is built while the database writes the current ones.
  const concurrency = Math.max(1, options.concurrency ?? 1)
  const inflight: Promise<void>[] = []
  try {
    for (let from = start; from <= result.last; from += batchSize) {
      const batch = makeBatch(context, from, Math.min(batchSize, result.last - from + 1))
      for (const { status, language } of batch.articles) {
        result.statuses[status]++
        result.languages[language] = (result.languages[language] ?? 0) + 1
      }
      if (inflight.length >= concurrency) await inflight.shift()
      const write = insertBatch(prisma, batch).then(([articles, credits, articleTags, articleSections]) => {
        result.created.articles += articles
        result.created.credits += credits
        result.created.articleTags += articleTags
        result.created.articleSections += articleSections
        options.onProgress?.(result.created.articles)
      })
      write.catch(() => {}) // awaited below; this only keeps a failure from being reported twice
      inflight.push(write)
    }
    for (const write of inflight) await write
  } catch (err) {
    await Promise.allSettled(inflight)
    throw err
  }
  return result
}
