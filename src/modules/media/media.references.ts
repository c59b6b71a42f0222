// An image named in a write: a URL or a media record, never both. Lead images, teaser images and
// (by id alone) people's pictures check it the same way.
import type { RawDb } from '../../db/direct.js'
import { invalidRequest, MissingReferenceError, withProblem } from '../../errors.js'
import { mediaExists } from './media.embeds-repository.js'

export interface ImageInput {
  url?: string
  media?: string
}

/**
 * The image's URL or media id (lower-cased), checked: exactly one of the two (400 at
 * `/<field>/url` or `/<field>/media`), and a media id that names a record (422 naming
 * `<field>/media`). `null` clears the image.
 */
export async function resolveImage(
  db: RawDb,
  field: string,
  image: ImageInput | null,
): Promise<{ url: string | null; mediaId: string | null }> {
  if (image && (image.url === undefined) === (image.media === undefined)) {
    const message = 'exactly one of url or media is required'
    throw invalidRequest([{ in: 'body', pointer: `/${field}/${image.url ? 'media' : 'url'}`, message }])
  }
  const mediaId = image?.media?.toLowerCase() ?? null
  if (mediaId !== null && !(await mediaExists(db, mediaId))) {
    throw withProblem(new MissingReferenceError(`No media matches "${mediaId}" (${field}/media)`), {
      field: `${field}/media`,
    })
  }
  return { url: image?.url ?? null, mediaId }
}
