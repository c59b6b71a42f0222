// Synthetic articles for load and search testing (npm run db:seed -- --articles N): realistic
// sizes and spreads — 50 sources, 500 tags, three languages, two years of publish times, ~3 KB
// Markdown bodies — written with bulk inserts: one multi-row INSERT per table and batch of 1000,
// a few batches at a time on a server. The database's own work dominates (the search-vector
// trigger parses each ~3 KB body twice): about 1.1 ms of server CPU per article, plus ~1 ms in
// this process (half of it rendering the stored HTML body), so 100,000 take two to three minutes
// on two cores.
//
// The content is a function of the random source and `now` (pass mulberry32(seed) for a
// repeatable data set); ids are uuidv7 at the record's creation time, generated here so that the
// credits and tags of a batch are inserted right after its articles. Runs add up: each one numbers
// its slugs (synthetic-<n>-…) after the highest number already taken.

import type { PrismaClient } from '../db/database.js'
import type { ArticleStatus, SourceKind } from '../generated/prisma/enums.js'
import { uuidv7 } from '../lib/uuid.js'
import { renderBodyHtml } from '../modules/articles/articles.body.js'
import { nameKey } from '../modules/sources/sources.service.js'
import { loadSeedContent } from './seed.js'

/** A small, fast, seedable PRNG (Mulberry32): uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

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
  /** Records this run created: sources and tags only the first time. */
  created: { sources: number; tags: number; articles: number; credits: number; articleTags: number }
  /** The new articles by status and by language. */
  statuses: Record<'published' | 'scheduled' | 'draft', number>
  languages: Record<string, number>
  /** The slug numbers of this run: synthetic-<first>-… to synthetic-<last>-…. */
  first: number
  last: number
}

export const SYNTHETIC_SOURCES = 50
export const SYNTHETIC_TAGS = 500
const DAY = 86_400_000
const HOUR = 3_600_000
const MINUTE = 60_000

// English sentences are assembled from these lists; the body's words all come from them, so any of
// them (SYNTHETIC_WORDS) finds articles in a full-text search.
const nouns = [
  'government',
  'ministry',
  'parliament',
  'council',
  'committee',
  'agency',
  'court',
  'economy',
  'budget',
  'market',
  'bank',
  'company',
  'industry',
  'investment',
  'trade',
  'border',
  'region',
  'city',
  'village',
  'province',
  'election',
  'campaign',
  'reform',
  'policy',
  'law',
  'bill',
  'treaty',
  'agreement',
  'summit',
  'delegation',
  'report',
  'survey',
  'study',
  'project',
  'program',
  'strategy',
  'railway',
  'airport',
  'pipeline',
  'energy',
  'harvest',
  'school',
  'university',
  'hospital',
  'vaccine',
  'climate',
  'flood',
  'drought',
  'wildfire',
  'earthquake',
  'festival',
  'museum',
  'exhibition',
  'tournament',
  'league',
  'investigation',
  'ceasefire',
  'protest',
  'strike',
  'pension',
  'tax',
  'inflation',
  'currency',
  'tourism',
  'startup',
  'network',
  'satellite',
  'research',
]
const officials = [
  'minister',
  'spokesperson',
  'mayor',
  'governor',
  'analyst',
  'economist',
  'lawmaker',
  'ambassador',
  'prosecutor',
  'director',
  'chairman',
  'researcher',
]
const verbs: [past: string, base: string][] = [
  ['announced', 'announce'],
  ['approved', 'approve'],
  ['rejected', 'reject'],
  ['discussed', 'discuss'],
  ['signed', 'sign'],
  ['launched', 'launch'],
  ['postponed', 'postpone'],
  ['criticized', 'criticize'],
  ['welcomed', 'welcome'],
  ['reviewed', 'review'],
  ['proposed', 'propose'],
  ['confirmed', 'confirm'],
  ['expanded', 'expand'],
  ['reduced', 'reduce'],
  ['completed', 'complete'],
  ['opened', 'open'],
  ['defended', 'defend'],
  ['unveiled', 'unveil'],
  ['extended', 'extend'],
  ['suspended', 'suspend'],
  ['supported', 'support'],
  ['examined', 'examine'],
  ['published', 'publish'],
  ['funded', 'fund'],
]
const adjectives = [
  'new',
  'national',
  'regional',
  'local',
  'international',
  'annual',
  'public',
  'private',
  'major',
  'key',
  'economic',
  'political',
  'joint',
  'fresh',
  'final',
  'controversial',
  'ambitious',
  'modest',
  'urgent',
  'revised',
  'independent',
  'cautious',
  'historic',
  'temporary',
]
const places = [
  'Yerevan',
  'Gyumri',
  'Vanadzor',
  'Dilijan',
  'Tbilisi',
  'Moscow',
  'Brussels',
  'Geneva',
  'Vienna',
  'Paris',
  'Berlin',
  'Tehran',
  'Beirut',
  'Athens',
  'Istanbul',
  'Washington',
  'London',
  'Rome',
  'Prague',
  'Warsaw',
]
const times = [
  'on Monday',
  'on Tuesday',
  'on Wednesday',
  'on Thursday',
  'on Friday',
  'over the weekend',
  'last week',
  'this month',
  'earlier this year',
  'late on Friday',
  'after months of talks',
  'for the first time',
]
const linkers = ['after', 'amid', 'over', 'despite', 'ahead of', 'following']

