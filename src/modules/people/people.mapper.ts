// A person's row to its representation: the one place that decides who sees the email address.
import type { Prisma } from '../../generated/prisma/client.js'
import { type PublicUrlTemplates, personUrl } from '../../lib/public-urls.js'
import { type MediaEmbedRow, toMediaImage } from '../media/media.embeds.js'
import type { Person } from './people.schemas.js'

export type PersonRow = Prisma.PersonGetPayload<object>
/** A person's columns with the media record of their picture (when they have one). */
export type PersonRecord = PersonRow & { imageMedia: MediaEmbedRow | null }

/**
 * The person as a caller sees it. The email address is for the newsroom (write scopes) only:
 * public reads and every article embedding leave it out.
 */
export function toPerson(
  row: PersonRecord,
  options: { withEmail: boolean; mediaBase?: string; urls?: PublicUrlTemplates },
): Person {
  return {
    id: row.id,
    slug: row.slug,
    url: personUrl(options.urls ?? {}, row),
    name: row.name,
    jobTitle: row.jobTitle,
    bio: row.bio,
    bioHtml: row.bioHtml,
    ...(options.withEmail ? { email: row.email } : {}),
    // As written: a media picture is `image` (its relative URL would not be a valid imageUrl to send back).
    imageUrl: row.imageUrl,
    image: row.imageMedia ? toMediaImage(row.imageMedia, options.mediaBase) : null,
    sameAs: row.sameAs,
    affiliationId: row.affiliationId,
    createdBy: row.createdById,
    updatedBy: row.updatedById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
