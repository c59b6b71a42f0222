// From a stored event row to the event as the feed lists it and webhooks send it.
import type { ChangeEvent, EventData, EventType } from './changes.schemas.js'

/** The columns of change_events an event is made of. */
export interface EventRow {
  id: bigint
  type: string
  occurredAt: Date
  resourceType: string
  resourceId: string
  resourceSlug: string | null
  resourceVersion: number | null
  changedFields: string[] | null
  surrogateKeys: string[] | null
  data: unknown
}

export function toChangeEvent(row: EventRow): ChangeEvent {
  return {
    id: row.id.toString(),
    type: row.type as EventType,
    occurredAt: row.occurredAt.toISOString(),
    resource: {
      type: row.resourceType as ChangeEvent['resource']['type'],
      id: row.resourceId,
      slug: row.resourceSlug,
      version: row.resourceVersion,
    },
    changedFields: row.changedFields ?? [],
    surrogateKeys: row.surrogateKeys ?? [],
    data: (row.data as EventData | null) ?? null,
  }
}