const ruWords = (
  'правительство министерство парламент совет комитет экономика бюджет рынок банк компания промышленность ' +
  'инвестиции торговля экспорт граница регион город выборы реформа закон договор соглашение переговоры саммит ' +
  'делегация министр президент мэр доклад исследование проект программа энергетика газ нефть вода урожай школа ' +
  'университет больница здоровье климат погода наводнение фестиваль музей выставка команда матч полиция ' +
  'безопасность налог инфляция валюта цены туризм технологии заявил сообщил обсудили подписали одобрил объявил ' +
  'представил новый национальный региональный местный международный ежегодный важный экономический политический ' +
  'совместный Ереван Москва Тбилиси Гюмри в на по для после также'
).split(' ')
const hyWords = (
  'կառավարություն նախարարություն խորհրդարան խորհուրդ հանձնաժողով տնտեսություն բյուջե շուկա բանկ ընկերություն ' +
  'արդյունաբերություն ներդրում առևտուր արտահանում սահման մարզ քաղաք գյուղ ընտրություններ բարեփոխում օրենք ' +
  'պայմանագիր համաձայնագիր բանակցություններ հանդիպում պատվիրակություն նախարար նախագահ քաղաքապետ զեկույց ' +
  'հետազոտություն նախագիծ ծրագիր էներգետիկա գազ ջուր բերք դպրոց համալսարան հիվանդանոց առողջապահություն կլիմա ' +
  'եղանակ փառատոն թանգարան ցուցահանդես թիմ ոստիկանություն անվտանգություն հարկ գնաճ արժույթ գներ զբոսաշրջություն ' +
  'տեխնոլոգիա համագործակցություն հայտարարեց քննարկեցին ստորագրեցին հաստատեց ներկայացրեց նոր ազգային ' +
  'տարածաշրջանային տեղական միջազգային ամենամյա կարևոր տնտեսական քաղաքական համատեղ Երևան Գյումրի Վանաձոր Դիլիջան'
).split(' ')

/** English words that every English synthetic body is made of: any of them finds articles in a search. */
export const SYNTHETIC_WORDS: readonly string[] = [...nouns, ...officials, ...adjectives]

const firstNames = ['Anna', 'David', 'Mariam', 'Armen', 'Elena', 'Sergei', 'Laura', 'James', 'Nina', 'Tigran']
const lastNames = ['Petrosyan', 'Hakobyan', 'Grigoryan', 'Ivanova', 'Smirnov', 'Miller', 'Carter', 'Bennett']
const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const outlets = ['Herald', 'Gazette', 'Times', 'Courier', 'Post', 'Tribune', 'Chronicle', 'Observer']
const wires = ['Press Agency', 'News Service', 'Wire', 'Newswire']

interface PoolSource {
  id: string
  name: string
  kind: SourceKind
  homepageUrl: string | null
}

type Random = () => number

