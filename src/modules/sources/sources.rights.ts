// A source's redistribution rule and credit line template: what an article crediting the source
// may do with its copy, and the line that credits it ("{source} reports", "© {year} {source}").

import { invalidRequest } from '../../errors.js'

export const redistributions = ['allowed', 'credit-required', 'forbidden'] as const
export type Redistribution = (typeof redistributions)[number]

/** The placeholders a template may use: the source's name, the article's first publication year. */
export const creditLinePlaceholders = ['source', 'year'] as const

/** What a credit-required source without a template of its own is credited as. */
export const defaultCreditLine = '{source}'

const placeholder = /\{([^{}]*)\}/g

/** 400 naming the field when the template uses a placeholder other than {source} and {year}. */
export function checkCreditLine(template: string | null | undefined, pointer = '/creditLine'): void {
  if (!template) return
  const unknown = [...template.matchAll(placeholder)]
    .map((m) => m[1] as string)
    .filter((name) => !(creditLinePlaceholders as readonly string[]).includes(name))
  if (unknown.length > 0) {
    throw invalidRequest([
      {
        in: 'body',
        pointer,
        message: `unknown placeholder ${[...new Set(unknown)].map((u) => `{${u}}`).join(', ')}: use {source} or {year}`,
      },
    ])
  }
}

/** The template with its placeholders filled in. */
export function renderCreditLine(template: string, values: { source: string; year: number }): string {
  return template.replace(placeholder, (whole, name: string) =>
    name === 'source' ? values.source : name === 'year' ? String(values.year) : whole,
  )
}
