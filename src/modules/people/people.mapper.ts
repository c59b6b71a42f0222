// A person's row to its representation: the one place that decides who sees the email address.
import type { Prisma } from '../../generated/prisma/client.js'
import type { Person } from './people.schemas.js'

export type PersonRow = Prisma.PersonGetPayload<object>

/**
 * The person as a caller sees it. The email address is for the newsroom (write scopes) only:
 * public reads and every article embedding leave it out.
 */
export function toPerson(row: PersonRow, options: { withEmail: boolean }): Person {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    jobTitle: row.jobTitle,
    bio: row.bio,
    bioHtml: row.bioHtml,
    ...(options.withEmail ? { email: row.email } : {}),
    imageUrl: row.imageUrl,
    sameAs: row.sameAs,
    affiliationId: row.affiliationId,
    createdBy: row.createdById,
    updatedBy: row.updatedById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
