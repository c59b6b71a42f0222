import Type, { type Static } from 'typebox'

/** The longest kill reason and notice (plain text). */
export const maxKillText = 2000

const text = (description: string) => Type.String({ minLength: 1, maxLength: maxKillText, pattern: '\\S', description })

export const KillSchema = Type.Object(
  {
    reason: text(
      'Why the article is withdrawn: internal, never public (the audit and the tombstone show it to content:write)',
    ),
    notice: text(
      'The public notice for partners who took the article: sent with article.killed and kept on its tombstone',
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        reason: 'Legal: the court order of 29 November covers the named witness.',
        notice: 'This article has been withdrawn for legal reasons. Please remove it from all platforms.',
      },
    ],
  },
)
export type Kill = Static<typeof KillSchema>
