import type { PrismaClient } from '../../db/database.js'
import {
  ConflictError,
  invalidRequest,
  NotFoundError,
  ScopeNotHeldError,
  UnauthorizedError,
  withProblem,
} from '../../errors.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import { type Actor, effectiveScopes, grants, type KeyPrincipal, type Scope, scopes } from '../../lib/principal.js'
import { uuidv7 } from '../../lib/uuid.js'
import { recordAudit } from '../audit/audit.repository.js'
import * as repo from './keys.repository.js'
import type { ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyListQuery, ApiKeyUpdate } from './keys.schemas.js'
import { createToken, parseToken, secretMatches, tokenPrefix } from './keys.tokens.js'

export function toApiKey(row: repo.KeyRow, now: Date): ApiKey {
  const iso = (d: Date | null) => d?.toISOString() ?? null
  return {
    id: row.id,
    prefix: tokenPrefix(row.id),
    name: row.name,
    scopes: row.scopes as Scope[],
    status: row.revokedAt ? 'revoked' : row.expiresAt && row.expiresAt <= now ? 'expired' : 'active',
    rateLimit: row.rateLimit,
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
    createdBy: row.createdById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

// last_used_at is a hint for operators, not an access log: refresh it at most once a minute per
// key so authentication stays one read, not a write, per request.
const lastUsedResolutionMs = 60_000

export interface KeysServiceOptions {
  clock: () => Date
  onBackgroundError?: (err: unknown) => void
}

export function createKeysService(db: PrismaClient, { clock, onBackgroundError }: KeysServiceOptions) {
  function assertFuture(expiresAt: string | null | undefined): void {
    if (expiresAt && new Date(expiresAt) <= clock()) {
      throw invalidRequest([{ in: 'body', pointer: '/expiresAt', message: 'must be in the future' }])
    }
  }

  async function insert(input: ApiKeyCreate, actor: Actor): Promise<ApiKeyCreated> {
    const id = uuidv7()
    const { token, secretHash } = createToken(id)
    const row = await db.$transaction(async (tx) => {
      const created = await repo.insertKey(tx, {
        id,
        name: input.name,
        scopes: effectiveOrder(input.scopes),
        secretHash,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        rateLimit: input.rateLimit ?? null,
        createdById: actor.keyId,
      })
      await recordAudit(tx, actor, { action: 'create', resourceType: 'key', resourceId: id })
      return created
    })
    return { ...toApiKey(row, clock()), secret: token }
  }

  return {
    /** The principal for a bearer token; throws 401 for a malformed, unknown, revoked or expired key. */
    async authenticate(token: string): Promise<KeyPrincipal> {
      const parsed = parseToken(token)
      if (!parsed) throw new UnauthorizedError('The API key is malformed; keys look like nd_<id>_<secret>')
      const row = await repo.findKeyToAuthenticate(db, parsed.id)
      if (!row || !secretMatches(parsed.secret, row.secretHash)) throw new UnauthorizedError('The API key is not valid')
      const now = clock()
      if (row.revokedAt) throw new UnauthorizedError('The API key has been revoked')
      // Marked: unlike an unknown or revoked key, an expired one becomes valid again if its expiry moves.
      if (row.expiresAt && row.expiresAt <= now) {
        throw Object.assign(new UnauthorizedError('The API key has expired'), { mayRecover: true })
      }
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > lastUsedResolutionMs) {
        repo.updateKey(db, row.id, { lastUsedAt: now }).catch((err) => onBackgroundError?.(err))
      }
      return principalOf(row)
    },

    /**
     * A new key, made by a key holding `creatorScopes`. It may only be given scopes the creator
     * holds itself, directly or by implication: keys:manage lets a key manage keys, not mint
     * content scopes it lacks (a keys:manage + content:write key can mint content:write).
     */
    async create(input: ApiKeyCreate, actor: Actor, creatorScopes: readonly string[]): Promise<ApiKeyCreated> {
      assertFuture(input.expiresAt)
      const notHeld = input.scopes.filter((s) => !grants(creatorScopes, s))
      if (notHeld.length > 0) {
        throw withProblem(new ScopeNotHeldError(notHeld.join(', ')), { scopesNotHeld: notHeld })
      }
      return insert(input, actor)
    },

    /** For the command line and the first start: no request, no key behind it. */
    createFromCli(input: ApiKeyCreate): Promise<ApiKeyCreated> {
      return insert(input, { keyId: null, requestId: 'cli' })
    },

    async list(query: ApiKeyListQuery): Promise<Page<ApiKey>> {
      const sortKey = '-createdAt'
      const after = query.cursor ? decodeCursor(query.cursor, sortKey, ['date', 'uuid']) : undefined
      const rows = await repo.listKeys(db, query.limit, after ? { createdAt: after[0], id: after[1] } : undefined)
      const page = toPage(rows, query.limit, sortKey, (r) => [r.createdAt.toISOString(), r.id])
      const now = clock()
      return { data: page.data.map((r) => toApiKey(r, now)), page: page.page }
    },

    async get(id: string): Promise<ApiKey> {
      const row = await repo.findKey(db, id)
      if (!row) throw new NotFoundError('API key', id)
      return toApiKey(row, clock())
    },

    async update(id: string, input: ApiKeyUpdate, actor: Actor): Promise<ApiKey> {
      assertFuture(input.expiresAt)
      const row = await db.$transaction(async (tx) => {
        const current = await repo.findKey(tx, id)
        if (!current) throw new NotFoundError('API key', id)
        if (current.revokedAt) throw new ConflictError('A revoked key cannot be changed')
        if (input.scopes) {
          const held = new Set(effectiveScopes(current.scopes))
          const widened = input.scopes.filter((s) => !held.has(s))
          if (widened.length > 0) {
            throw withProblem(
              new ConflictError(`Scopes can only be narrowed; this key does not hold ${widened.join(', ')}`),
              { widenedScopes: widened },
            )
          }
        }
        const updated = await repo.updateKey(tx, id, {
          name: input.name,
          scopes: input.scopes ? effectiveOrder(input.scopes) : undefined,
          expiresAt: input.expiresAt === undefined ? undefined : input.expiresAt ? new Date(input.expiresAt) : null,
          rateLimit: input.rateLimit,
        })
        await recordAudit(tx, actor, { action: 'update', resourceType: 'key', resourceId: id })
        return updated
      })
      return toApiKey(row, clock())
    },

    /** Revokes the key; it fails authentication from the next request on. Revoking twice is a no-op. */
    async revoke(id: string, actor: Actor): Promise<void> {
      await db.$transaction(async (tx) => {
        const current = await repo.findKey(tx, id)
        if (!current) throw new NotFoundError('API key', id)
        if (current.revokedAt) return
        await repo.updateKey(tx, id, { revokedAt: clock() })
        await recordAudit(tx, actor, { action: 'revoke', resourceType: 'key', resourceId: id })
      })
    },

    count(): Promise<number> {
      return repo.countKeys(db)
    },
  }
}

function principalOf(row: {
  id: string
  name: string
  scopes: string[]
  rateLimit: number | null
  expiresAt: Date | null
}): KeyPrincipal {
  return {
    kind: 'key',
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    rateLimit: row.rateLimit,
    expiresAt: row.expiresAt,
  }
}

function effectiveOrder(held: readonly Scope[]): Scope[] {
  // The order the scopes are declared in (principal.ts): a new scope takes its place there.
  return [...held].sort((a, b) => scopes.indexOf(a) - scopes.indexOf(b))
}

export type KeysService = ReturnType<typeof createKeysService>
