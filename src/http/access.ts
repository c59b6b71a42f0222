// The access rule every route declares (config.access) and the route configs shared by modules.
import type { Scope } from '../lib/principal.js'

/** 'public': no credentials needed or checked (health, docs). Otherwise the scope required. */
export type Access = 'public' | Scope

/** Route config of a content read: published content, served from the response cache when unchanged. */
export const read = { access: 'content:read', cache: true } as const
/** Route config of a content write (it also empties the response cache). */
export const write = { access: 'content:write' } as const
