// Who is calling and what they may do, without HTTP: scopes and how they imply each other, the
// principal a request authenticates as, and the actor recorded on every write.
export const scopes = [
  'content:read',
  'content:syndicate',
  'content:preview',
  'content:write',
  'keys:manage',
  'webhooks:manage',
] as const
export type Scope = (typeof scopes)[number]

// content:write implies preview, which implies read. content:syndicate (partners) implies read
// for access to the read routes, but what it reads is the syndication view (see readsSyndicationOnly).
// keys:manage and webhooks:manage stand alone.
const implied: Record<Scope, Scope[]> = {
  'content:read': ['content:read'],
  'content:syndicate': ['content:syndicate', 'content:read'],
  'content:preview': ['content:preview', 'content:read'],
  'content:write': ['content:write', 'content:preview', 'content:read'],
  'keys:manage': ['keys:manage'],
  'webhooks:manage': ['webhooks:manage'],
}

export function grants(held: readonly string[], required: Scope): boolean {
  return held.some((s) => (implied[s as Scope] ?? []).includes(required))
}

/**
 * The scopes read published content by content:syndicate alone (no other scope held grants
 * content:read): bodies of articles that are not syndicatable are withheld from them.
 */
export function readsSyndicationOnly(held: readonly string[]): boolean {
  return held.includes('content:syndicate') && !held.some((s) => s !== 'content:syndicate' && grants([s], 'content:read'))
}

/** Every scope a set of scopes grants, directly or by implication. */
export function effectiveScopes(held: readonly string[]): Scope[] {
  return scopes.filter((s) => grants(held, s))
}

export interface KeyPrincipal {
  kind: 'key'
  id: string
  name: string
  scopes: string[]
  rateLimit: number | null
}
export type Principal = { kind: 'anonymous' } | KeyPrincipal

/** Who made a write, recorded on the record and in the audit log. */
export interface Actor {
  keyId: string | null
  requestId: string
}
