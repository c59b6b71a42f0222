// The page the product started from, kept in the repository beside the seed data derived from it:
// the article, then a " Top stories" box (the line starts with a no-break space) of one-sentence
// teasers, then "Partner news".
import { readFile } from 'node:fs/promises'

export const seedPagePath = new URL('../prisma/seed/source-page.txt', import.meta.url)

/** The teaser lines under "Top stories" on the seed page, up to where "Partner news" begins. */
export async function topStoriesOnThePage(): Promise<string[]> {
  const lines = (await readFile(seedPagePath, 'utf8')).split('\n')
  const start = lines.findIndex((line) => line.trim() === 'Top stories')
  if (start < 0) throw new Error('no "Top stories" line on the seed page')
  const end = lines.findIndex((line, i) => i > start && line.trim() === 'Partner news')
  return lines.slice(start + 1, end < 0 ? undefined : end)
}
