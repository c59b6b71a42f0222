// What a photo's own metadata says about it (IPTC, XMP, EXIF), read to prefill a new record:
// caption, credit, copyright holder and capture time. Text in IPTC's UTF-8 is taken as such, and
// every time is read with the offset the file gives (or as UTC), never in the server's time zone.

export interface EmbeddedMetadata {
  caption?: string
  credit?: string
  copyrightHolder?: string
  capturedAt?: Date
}

type Tags = Record<string, Record<string, unknown> | undefined>

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * IPTC text as the file meant it. exifr reads IPTC strings byte by byte (Latin-1), but photo desks'
 * tools (Photo Mechanic, Photoshop) write UTF-8 and say so in record 1:90, which exifr does not
 * give: bytes that form valid UTF-8 are read as UTF-8 (Latin-1 text beyond ASCII almost never is).
 */
export function iptcText(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const bytes = Buffer.from(value, 'latin1')
  // Only a string of bytes (each character one), and one with some beyond ASCII.
  if (!bytes.some((byte) => byte > 0x7f) || bytes.toString('latin1') !== value) return value
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return value
  }
}

/** A tag's text: a string, an XMP language alternative ({ value }) or the first of a list. */
function text(value: unknown): string | undefined {
  if (Array.isArray(value)) return text(value[0])
  if (value && typeof value === 'object' && 'value' in value) return text((value as { value: unknown }).value)
  if (typeof value !== 'string') return undefined
  const trimmed = value.replaceAll('\u0000', '').trim()
  return trimmed === '' ? undefined : trimmed
}

function firstText(...values: unknown[]): string | undefined {
  for (const value of values) {
    const found = text(value)
    if (found !== undefined) return found
  }
  return undefined
}

/** An instant from its parts, or undefined when they name none (or one outside the stored range). */
function instant(date: string, time = '00:00:00', offset?: string): Date | undefined {
  const zone = offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : 'Z'
  const value = new Date(`${date}T${time}${zone}`)
  const year = value.getUTCFullYear()
  // The range every stored timestamp keeps to (src/lib/ranges.ts).
  return year >= 1000 && year <= 9999 ? value : undefined
}

/** EXIF's `2024:01:02 03:04:05`, at the offset of its OffsetTime tag, else UTC. */
export function exifDate(value: unknown, offset?: unknown): Date | undefined {
  const m = typeof value === 'string' ? /^(\d{4}):(\d{2}):(\d{2}) (\d{2}:\d{2}:\d{2})/.exec(value.trim()) : null
  return m
    ? instant(`${m[1]}-${m[2]}-${m[3]}`, m[4], typeof offset === 'string' ? offset.trim() : undefined)
    : undefined
}

/** XMP's ISO 8601 date (a day, or a time with or without seconds, fraction and offset); UTC without one. */
export function xmpDate(value: unknown): Date | undefined {
  const m =
    typeof value === 'string'
      ? /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(value.trim())
      : null
  if (!m?.[1]) return undefined
  return instant(m[1], m[2] ? `${m[2]}${m[3] ?? ':00'}` : undefined, m[4] === 'Z' ? undefined : m[4])
}

/** IPTC's date created (`CCYYMMDD`) and time created (`HHMMSS±HHMM`); UTC without an offset. */
export function iptcDate(date: unknown, time?: unknown): Date | undefined {
  const d = typeof date === 'string' ? /^(\d{4})(\d{2})(\d{2})$/.exec(date.trim()) : null
  if (!d) return undefined
  const t = typeof time === 'string' ? /^(\d{2})(\d{2})(\d{2})(?:([+-]\d{2})(\d{2}))?$/.exec(time.trim()) : null
  const offset = t?.[4] ? `${t[4]}:${t[5]}` : undefined
  return instant(`${d[1]}-${d[2]}-${d[3]}`, t ? `${t[1]}:${t[2]}:${t[3]}` : undefined, offset)
}

function firstDate(...dates: (Date | undefined)[]): Date | undefined {
  return dates.find((date) => date !== undefined)
}

/**
 * Caption, credit, copyright and capture time as photo desks record them: IPTC first, then XMP,
 * then EXIF (the camera's own capture time first for the date). A file exifr cannot read (or that
 * holds none) prefills nothing. Values are read raw (no revived dates: exifr would read EXIF's
 * times in the server's time zone) and parsed above.
 */
export async function embeddedMetadata(path: string): Promise<EmbeddedMetadata> {
  // Loaded on the first upload: a server that only reads never needs it.
  const { default: exifr } = await import('exifr')
  const tags: Tags | undefined = await exifr
    .parse(path, { iptc: true, xmp: true, exif: true, mergeOutput: false, reviveValues: false })
    .catch(() => undefined)
  if (!tags) return {}
  const { iptc = {}, dc = {}, photoshop = {}, ifd0 = {}, exif = {}, xmp = {} } = tags
  const found: EmbeddedMetadata = {
    caption: firstText(
      iptcText(iptc.Caption),
      iptcText(iptc['Caption-Abstract']),
      dc.description,
      ifd0.ImageDescription,
    ),
    credit: firstText(iptcText(iptc.Byline), iptcText(iptc.Credit), photoshop.Credit, dc.creator, ifd0.Artist),
    copyrightHolder: firstText(iptcText(iptc.CopyrightNotice), ifd0.Copyright, dc.rights),
    capturedAt: firstDate(
      exifDate(exif.DateTimeOriginal, exif.OffsetTimeOriginal),
      exifDate(exif.CreateDate, exif.OffsetTimeDigitized ?? exif.OffsetTime),
      iptcDate(iptc.DateCreated, iptc.TimeCreated),
      xmpDate(photoshop.DateCreated),
      xmpDate(xmp.CreateDate),
    ),
  }
  return Object.fromEntries(Object.entries(found).filter(([, v]) => v !== undefined)) as EmbeddedMetadata
}
