// API key tokens: "nd_" + the key's id (32 hex digits) + "_" + a 256-bit secret (base64url).
// The id makes a key recognisable and lets the server find it with one primary-key lookup; only
// a SHA-256 hash of the secret is stored, and it is compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const tokenPattern = /^nd_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/

export interface ParsedToken {
  id: string
  secret: string
}

function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** A new token for the key with this id, and the hash to store. */
export function createToken(id: string): { token: string; secretHash: string } {
  const secret = randomBytes(32).toString('base64url')
  return { token: `nd_${id.replace(/-/g, '')}_${secret}`, secretHash: hashSecret(secret) }
}

export function parseToken(token: string): ParsedToken | null {
  const match = tokenPattern.exec(token)
  if (!match?.[1] || !match[2]) return null
  return { id: uuidFromHex(match[1]), secret: match[2] }
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex')
  const stored = Buffer.from(storedHash, 'hex')
  return given.length === stored.length && timingSafeEqual(given, stored)
}

/** The public part of a token, safe to show in lists: "nd_<id>". */
export function tokenPrefix(id: string): string {
  return `nd_${id.replace(/-/g, '')}`
}
