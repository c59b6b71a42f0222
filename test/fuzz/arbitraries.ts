// Generators for the fuzz suite: values derived from an operation's JSON schemas (valid, or with
// one field broken) and the families of hostile input a client can send.
import fc from 'fast-check'

export interface JsonSchema {
  type?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  anyOf?: JsonSchema[]
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
}

/** Record ids and slugs the suite created, so that generated requests also reach real records. */
export interface Known {
  uuids: string[]
  slugs: string[]
}

/** Markdown nested thousands deep: quotes, lists, emphasis, links, HTML. */
export const deepMarkdown: string[] = [1000, 5000, 20000].flatMap((n) => [
  `${'> '.repeat(n)}quote`,
  `${'- '.repeat(n)}item`,
  `${'1. '.repeat(n)}item`,
  `${'> - '.repeat(n)}item`,
  `${'*'.repeat(n)}x${'*'.repeat(n)}`,
  `${'['.repeat(n)}link${'](x)'.repeat(n)}`,
  '<div>'.repeat(n),
  // Quadratic in size: 300 levels is already 90,000 characters.
  Array.from({ length: Math.min(n, 300) }, (_, i) => `${'  '.repeat(i)}- item`).join('\n'),
])

/** Strings that break parsers, encoders, databases and renderers. */
export const hostileStrings: string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '\u202E\u200B\uFEFF',
  '💥'.repeat(50),
  'é'.repeat(3000),
  'x'.repeat(257),
  'x'.repeat(70000),
  '%ZZ',
  '../../etc/passwd', // path-check: not a file path (a traversal attempt sent as a value)
  "'; DROP TABLE articles; --",
  '<script>alert(1)</script>',
  '1e308',
  '-1e308',
  '1e400',
  '-0',
  'NaN',
  'Infinity',
  '99999999999',
  '2147483648',
  '-2147483649',
  '0x10',
  '0000-01-01T00:00:00Z',
  '2016-12-31T23:59:60Z',
  '9999-12-31T23:59:59-14:00',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  'http://',
  'http:///x',
  'javascript:alert(1)',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '-'.repeat(60),
  `${'- '.repeat(40)}x`,
]

/** Any string, favouring the hostile ones. */
export const hostileText = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.constantFrom(...deepMarkdown),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
)

function deep(n: number, open: string, close: string, leaf: unknown): unknown {
  return JSON.parse(`${open.repeat(n)}${JSON.stringify(leaf)}${close.repeat(n)}`)
}

