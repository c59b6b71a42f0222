// The one query serving renditions needs: what the rendition list is computed from.
import type { Db } from '../../db/types.js'
import type { MediaShape } from './media.files.js'

export function findMediaShape(db: Db, id: string): Promise<MediaShape | null> {
  return db.media.findUnique({
    where: { id },
    select: { id: true, sha256: true, mimeType: true, width: true, height: true, focalX: true, focalY: true },
  })
}
