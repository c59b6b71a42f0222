// The server's change notifications: LISTEN on a connection of its own, kept up with backoff.
import pg from 'pg'
import { type ChangeHandlers, type ChangeSubscription, changeChannel } from './database.js'

/**
 * LISTEN on a connection of its own (a pooled one would be handed to queries). A lost connection
 * is reported down at once and reopened with backoff (0.25 s doubling to 5 s), then reported up.
 */
export async function listenOnServer(url: string, handlers: ChangeHandlers): Promise<ChangeSubscription> {
  let client: pg.Client | null = null
  let closed = false
  let retry: NodeJS.Timeout | undefined
  let delay = 250

  const lost = (err?: Error) => {
    if (err) handlers.onError?.(err)
    if (!client || closed) return
    const dead = client
    client = null
    dead.removeAllListeners()
    dead.on('error', () => {})
    dead.end().catch(() => {})
    handlers.onState(false)
    schedule()
  }
  const schedule = () => {
    retry = setTimeout(() => void connect(), delay)
    retry.unref()
    delay = Math.min(delay * 2, 5000)
  }
  const connect = async () => {
    if (closed) return
    const next = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5000 })
    next.on('error', (err) => lost(err))
    next.on('end', () => lost())
    next.on('notification', (message) => {
      if (message.channel === changeChannel) handlers.onChange()
    })
    try {
      await next.connect()
      await next.query(`LISTEN ${changeChannel}`)
    } catch (err) {
      next.removeAllListeners()
      next.on('error', () => {})
      await next.end().catch(() => {})
      handlers.onError?.(err as Error)
      schedule()
      return
    }
    if (closed) {
      await next.end().catch(() => {})
      return
    }
    client = next
    delay = 250
    handlers.onState(true)
  }

  await connect()
  return {
    async close() {
      closed = true
      clearTimeout(retry)
      const open = client
      client = null
      if (open) {
        open.removeAllListeners()
        open.on('error', () => {})
        await open.end().catch(() => {})
      }
    },
  }
}
