// Preview tokens: "ndp_" + 256 random bits (base64url). The prefix makes a leaked token
// recognisable (secret scanners, logs); only a SHA-256 hash is stored, and a token is found by its
// hash through a unique index, so the database never holds what would open a link.
import { createHash, randomBytes } from 'node:crypto'

export const tokenPrefix = 'ndp_'
/** The shape of every token this API issues; anything else is refused before a lookup. */
export const tokenPattern = '^ndp_[A-Za-z0-9_-]{43}$'
export const tokenLength = 47

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** A new token and the hash to store. */
export function createToken(): { token: string; tokenHash: string } {
  const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`
  return { token, tokenHash: hashToken(token) }
}

/** The path of a preview, with the token replaced: what logs and audit entries may show. */
export function redactPreviewPath(url: string): string {
  return url.replace(/^(\/v1\/preview\/)[^?#]*/, '$1[redacted]')
}
