// Request bodies for the write scenarios: what an editor or an ingest job sends — a ~3 KB
// Markdown body with a heading, a bold lead-in and a link, a summary, byline, source, wire credit
// and tags that already exist (so the database gains no sources or tags).
import { mulberry32, SYNTHETIC_WORDS } from '../src/seed/synthetic.js'

type Random = () => number

const pick = (random: Random, words: readonly string[]) => words[Math.floor(random() * words.length)] as string

function sentence(random: Random): string {
  const words = Array.from({ length: 10 + Math.floor(random() * 8) }, () => pick(random, SYNTHETIC_WORDS))
  const text = words.join(' ')
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`
}

function paragraph(random: Random): string {
  return Array.from({ length: 3 + Math.floor(random() * 3) }, () => sentence(random)).join(' ')
}

function markdownBody(random: Random, n: number): string {
  const blocks = [
    paragraph(random),
    `## ${sentence(random).slice(0, -1)}`,
    `**${pick(random, SYNTHETIC_WORDS)}:** ${paragraph(random)} Read [the report](https://example.com/reports/${n}).`,
  ]
  while (blocks.join('\n\n').length < 3000) blocks.push(paragraph(random))
  return blocks.join('\n\n')
}

export interface WriteRefs {
  source: string
  agency: string
  tags: string[]
}

/** Bodies are made once and rotated: varied text, without generating 3 KB inside the measured loop. */
export function makeWriteContent(refs: WriteRefs, variants = 16) {
  const random = mulberry32(7)
  const texts = Array.from({ length: variants }, (_, i) => ({
    summary: sentence(random),
    body: markdownBody(random, i),
  }))
  const text = (n: number) => texts[n % texts.length] as { summary: string; body: string }
  return {
    /** A new article; `unique` makes its headline (and so its slug) unlike any other. */
    create(unique: string, n: number): string {
      return JSON.stringify({
        headline: `Benchmark ${unique}: ${sentence(random).slice(0, 120)}`,
        ...text(n),
        dateline: 'YEREVAN, Monday',
        bylines: ['Anna Petrosyan'],
        language: 'en',
        source: refs.source,
        credits: [{ source: refs.agency, role: 'wire' }],
        tags: refs.tags,
      })
    },
    /** An editor's save: a new headline, summary and body. */
    update(n: number): string {
      return JSON.stringify({ headline: `Revised ${n}: ${sentence(random).slice(0, 120)}`, ...text(n + 1) })
    },
  }
}
