// Scopes and the access rule every route declares (config.access).
export const scopes = ['content:read', 'content:preview', 'content:write', 'keys:manage'] as const
export type Scope = (typeof scopes)[number]

/** 'public': no credentials needed or checked (health, docs). Otherwise the scope required. */
export type Access = 'public' | Scope

// content:write implies preview, which implies read. keys:manage stands alone.
const implied: Record<Scope, Scope[]> = {
  'content:read': ['content:read'],
  'content:preview': ['content:preview', 'content:read'],
  'content:write': ['content:write', 'content:preview', 'content:read'],
  'keys:manage': ['keys:manage'],
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

/** Route config of a content read: published content, served from the response cache when unchanged. */
export const read = { access: 'content:read', cache: true } as const
/** Route config of a content write (it also empties the response cache). */
export const write = { access: 'content:write' } as const
