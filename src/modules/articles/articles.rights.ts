// An article's rights as reads show them and writes set them: the credit line rendered from the
// credited sources' templates, the syndication decision and the rule behind it, the columns an
// input sets, and what a partner key (content:syndicate) may not read of an article that is not
// syndicatable. The stored flag itself is computed in SQL (articles.rights-repository.ts) by the
// same rules as decisionOf.

import { defaultCreditLine, renderCreditLine } from '../sources/sources.rights.js'
import type { ArticleRecord, Credit } from './articles.record.js'
import type { Rights, RightsExplanation, RightsInput } from './articles.rights.schemas.js'
import type { ArticleChanges } from './articles.write-repository.js'

type RightsRecord = Pick<
  ArticleRecord,
  | 'credits'
  | 'firstPublishedAt'
  | 'publishedAt'
  | 'usageTerms'
  | 'copyrightHolder'
  | 'copyrightNotice'
  | 'allowSyndication'
  | 'syndicationOverride'
  | 'syndicatable'
>

/** {year}: the year the article was first published; before it is, the current year. */
function yearOf(record: RightsRecord, now: Date): number {
  const published = record.publishedAt && record.publishedAt <= now ? record.publishedAt : null
  return (record.firstPublishedAt ?? published ?? now).getUTCFullYear()
}

/** One credit's line: its source's template, the name of a credit-required source without one, or none. */
function lineOf(credit: Credit, year: number): string | null {
  const { rights } = credit
  const template = rights.creditLine ?? (rights.redistribution === 'credit-required' ? defaultCreditLine : null)
  return template === null ? null : renderCreditLine(template, { source: rights.name, year })
}

/** The credit line: each credit's line in credit order, the same line once, joined with "; ". */
export function creditLineOf(record: RightsRecord, now: Date): string | null {
  const year = yearOf(record, now)
  const lines = [...new Set(record.credits.flatMap((c) => lineOf(c, year) ?? []))]
  return lines.length > 0 ? lines.join('; ') : null
}

const summary = (credit: Credit) => ({ id: credit.sourceId, slug: credit.rights.slug, name: credit.rights.name })

/** The rule that decides whether the article is syndicatable (the stored flag follows the same rules). */
export function decisionOf(record: RightsRecord): RightsExplanation['decision'] {
  if (!record.allowSyndication) {
    return { rule: 'own-setting-forbids', reason: "The article's own setting (allowSyndication) forbids syndication" }
  }
  const forbidding = record.credits.find((c) => c.rights.redistribution === 'forbidden')
  if (!forbidding) return { rule: 'allowed', reason: 'No credited source forbids redistribution' }
  const credit = summary(forbidding)
  if (record.syndicationOverride !== null) {
    return {
      rule: 'override',
      reason: `Credits ${credit.name}, whose redistribution is forbidden, but an editor overrode it`,
      credit,
      override: { reason: record.syndicationOverride },
    }
  }
  return {
    rule: 'credit-forbids',
    reason: `Credits ${credit.name}, whose redistribution is forbidden, and no editor overrode it`,
    credit,
  }
}

export function rightsOf(record: RightsRecord, now: Date): Rights {
  return {
    ...rightsSnapshot(record),
    syndicatable: record.syndicatable,
    creditLine: creditLineOf(record, now),
  }
}

/** GET /articles/{idOrSlug}/rights: the decision, and each credit's rule and line. */
export function explainRights(record: RightsRecord, now: Date): RightsExplanation {
  const year = yearOf(record, now)
  return {
    syndicatable: record.syndicatable,
    creditLine: creditLineOf(record, now),
    decision: decisionOf(record),
    credits: record.credits.map((c) => ({
      source: summary(c),
      redistribution: c.rights.redistribution,
      creditLine: lineOf(c, year),
    })),
  }
}

/** The columns the rights of an input set (the fields it gives; the computed ones are ignored). */
export function rightsColumns(input: RightsInput | undefined): ArticleChanges {
  if (!input) return {}
  const data: ArticleChanges = {}
  if (input.usageTerms !== undefined) data.usageTerms = input.usageTerms
  if (input.copyrightHolder !== undefined) data.copyrightHolder = input.copyrightHolder
  if (input.copyrightNotice !== undefined) data.copyrightNotice = input.copyrightNotice
  if (input.allowSyndication !== undefined) data.allowSyndication = input.allowSyndication
  if (input.override !== undefined) data.syndicationOverride = input.override?.reason.trim() ?? null
  return data
}

/** The rights a revision records: what writes set (the computed fields follow from them and the credits). */
export type RightsSnapshot = Omit<Rights, 'syndicatable' | 'creditLine'>

export function rightsSnapshot(record: RightsRecord): RightsSnapshot {
  return {
    usageTerms: record.usageTerms,
    copyrightHolder: record.copyrightHolder,
    copyrightNotice: record.copyrightNotice,
    allowSyndication: record.allowSyndication,
    override: record.syndicationOverride === null ? null : { reason: record.syndicationOverride },
  }
}

/** The body fields a partner key does not read of an article that is not syndicatable. */
const bodyFields = ['body', 'bodyHtml', 'bodyText'] as const

/**
 * The syndication view (content:syndicate alone): an article that is not syndicatable keeps its
 * summary and every other field, its body fields are null, and `bodyWithheld` says why.
 */
export function withholdBody(out: Record<string, unknown>, record: Pick<ArticleRecord, 'syndicatable'>): void {
  if (record.syndicatable) return
  for (const field of bodyFields) if (field in out) out[field] = null
  out.bodyWithheld = true
}
