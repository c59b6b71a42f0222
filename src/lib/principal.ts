// Who is calling and what they may do, without HTTP: scopes and how they imply each other, the
// principal a request authenticates as, and the actor recorded on every write.
export const scopes = [
  'content:read',
  'content:syndicate',
  'content:embargoed',
  'content:preview',
  'content:write',
  'keys:manage',
  'webhooks:manage',
  'metrics:read',
] as const
export type Scope = (typeof scopes)[number]

// content:write implies preview, which implies read and embargoed; read implies syndicate.
// - content:syndicate (partners) opens the read routes, with the bodies of articles that are not
//   syndicatable withheld (see mayAccess); a key holding content:read may so grant it, never the
//   reverse.
// - content:embargoed adds published articles still under embargo to what a key reads; it implies
//   syndicate, not read: a partner under an embargo agreement reads full bodies only of what it may
//   syndicate unless it also holds content:read.
// keys:manage, webhooks:manage and metrics:read (a Prometheus scraper's key) stand alone.
const implied: Record<Scope, Scope[]> = {
  'content:read': ['content:read', 'content:syndicate'],
  'content:syndicate': ['content:syndicate'],
  'content:embargoed': ['content:embargoed', 'content:syndicate'],
  'content:preview': ['content:preview', 'content:embargoed', 'content:read', 'content:syndicate'],
  'content:write': ['content:write', 'content:preview', 'content:embargoed', 'content:read', 'content:syndicate'],
  'keys:manage': ['keys:manage'],
  'webhooks:manage': ['webhooks:manage'],
  'metrics:read': ['metrics:read'],
}

export function grants(held: readonly string[], required: Scope): boolean {
  return held.some((s) => (implied[s as Scope] ?? []).includes(required))
}

/**
 * The scopes read published content by content:syndicate alone (none grants content:read): bodies
 * of articles that are not syndicatable are withheld from them.
 */
export function readsSyndicationOnly(held: readonly string[]): boolean {
  return grants(held, 'content:syndicate') && !grants(held, 'content:read')
}

/** Whether the scopes open a route requiring `required`: content:syndicate opens the read routes. */
export function mayAccess(held: readonly string[], required: Scope): boolean {
  return grants(held, required) || (required === 'content:read' && grants(held, 'content:syndicate'))
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
  /** When the key stops being valid (null: never). */
  expiresAt?: Date | null
}
export type Principal = { kind: 'anonymous' } | KeyPrincipal

/** Who made a write, recorded on the record and in the audit log. */
export interface Actor {
  keyId: string | null
  requestId: string
}
