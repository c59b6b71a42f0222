// Synthetic text from a random source: sentences, headlines, ~3 KB Markdown bodies with the plain
// text they render to, datelines, and the picks that shape the data set.

import {
  adjectives,
  hyWords,
  linkers,
  months,
  nouns,
  officials,
  places,
  ruWords,
  times,
  verbs,
  weekdays,
} from './synthetic.words.js'

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

export type Random = () => number

export function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** "a word" or "an word", by the first letter. */
function an(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`
}

export function int(random: Random, min: number, max: number): number {
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

export function sentence(random: Random, language: string): string {
  if (language === 'ru') return wordSentence(random, ruWords, 6, 14)
  if (language === 'hy') return wordSentence(random, hyWords, 5, 12)
  return englishSentence(random)
}

export function headline(random: Random, language: string): string {
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
export function body(random: Random, language: string, n: number): { markdown: string; text: string } {
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

export function dateline(random: Random, at: Date): string {
  const day = `${weekdays[at.getUTCDay()]}, ${months[at.getUTCMonth()]} ${at.getUTCDate()}`
  return random() < 0.5 ? `${pick(random, places).toUpperCase()}, ${day}` : day
}

export function slugWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .slice(0, 6)
    .join('-')
}

/** Skewed towards the start of the list: a few sources and tags carry most articles, as in real life. */
export function skewed<T>(random: Random, list: readonly T[]): T {
  const r = random()
  return list[Math.floor(r * r * list.length)] as T
}
