// knip preprocessor (knip.jsonc): drops the findings listed in preprocessorOptions.known, one
// symbol at a time. knip's own ignore options work per file or per issue type, which would also
// hide new dead code beside a known item. A listed item that knip no longer reports fails the run,
// so the list only shrinks.
import type { Preprocessor } from 'knip'

interface Known {
  type: string
  file: string
  symbol: string
}

const dropKnown: Preprocessor = (data) => {
  const known = (JSON.parse(data.preprocessorOptions || '{}') as { known?: Known[] }).known ?? []
  const issues = data.issues as Record<string, Record<string, Record<string, unknown>>>
  const counters = data.counters as Record<string, number>
  const stale: string[] = []
  for (const { type, file, symbol } of known) {
    const inFile = issues[type]?.[file]
    if (!inFile?.[symbol]) {
      stale.push(`${type} ${file} ${symbol}`)
      continue
    }
    delete inFile[symbol]
    if (Object.keys(inFile).length === 0) delete issues[type]?.[file]
    counters[type] = (counters[type] ?? 1) - 1
  }
  if (stale.length) {
    throw new Error(`knip.jsonc lists findings knip no longer reports; remove them:\n  ${stale.join('\n  ')}`)
  }
  return data
}

export default dropKnown
