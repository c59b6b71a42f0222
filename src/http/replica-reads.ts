// Which requests may read from replicas (DATABASE_REPLICA_URLS), and the changes that hold them
// back: see src/db/replica-routing.ts for the routing and why the response cache never stores
// what a stale replica answered.
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { ChangeSource } from '../db/change-subscription.js'
import type { ChangeSubscription } from '../db/database.js'
import { readFromReplicas } from '../db/replica-routing.js'
import type { ReplicaSet } from '../db/replicas.js'

export interface ReplicaReadsOptions {
  replicas: ReplicaSet | undefined
  changes: ChangeSource
}

const publicScopes = new Set(['content:read', 'content:syndicate'])

/**
 * A read of published content by a caller who sees only the public views: anonymous, content:read
 * or a partner's content:syndicate. Preview, embargo and every other scope read the primary, and
 * so does any route that is not a content read (health, previews by token).
 */
function readsPublicContent(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  const config = request.routeOptions.config
  if (config.access !== 'content:read' && !config.cache) return false
  const principal = request.principal
  return principal.kind === 'anonymous' || principal.scopes.every((scope) => publicScopes.has(scope))
}

export default fp<ReplicaReadsOptions>(
  async (app, { replicas, changes }) => {
    if (!replicas) return

    // After authentication (the caller's view), before the response cache's lookup: everything
    // the request runs from here on runs in its context.
    app.addHook('onRequest', (request, _reply, done) => {
      if (readsPublicContent(request)) readFromReplicas(done)
      else done()
    })

    // Read-your-writes: a write is answered after it committed, and before its answer leaves,
    // reads wait for a replica that has replayed it (the response cache ends its generation at
    // the same point). A request that may have written: another method than a read's, on a
    // route, by a key (nothing anonymous writes), not refused (a 5xx may come after a commit).
    // Refused requests do not count, so that junk requests cannot keep every read on the primary.
    app.addHook('onSend', (request, reply, payload, done) => {
      const read = request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS'
      const refused = reply.statusCode >= 400 && reply.statusCode < 500
      if (!read && !refused && request.principal?.kind === 'key' && request.routeOptions.url !== undefined) {
        replicas.markChange()
      }
      done(null, payload)
    })

    let subscription: ChangeSubscription | undefined
    app.addHook('onReady', async () => {
      // Another instance's change (or, on coming back, changes that may have gone unseen).
      subscription = await changes.listenForChanges({
        onChange: () => replicas.markChange(),
        onState: () => replicas.markChange(),
      })
    })
    app.addHook('onClose', async () => {
      await subscription?.close()
    })
  },
  { name: 'replica-reads', dependencies: ['newsdesk-auth'] },
)