function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** "a word" or "an word", by the first letter. */
function an(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`
}

function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

/** A paragraph's sentences, one language. */
function englishSentence(random: Random): string {
  const [past, base] = pick(random, verbs)
  switch (Math.floor(random() * 7)) {
    case 0:
      return `The ${pick(random, adjectives)} ${pick(random, nouns)} ${past} ${an(pick(random, adjectives))} ${pick(random, nouns)} ${pick(random, times)}, the ${pick(random, officials)} said.`
    case 1:
      return `Officials in ${pick(random, places)} ${past} the ${pick(random, nouns)} ${pick(random, times)}.`
    case 2:
      return `According to the ${pick(random, nouns)} ${pick(random, nouns)}, the ${pick(random, nouns)} will ${base} the ${pick(random, adjectives)} ${pick(random, nouns)} by ${2026 + int(random, 0, 4)}.`
    case 3:
      return `"We will ${base} the ${pick(random, nouns)} and keep the ${pick(random, nouns)} ${pick(random, adjectives)}," the ${pick(random, officials)} told reporters.`
    case 4:
      return `Nearly ${int(random, 3, 97)} percent of the ${pick(random, nouns)} budget goes to the ${pick(random, adjectives)} ${pick(random, nouns)}, ${an(pick(random, nouns))} survey found.`
    case 5:
      return `Critics said the ${pick(random, nouns)} had ${past} the ${pick(random, nouns)} ${pick(random, linkers)} the ${pick(random, adjectives)} ${pick(random, nouns)}.`
    default:
      return `The ${pick(random, officials)} from ${pick(random, places)} ${past} the plan ${pick(random, linkers)} ${an(pick(random, adjectives))} ${pick(random, nouns)}.`
  }
}

function wordSentence(random: Random, words: readonly string[], min: number, max: number): string {
  const n = int(random, min, max)
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(pick(random, words))
  return `${capitalize(out.join(' '))}.`
}

function sentence(random: Random, language: string): string {
  if (language === 'ru') return wordSentence(random, ruWords, 6, 14)
  if (language === 'hy') return wordSentence(random, hyWords, 5, 12)
  return englishSentence(random)
}

function headline(random: Random, language: string): string {
  const count = int(random, 8, 12)
  if (language !== 'en') return wordSentence(random, language === 'ru' ? ruWords : hyWords, count, count).slice(0, -1)
  const [past] = pick(random, verbs)
  const words = [pick(random, places), pick(random, nouns), past, pick(random, adjectives), pick(random, nouns)]
  words.push(...pick(random, linkers).split(' '), pick(random, adjectives), pick(random, nouns))
  const extras = [['in', pick(random, places)], ['this', 'week'], ['for', 'now'], [pick(random, adjectives)]]
  while (words.length < count) {
    const extra = pick(random, extras)
    if (words.length + extra.length > 12) continue
    words.push(...extra)
  }
  return capitalize(words.join(' '))
}

/** The Markdown body and the plain text renderBodyText gives for it, built side by side. */
function body(random: Random, language: string, n: number): { markdown: string; text: string } {
  const md: string[] = []
  const text: string[] = []
  const target = int(random, 2600, 3500)
  const bytesPerChar = language === 'en' ? 1 : 1.9
  let size = 0
  const add = (m: string, t: string) => {
    md.push(m)
    text.push(t)
    size += (m.length + 2) * bytesPerChar
  }
  const paragraph = (min: number, max: number) => {
    const sentences: string[] = []
    for (let i = int(random, min, max); i > 0; i--) sentences.push(sentence(random, language))
    return sentences.join(' ')
  }
  let blocks = 0
  // Quotes and lists only follow a plain paragraph: two lists in a row would be one list in Markdown.
  let afterParagraph = false
  while (size < target) {
    blocks++
    const roll = random()
    const special = blocks > 2 && afterParagraph
    afterParagraph = false
    if (blocks === 3 && roll < 0.5) {
      const heading = capitalize(`${pick(random, adjectives)} ${pick(random, nouns)} ${pick(random, nouns)}`)
      add(`## ${heading}`, heading)
    } else if (special && roll < 0.12) {
      const quote = sentence(random, language)
      add(`> ${quote}`, quote)
    } else if (special && roll < 0.2) {
      const items = [1, 2, 3].map(() => sentence(random, language))
      add(items.map((i) => `- ${i}`).join('\n'), items.join('\n'))
    } else if (blocks > 1 && roll < 0.3) {
      // Inline markup: a bold lead-in and a link to the (fictional) report.
      const lead = capitalize(`${pick(random, adjectives)} ${pick(random, nouns)}:`)
      const link = `the ${pick(random, nouns)} report`
      const rest = paragraph(2, 4)
      add(
        `**${lead}** ${rest} Read [${link}](https://example.com/reports/${n}-${blocks}).`,
        `${lead} ${rest} Read ${link}.`,
      )
    } else {
      const p = paragraph(3, 5)
      add(p, p)
      afterParagraph = true
    }
  }
  return { markdown: md.join('\n\n'), text: text.join('\n\n') }
}

function dateline(random: Random, at: Date): string {
  const day = `${weekdays[at.getUTCDay()]}, ${months[at.getUTCMonth()]} ${at.getUTCDate()}`
  return random() < 0.5 ? `${pick(random, places).toUpperCase()}, ${day}` : day
}

function slugWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .slice(0, 6)
    .join('-')
}

/** Skewed towards the start of the list: a few sources and tags carry most articles, as in real life. */
function skewed<T>(random: Random, list: readonly T[]): T {
  const r = random()
  return list[Math.floor(r * r * list.length)] as T
}

