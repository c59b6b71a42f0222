// The date-time check every input goes through (src/lib/ranges.ts) against JavaScript's own
// parser, which the services use on what it accepts: wherever the check accepts, both must name
// the same instant, and it must lie in the range PostgreSQL and the API's output hold.
import fc from 'fast-check'
import t from 'tap'
import { earliestTimestamp, latestTimestamp, parseTimestamp } from '../../src/lib/ranges.js'

const seed = Number(process.env.FUZZ_SEED ?? 20261129)
const numRuns = Number(process.env.FUZZ_RUNS ?? 100) * 20

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** RFC 3339-shaped text with every field drawn wide of its range. */
const dateTimeText = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 24 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
    separator: fc.constantFrom('T', 't'),
    zone: fc.oneof(
      fc.constantFrom('Z', 'z'),
      fc
        .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }))
        .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
    ),
  })
  .map(
    (d) =>
      `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}${d.separator}${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}` +
      `${d.fraction === undefined ? '' : `.${d.fraction}`}${d.zone}`,
  )

t.test('an accepted date-time is the instant Date reads, within range', async (t) => {
  fc.assert(
    fc.property(dateTimeText, (text) => {
      const parsed = parseTimestamp(text)
      if (!parsed) return
      const fields = text
        .slice(0, 19)
        .split(/[-Tt:]/)
        .map(Number)
      if (fields[5] === 60 || (fields[1] ?? 0) > 12 || (fields[3] ?? 0) > 23) throw new Error(`${text} accepted`)
      if (parsed.getTime() !== new Date(text).getTime()) throw new Error(`${text}: ${parsed.toISOString()}`)
      if (parsed.getTime() < earliestTimestamp || parsed.getTime() > latestTimestamp) throw new Error(text)
      if (!/^\d{4}-/.test(parsed.toISOString())) throw new Error(`${text} does not print as RFC 3339`)
    }),
    { seed, numRuns },
  )
  t.pass(`${numRuns} date-times`)
})

t.test('every instant in range is accepted as toISOString() writes it', async (t) => {
  const inRange = fc.date({ min: new Date(earliestTimestamp), max: new Date(latestTimestamp), noInvalidDate: true })
  fc.assert(
    fc.property(inRange, (date) => parseTimestamp(date.toISOString())?.getTime() === date.getTime()),
    { seed, numRuns },
  )
  t.pass(`${numRuns} instants`)
})

t.test('the edges', async (t) => {
  t.ok(parseTimestamp('1000-01-01T00:00:00Z'))
  t.ok(parseTimestamp('9999-12-31T23:59:59.999Z'))
  t.ok(parseTimestamp('2024-02-29T12:00:00+14:00'), 'a leap day')
  t.notOk(parseTimestamp('2023-02-29T12:00:00Z'), 'not a leap year')
  t.notOk(parseTimestamp('1000-01-01T00:00:00+00:01'), 'a minute before the range, in UTC')
  t.notOk(parseTimestamp('9999-12-31T23:59:59-00:01'), 'a minute after it')
  t.notOk(parseTimestamp('0099-01-01T00:00:00Z'), 'years 0-99 are not read as 1900-1999')
  t.notOk(parseTimestamp('2016-12-31T23:59:60Z'), 'no leap second')
})
