// Graceful shutdown as a load balancer sees it. When shutdown begins, readiness (/health/ready)
// answers 503 at once while everything else is still served, so that the balancer takes the
// instance out of rotation during the drain period (SHUTDOWN_DRAIN_MS) before its connections
// close. Once closing, a request that still arrives on an open keep-alive connection is answered
// 503 as a problem (with Retry-After, and Connection: close) instead of Fastify's plain body.
import fp from 'fastify-plugin'
import { ShuttingDownError } from '../errors.js'

export interface ShutdownState {
  /** Shutdown has begun: not ready for new traffic, still serving. */
  readonly draining: boolean
  /** The server is closing: every new request is refused. */
  readonly closing: boolean
  /** Marks the instance as draining (readiness 503), then waits `drainMs` before returning. */
  drain(drainMs: number): Promise<void>
  /** Marks the instance as closing; call right before app.close(). */
  close(): void
}

declare module 'fastify' {
  interface FastifyInstance {
    shutdown: ShutdownState
  }
}

export const shutdown = fp(
  async (app) => {
    const state = { draining: false, closing: false }
    app.decorate('shutdown', {
      get draining() {
        return state.draining
      },
      get closing() {
        return state.closing
      },
      async drain(drainMs: number) {
        state.draining = true
        if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs))
      },
      close() {
        state.draining = true
        state.closing = true
      },
    } satisfies ShutdownState)
    app.addHook('onRequest', (_request, reply, done) => {
      if (!state.closing) return done()
      reply.header('connection', 'close')
      done(new ShuttingDownError())
    })
  },
  { name: 'newsdesk-shutdown' },
)
