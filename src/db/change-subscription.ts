// One change subscription per instance, shared: the response cache and the background worker both
// follow the database's change notifications over a single listening connection.
import type { ChangeHandlers, ChangeSubscription, Database } from './database.js'

export type ChangeSource = Pick<Database, 'listenForChanges'>

/** A source whose subscribers share one subscription of `db`, opened with the first and closed with the last. */
export function sharedChanges(db: ChangeSource): ChangeSource {
  const handlers = new Set<ChangeHandlers>()
  let opening: Promise<ChangeSubscription> | null = null
  let connected = false
  const each = (call: (h: ChangeHandlers) => void) => {
    for (const h of handlers) call(h)
  }
  return {
    async listenForChanges(h) {
      handlers.add(h)
      if (!opening) {
        opening = db.listenForChanges({
          onChange: () => each((x) => x.onChange()),
          onState: (up) => {
            connected = up
            each((x) => x.onState(up))
          },
          onError: (err) => each((x) => x.onError?.(err)),
        })
      } else if (connected) {
        h.onState(true)
      }
      await opening
      return {
        async close() {
          handlers.delete(h)
          if (handlers.size > 0 || !opening) return
          const open = opening
          opening = null
          connected = false
          await (await open).close()
        },
      }
    },
  }
}
