// The ranges of the values a client may send (fields, query parameters, cursors), so that
// nothing out of a column's range reaches PostgreSQL (22003, 22008: a 500 otherwise).

/** The largest PostgreSQL integer (int4): versions, positions and limits are stored as one. */
export const maxInt4 = 2147483647
/** The largest finite PostgreSQL real (float4): ts_rank returns one. */
export const maxReal = 3.4028234663852886e38
/** The smallest positive PostgreSQL real (a subnormal); anything nearer zero is out of range. */
export const minReal = 1.401298464324817e-45

// Instants: RFC 3339 date-times that JavaScript, PostgreSQL and the API's own output all hold.
// JavaScript alone accepts year 0 (PostgreSQL has none: 22008), rolls 2026-02-30 over to March
// and reads a leap second as an invalid date; beyond year 9999 toISOString() writes "+010000-…",
// which is not RFC 3339.

/** 1000-01-01T00:00:00Z: the earliest instant accepted. */
export const earliestTimestamp = Date.UTC(1000, 0, 1)
/** 9999-12-31T23:59:59.999Z: the latest instant accepted. */
export const latestTimestamp = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

// Four-digit year; T or t; seconds 00-59 (no leap second: JavaScript has none); fractions beyond
// the millisecond are allowed and dropped, as Date does; Z or a ±hh:mm offset.
const dateTime = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** True when the instant lies between earliestTimestamp and latestTimestamp. */
function isTimestampInRange(date: Date): boolean {
  const ms = date.getTime()
  return ms >= earliestTimestamp && ms <= latestTimestamp
}

/**
 * The instant a cursor holds: what toISOString() wrote for a stored value. Years 0001-0999 are
 * taken too, which client input is not: rows stored before the input range existed hold them,
 * and a page after one must still be reachable.
 */
export function parseCursorTimestamp(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text)) return parseTimestamp(text)
  const date = new Date(text)
  const ms = date.getTime()
  // 0001-01-01T00:00:00Z (Date.UTC would read year 1 as 1901); PostgreSQL has no year 0.
  return ms >= -62_135_596_800_000 && ms <= latestTimestamp && date.toISOString() === text ? date : undefined
}

/** The instant an RFC 3339 date-time names, or undefined when it is malformed or out of range. */
export function parseTimestamp(text: string): Date | undefined {
  const m = dateTime.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const offsetHours = Number(m[9] ?? 0)
  const offsetMinutes = Number(m[10] ?? 0)
  // Also keeps Date.UTC from reading years 0-99 as 1900-1999.
  if (year < 1000) return undefined
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3))
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset)
  return isTimestampInRange(date) ? date : undefined
}
