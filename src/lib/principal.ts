// Who is calling and what they may do, without HTTP: scopes and how they imply each other, the
// principal a request authenticates as, and the actor recorded on every write.
export const scopes = [
  'content:read',
  'content:embargoed',
  'content:preview',
  'content:write',
  'keys:manage',
  'webhooks:manage',
] as const
export type Scope = (typeof scopes)[number]

// content:write implies preview, which implies embargoed (published articles still under embargo),
// which implies read. keys:manage and webhooks:manage stand alone.
const implied: Record<Scope, Scope[]> = {
  'content:read': ['content:read'],
  'content:embargoed': ['content:embargoed', 'content:read'],
  'content:preview': ['content:preview', 'content:embargoed', 'content:read'],
  'content:write': ['content:write', 'content:preview', 'content:embargoed', 'content:read'],
  'keys:manage': ['keys:manage'],
  'webhooks:manage': ['webhooks:manage'],
}

export function grants(held: readonly string[], required: Scope): boolean {
  return held.some((s) => (implied[s as Scope] ?? []).includes(required))
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