/** The 50 sources: the example seed's ones plus synthetic-source-NN, created once. */
async function sourcePool(prisma: PrismaClient): Promise<{ pool: PoolSource[]; created: number }> {
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
async function tagPool(prisma: PrismaClient): Promise<{ ids: string[]; created: number }> {
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
async function lastNumber(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: bigint | null }[]>`
    SELECT max(substring(slug FROM '^synthetic-([0-9]{1,15})-')::bigint) AS n
    FROM (SELECT slug FROM articles UNION ALL SELECT slug FROM article_slugs) AS s
    WHERE slug LIKE 'synthetic-%'`
  return Number(row?.n ?? 0)
}

/** Adds `articles` synthetic articles (and, the first time, their sources and tags). */
export async function seedSyntheticArticles(prisma: PrismaClient, options: SyntheticOptions): Promise<SyntheticResult> {
  if (!Number.isSafeInteger(options.articles) || options.articles < 1) {
    throw new RangeError(`articles must be a positive integer, not ${options.articles}`)
  }
  const random = options.random ?? Math.random
  const now = (options.now ?? new Date()).getTime()
  const batchSize = options.batchSize ?? 1000
  const sources = await sourcePool(prisma)
  const tags = await tagPool(prisma)
  const publishers = sources.pool.filter((s) => s.kind !== 'agency')
  const agencies = sources.pool.filter((s) => s.kind === 'agency')
  const start = (await lastNumber(prisma)) + 1

  const result: SyntheticResult = {
    created: { sources: sources.created, tags: tags.created, articles: 0, credits: 0, articleTags: 0 },
    statuses: { published: 0, scheduled: 0, draft: 0 },
    languages: {},
    first: start,
    last: start + options.articles - 1,
  }

  const makeBatch = (from: number, count: number): Batch => {
    const batch: Batch = { articles: [], credits: [], tags: [] }
    for (let n = from; n < from + count; n++) {
      const roll = random()
      const status: ArticleStatus = roll < 0.9 ? 'published' : roll < 0.95 ? 'draft' : 'scheduled'
      const langRoll = random()
      const language = langRoll < 0.8 ? 'en' : langRoll < 0.92 ? 'ru' : 'hy'
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
      const title = headline(random, language)
      const { markdown, text } = body(random, language, n)
      const source = skewed(random, publishers)
      const slug = `synthetic-${n}-${slugWords(language === 'en' ? title : `${pick(random, nouns)} ${pick(random, nouns)}`)}`
      const id = uuidv7(createdAt)
      const bylines = Array.from(
        { length: Math.floor(random() * 3) },
        () => `${pick(random, firstNames)} ${pick(random, lastNames)}`,
      )
      const withImage = random() < 0.5
      batch.articles.push({
        id,
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
      })
      // Wire credits: none for most, one or two agencies for the rest.
      const creditRoll = random()
      const creditCount = Math.min(creditRoll < 0.55 ? 0 : creditRoll < 0.9 ? 1 : 2, agencies.length)
      const credited = new Set<string>()
      while (credited.size < creditCount) credited.add(skewed(random, agencies).id)
      let position = 0
      for (const sourceId of credited) batch.credits.push({ article_id: id, source_id: sourceId, position: position++ })
      const tagCount = int(random, 1, 4)
      const tagged = new Set<string>()
      while (tagged.size < tagCount) tagged.add(skewed(random, tags.ids))
      for (const tagId of tagged) batch.tags.push({ article_id: id, tag_id: tagId })
      result.statuses[status]++
      result.languages[language] = (result.languages[language] ?? 0) + 1
    }
    return batch
  }

  // One transaction per batch (an article never lands without its tags), `concurrency` of them at
  // a time; the next batch is built while the database writes the current ones.
  const concurrency = Math.max(1, options.concurrency ?? 1)
  const inflight: Promise<void>[] = []
  try {
    for (let from = start; from <= result.last; from += batchSize) {
      const batch = makeBatch(from, Math.min(batchSize, result.last - from + 1))
      if (inflight.length >= concurrency) await inflight.shift()
      const write = insertBatch(prisma, batch).then(([articles, credits, articleTags]) => {
        result.created.articles += articles
        result.created.credits += credits
        result.created.articleTags += articleTags
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

/** A batch's rows, named as the tables' columns. */
interface Batch {
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
    status: ArticleStatus
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
}

// Each table's rows go in as one JSON parameter expanded by json_to_recordset: a multi-row insert
// with one parameter whatever the batch size (a VALUES list would need 19 per article), which
// costs the client little more than a JSON.stringify.
async function insertBatch(prisma: PrismaClient, batch: Batch): Promise<[number, number, number]> {
  return prisma.$transaction(
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
    ],
    // A batch takes about a second; far more on a busy or small server, which must not abort the run.
    { maxWait: 60_000, timeout: 600_000 },
  )
}