/** Any JSON value, with extremes: wrong types, huge and deep values, odd strings. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.constantFrom(1e308, -1e308, -0, 0.1, 2147483648, 99999999999, Number.MAX_SAFE_INTEGER + 2, -1),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(true, false, null, [], {}, [null], { '': '' }),
  fc.constantFrom(deep(500, '[', ']', 'x'), deep(500, '{"a":', '}', 'x')),
  fc.jsonValue({ maxDepth: 3 }),
)

// fast-check's stringMatching has no lookaround: generate from the pattern without it, then keep
// the strings the whole pattern accepts.
function withoutLookaround(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      out += pattern.slice(i, i + 2)
      i++
    } else if (pattern.startsWith('(?=', i) || pattern.startsWith('(?!', i)) {
      let depth = 0
      for (; i < pattern.length; i++) {
        if (pattern[i] === '\\') i++
        else if (pattern[i] === '(') depth++
        else if (pattern[i] === ')' && --depth === 0) break
      }
    } else {
      out += pattern[i]
    }
  }
  return out
}

function stringFrom(schema: JsonSchema, known: Known): fc.Arbitrary<string> {
  const { minLength = 0, maxLength = 60 } = schema
  if (schema.format === 'uuid') {
    return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known.uuids) }, { weight: 1, arbitrary: fc.uuid() })
  }
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
      .map((d) => d.toISOString())
  }
  if (schema.format === 'uri') return fc.constantFrom('https://news.example/a', 'http://[::1]:8080/x?y=1#z')
  // Free text also takes the hostile strings that fit its bounds; long text (a Markdown body)
  // takes deeply nested Markdown half the time.
  // (NUL aside: every request carrying one is refused before the rest is looked at.)
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength && !s.includes('\u0000')
  const hostile = hostileStrings.filter(fits)
  const deep = deepMarkdown.filter(fits)
  // And the ids and slugs of real records: a free-text "id or slug" field then names one.
  const names = [...known.uuids, ...known.slugs].filter(fits)
  let text: fc.Arbitrary<string> = fc.oneof(
    { weight: 2, arbitrary: fc.string({ minLength, maxLength: Math.min(maxLength, 60) }) },
    ...(names.length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...names) }] : []),
    ...(hostile.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...hostile) }] : []),
    ...(deep.length > 0 ? [{ weight: maxLength >= 10000 ? 3 : 1, arbitrary: fc.constantFrom(...deep) }] : []),
  )
  if (schema.pattern) {
    const full = new RegExp(schema.pattern, 'u')
    const slugs = known.slugs.filter((s) => full.test(s))
    text = fc
      .stringMatching(new RegExp(withoutLookaround(schema.pattern), 'u'), { size: 'small' })
      .filter((s) => full.test(s))
    if (slugs.length > 0)
      text = fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...slugs) }, { weight: 3, arbitrary: text })
  }
  return text.filter((s) => s.length >= minLength && s.length <= maxLength)
}

/** A value the schema accepts (give or take what a schema cannot say, such as uniqueness across rows). */
export function valid(schema: JsonSchema, known: Known): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => valid(s, known)))
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum) return fc.constantFrom(...schema.enum)
  switch (schema.type) {
    case 'string':
      return stringFrom(schema, known)
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1000, 2147483647) })
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array': {
      const item = valid(schema.items ?? {}, known)
      const size = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) }
      return schema.uniqueItems
        ? fc.uniqueArray(item, { ...size, selector: (v) => JSON.stringify(v) })
        : fc.array(item, size)
    }
    case 'object': {
      const properties = schema.properties ?? {}
      const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valid(s, known)]))
      return fc.record(model, { requiredKeys: schema.required ?? [] })
    }
    default:
      return hostileJson
  }
}

/** A value valid but for one field, broken at any depth, or a hostile value in its place. */
export function broken(schema: JsonSchema, known: Known): fc.Arbitrary<unknown> {
  const object = schema.anyOf?.find((s) => s.type === 'object') ?? schema
  const keys = Object.keys(object.properties ?? {})
  if (object.type !== 'object' || keys.length === 0) return hostileJson
  return fc
    .tuple(valid(object, known) as fc.Arbitrary<Record<string, unknown>>, fc.constantFrom(...keys))
    .chain(([value, key]) =>
      fc.oneof(hostileJson, broken(object.properties?.[key] ?? {}, known)).map((field) => ({ ...value, [key]: field })),
    )
}

/** Percent-encodes UTF-8 (lone surrogates become U+FFFD, as on the wire); never throws. */
export function encode(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** Sent as they are: malformed percent-encoding, NUL, overlong UTF-8. */
export const rawTokens = ['%ZZ', '%', '%00', '%C0%AF', '%F0%9F', '%ED%A0%80', '+', '%2F..%2F']

/** Header values: printable ASCII and Latin-1 (what HTTP/1.1 carries), extremes included. */
export const headerText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
  fc.constantFrom('', ' ', 'x'.repeat(201), 'x'.repeat(8000), '\t', 'é', '"v1"', '*'),
)

export const ifMatchValues = fc.oneof(
  headerText,
  fc.constantFrom('*', '"v1"', 'W/"v1"', '"v99999999999"', '"v1e308"', '"v-1"', '"v0"', ',', '"v1", "v2"', '"', '""'),
)

export function authorizationValues(token: string) {
  return fc.oneof(
    headerText,
    fc.constantFrom(
      'Bearer ',
      'Bearer nd_',
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `bearer ${token}`,
      `Bearer  ${token}`,
      'Bearer nd_00000000000000000000000000000000_x',
      'Basic YTpi',
      `Bearer ${'x'.repeat(5000)}`,
    ),
  )
}
