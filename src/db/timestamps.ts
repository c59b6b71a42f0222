// Timestamps as the pooled driver reads them. PostgreSQL sends a timestamptz as text
// ('2026-11-30 12:34:56.123456+00' with the ISO DateStyle), and pg's parser (postgres-date) reads
// it with regular expressions: 3–4 % of the API's CPU on an uncached list page, two of them a row.
// This reads that one format by character codes; anything else (another offset form, a year
// before 100 or after 9999, BC, infinity, another DateStyle) goes to pg's own parser, so the
// result is always postgres-date's.
import pg from 'pg'

const builtin = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (value: string) => Date | number

const zero = 48

/** The digits at [from, from + count) as a number, or -1 when one is not a digit. */
function digits(s: string, from: number, count: number): number {
  let n = 0
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - zero
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/**
 * The fractional seconds from `from` (just past the '.') as milliseconds, and where they end; -1
 * when there are none or more than PostgreSQL writes (6). Up to 6 digits, postgres-date's
 * `1000 * parseFloat('.fff…')` is the first three digits exactly (checked for every fraction of up
 * to 7 digits); a longer fraction can round up to the next millisecond there.
 */
function fraction(s: string, from: number): [ms: number, end: number] {
  let ms = 0
  let i = from
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - zero
    if (d < 0 || d > 9) break
    if (i - from < 3) ms = ms * 10 + d
  }
  const read = i - from
  if (read === 0 || read > 6) return [-1, i]
  return [read >= 3 ? ms : ms * 10 ** (3 - read), i]
}

/** The UTC offset from `from` ('+HH', '+HH:MM' or '+HH:MM:SS') in milliseconds, or null. */
function offset(s: string, from: number): number | null {
  const sign = s.charCodeAt(from)
  if (sign !== 43 && sign !== 45) return null
  const rest = s.length - from - 1
  if (rest !== 2 && rest !== 5 && rest !== 8) return null
  // Minutes and seconds each come after a ':'.
  if ((rest >= 5 && s.charCodeAt(from + 3) !== 58) || (rest === 8 && s.charCodeAt(from + 6) !== 58)) return null
  const hours = digits(s, from + 1, 2)
  const minutes = rest >= 5 ? digits(s, from + 4, 2) : 0
  const seconds = rest === 8 ? digits(s, from + 7, 2) : 0
  if (hours < 0 || minutes < 0 || seconds < 0) return null
  return (sign === 43 ? 1 : -1) * ((hours * 60 + minutes) * 60 + seconds) * 1000
}

/** A timestamptz's text as a Date (pg's own parser for any form but the common one). */
export function parseTimestamptz(s: string): Date | number {
  // 'YYYY-MM-DD HH:MM:SS', then optional '.f…', then the offset.
  if (
    s.length < 22 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 32 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return builtin(s)
  }
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 2)
  const day = digits(s, 8, 2)
  const hour = digits(s, 11, 2)
  const minute = digits(s, 14, 2)
  const second = digits(s, 17, 2)
  // Date.UTC reads years 0–99 as 1900–1999: those go to pg's parser, as does anything malformed.
  if (year < 100 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return builtin(s)
  const [ms, end] = s.charCodeAt(19) === 46 ? fraction(s, 20) : [0, 19]
  const shift = offset(s, end)
  if (shift === null || ms < 0) return builtin(s)
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - shift)
}

/**
 * The pool's type parsers: pg's own, but timestamptz by parseTimestamptz. Only the direct reads
 * and writes use them; the ORM's adapter sets its own per query.
 */
export const poolTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.TIMESTAMPTZ && format !== 'binary'
      ? parseTimestamptz
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
}
