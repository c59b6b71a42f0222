// The pool's timestamptz parser reads PostgreSQL's common form itself and hands every other to
// pg's parser: for any input its Date (or Infinity, or null) must be the one pg's parser gives,
// and for what PostgreSQL really sends, the instant PostgreSQL means.
import fc from 'fast-check'
import pg from 'pg'
import { test } from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { parseTimestamptz, poolTypes } from '../../src/db/timestamps.js'
import { serverUrl } from '../db-url.js'

const pgParser = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (value: string) => unknown

const same = (value: unknown) => (value instanceof Date ? `date:${value.getTime()}` : `value:${String(value)}`)

const pad = (n: number, width: number) => String(n).padStart(width, '0')

/** A timestamptz as PostgreSQL writes it in the ISO DateStyle (any offset), and fractions longer than it writes. */
const isoText = fc
  .record({
    year: fc.integer({ min: 1, max: 12000 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.option(fc.stringMatching(/^\d{1,20}$/), { nil: undefined }),
    sign: fc.constantFrom('+', '-'),
    offsetHours: fc.integer({ min: 0, max: 15 }),
    offsetMinutes: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
    offsetSeconds: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
    bc: fc.boolean(),
  })
  .map((d) => {
    const date = `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`
    const time = `${pad(d.hour, 2)}:${pad(d.minute, 2)}:${pad(d.second, 2)}${d.fraction ? `.${d.fraction}` : ''}`
    const minutes = d.offsetMinutes === undefined ? '' : `:${pad(d.offsetMinutes, 2)}`
    const seconds = d.offsetMinutes === undefined || d.offsetSeconds === undefined ? '' : `:${pad(d.offsetSeconds, 2)}`
    return `${date} ${time}${d.sign}${pad(d.offsetHours, 2)}${minutes}${seconds}${d.bc && d.year < 100 ? ' BC' : ''}`
  })

test('the parser reads every timestamptz text as pg does', async (t) => {
  fc.assert(
    fc.property(isoText, (text) => same(parseTimestamptz(text)) === same(pgParser(text))),
    { numRuns: 20_000 },
  )
  // Near misses of the common form: each must come out as pg's parser reads it.
  fc.assert(
    fc.property(
      isoText,
      fc.nat(40),
      fc.constantFrom('', ' ', 'x', '9', '.', ':', '+', '-', 'Z', ' BC'),
      (text, at, insert) => {
        const mangled = text.slice(0, at) + insert + text.slice(at + 1)
        return same(parseTimestamptz(mangled)) === same(pgParser(mangled))
      },
    ),
    { numRuns: 20_000 },
  )
  for (const text of [
    'infinity',
    '-infinity',
    '0099-12-31 23:59:59.999999+00',
    '0001-01-01 00:00:00+00 BC',
    '12345-06-07 08:09:10+00',
    '2026-11-30 12:34:56.1234567+00',
    // Past 6 digits, postgres-date's floating-point milliseconds can round up.
    '2026-11-30 12:34:56.99999999999999999+00',
    '2026-11-30 12:34:56.0289999999999999999+00',
    '2026-11-30 12:34:56.+00',
    '2026-11-30 12:34:56+5',
    '2026-11-30 12:34:56+05:3',
    '2026-11-30 12:34:56+05:30:1',
    '2026-11-30 12:34:56Z',
    '2026-11-30',
    '2026-11-30 12:34:56',
    '',
  ]) {
    t.equal(same(parseTimestamptz(text)), same(pgParser(text)), JSON.stringify(text))
  }
  t.equal((parseTimestamptz('2026-11-30 12:34:56.123456+00') as Date).toISOString(), '2026-11-30T12:34:56.123Z')
  t.equal((parseTimestamptz('2026-11-30 12:34:56-03:30') as Date).toISOString(), '2026-11-30T16:04:56.000Z')
})

/** Instants across the range PostgreSQL writes in the common form, with its own epoch for each. */
const instants = `SELECT t::text AS text, floor(extract(epoch FROM t) * 1000)::float8 AS ms
  FROM (VALUES (timestamptz '2026-11-30 12:34:56.789012+00'), ('2000-02-29 23:59:59.999+00'),
    ('1970-01-01 00:00:00+00'), ('1900-06-15 08:00:00.5+00'), ('0100-01-01 00:00:00+00'),
    ('9999-12-31 23:59:59.999999+00'), ('2024-03-31 01:30:00+00'), ('2024-10-27 00:59:59.000001+00')) v(t)`

// Whole offsets, half and quarter hours, negative ones, and the local mean times (seconds) of old dates.
const zones = ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham', 'Europe/Amsterdam']

test("PostgreSQL's timestamps read as the instants it means, in any session time zone", async (t) => {
  const db = await openDatabase({ kind: 'embedded', dataDir: 'memory://' })
  t.teardown(() => db.close())
  for (const zone of zones) {
    const rows = await db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL TimeZone = '${zone}'`)
      return tx.$queryRawUnsafe<{ text: string; ms: number }[]>(instants)
    })
    for (const row of rows) {
      t.equal((parseTimestamptz(row.text) as Date).getTime(), row.ms, `${zone}: ${row.text}`)
    }
  }
})

test("the pool's connections read timestamps through the parser", { skip: !serverUrl && 'no server' }, async (t) => {
  for (const zone of zones) {
    const client = new pg.Client({ connectionString: serverUrl, types: poolTypes, options: `-c TimeZone=${zone}` })
    await client.connect()
    try {
      const { rows } = await client.query<{ at: Date; ms: number }>(instants.replace('t::text AS text', 't AS at'))
      for (const row of rows) t.equal(row.at.getTime(), row.ms, `${zone}: ${row.at.toISOString()}`)
    } finally {
      await client.end()
    }
  }
})
