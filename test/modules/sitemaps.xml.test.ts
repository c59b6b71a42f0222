// A sitemap's <loc> is the URL as WHATWG serialises it. Most URLs are their own serialisation and
// skip the parse (src/modules/sitemaps/sitemaps.xml.ts): whatever the URL, the answer must be the
// parser's.
import fc from 'fast-check'
import { test } from 'tap'
import { serialisedHref, urlsetXml } from '../../src/modules/sitemaps/sitemaps.xml.js'

const href = (url: string) => new URL(url).href
const pick = (chars: string, maxLength: number) =>
  fc.array(fc.constantFrom(...chars.split('')), { maxLength }).map((a) => a.join(''))

// Pieces that WHATWG keeps, changes or refuses: case, IDNA and numeric hosts, ports, dot segments
// (plain and percent-encoded), characters a part encodes (space, quotes, <, >, `, {, }, ^, |, \),
// non-ASCII, tabs and newlines, credentials.
// Mostly clean pieces (most URLs are their own serialisation), some of each kind of trouble.
const often = <T>(clean: fc.Arbitrary<T>, trouble: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: clean, weight: 4 }, { arbitrary: trouble, weight: 1 })
const hostLabel = often(
  pick('abcxyz019-', 8),
  fc.constantFrom('xn--nxasmq6b', 'xn--bad', 'XN--abc', 'Example', '0x7f', '127', '1', 'ex-', '-ex', 'bücher', 'ß'),
)
const host = fc.array(hostLabel, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'))
const tricky = 'aZ09-._~!$&\'()*+,;=:@%/?#\\ "<>`{}^|\t\né日2eE'
const segment = often(
  pick('aZ09-._~!$&()*+,;=:@%', 6),
  // Dot segments, plain and percent-encoded.
  fc.oneof(pick(tricky, 6), fc.constantFrom('.', '..', '%2e', '%2E.', '.%2e', '%2e%2e', 'a.', '..a')), // path-check: not a file path
)
const url = fc
  .record({
    scheme: often(fc.constantFrom('http', 'https'), fc.constantFrom('HTTP', 'Https', 'ftp')),
    credentials: often(fc.constant(''), fc.constantFrom('user@', 'user:pw@')),
    host,
    port: often(fc.constant(''), fc.constantFrom(':80', ':443', ':8080', ':')),
    path: fc.array(segment, { maxLength: 5 }).map((s) => (s.length ? `/${s.join('/')}` : '')),
    query: fc.option(often(pick('aZ09-._~!$&()*+,;=:@%/?', 8), pick(tricky, 8)), { nil: undefined }),
    fragment: fc.option(often(pick("aZ09-._~!$&'()*+,;=:@%/?", 8), pick(tricky, 8)), { nil: undefined }),
  })
  .map(
    (u) =>
      `${u.scheme}://${u.credentials}${u.host}${u.port}${u.path}` +
      `${u.query === undefined ? '' : `?${u.query}`}${u.fragment === undefined ? '' : `#${u.fragment}`}`,
  )

test("serialisedHref is the WHATWG parser's serialisation, whatever the URL", (t) => {
  let skipped = 0
  let parsed = 0
  fc.assert(
    fc.property(url, (u) => {
      let expected: string
      try {
        expected = href(u)
      } catch {
        // Not a URL: the parse is what refuses it.
        parsed++
        try {
          serialisedHref(u)
          return false
        } catch {
          return true
        }
      }
      if (expected === u) skipped++
      return serialisedHref(u) === expected
    }),
    { numRuns: 20_000 },
  )
  t.ok(skipped > 1000, `many generated URLs are their own serialisation (${skipped})`)
  t.ok(parsed > 100, `and many are not URLs (${parsed})`)
  t.end()
})

test('URLs from the templates keep their serialisation; others are serialised', (t) => {
  const cases: [string, string][] = [
    ['https://www.example.com/news/2026/11/a-slug', 'https://www.example.com/news/2026/11/a-slug'],
    [
      'https://www.example.com/world/middle-east/a-slug?ref=rss&x=1',
      'https://www.example.com/world/middle-east/a-slug?ref=rss&x=1',
    ],
    ['https://WWW.Example.com/a', 'https://www.example.com/a'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com:443/a', 'https://example.com/a'],
    ['https://example.com/a/../b/./c', 'https://example.com/b/c'],
    ['https://example.com/a/%2e%2E/b', 'https://example.com/b'],
    ["https://example.com/it's?q=it's", "https://example.com/it's?q=it%27s"],
    ['https://example.com/ä ö', 'https://example.com/%C3%A4%20%C3%B6'],
    ['https://0x7f.1/a', 'https://127.0.0.1/a'],
    ['https://bücher.example/a', 'https://xn--bcher-kva.example/a'],
  ]
  for (const [input, expected] of cases) t.equal(serialisedHref(input), expected, input)
  // An IDNA label goes to the parser, whose verdict on a bad one differs between Node versions
  // (an error, or the host as given): the answer is the parser's either way.
  const outcome = (f: () => string) => {
    try {
      return f()
    } catch {
      return 'refused'
    }
  }
  for (const input of ['https://xn--bad/', 'https://xn--nxasmq6b.example/a']) {
    t.equal(
      outcome(() => serialisedHref(input)),
      outcome(() => href(input)),
      input,
    )
  }
  // In the XML, & is escaped whichever way the URL went.
  const xml = urlsetXml([{ url: 'https://example.com/a?x=1&y=2', lastmod: '2026-11-30T00:00:00.000Z' }])
  t.match(String(xml), '<loc>https://example.com/a?x=1&amp;y=2</loc>')
  t.end()
})

test('a <urlset> of many pieces is the bytes of the whole text, multibyte characters included', (t) => {
  // ~170,000 characters: ten pieces or more, each holding Greek, guillemets and astral emoji.
  const date = '2026-11-30T00:00:00.000Z'
  const entries = Array.from({ length: 600 }, (_, i) => ({
    url: `https://www.example.com/news/${i}`,
    lastmod: date,
    news: {
      publication: { name: 'Εφημερίδα 🗞', language: 'el' },
      publicationDate: date,
      title: `Τίτλος ${i} — «news» & 😀`,
    },
  }))
  const expected =
    '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"' +
    ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' +
    entries
      .map(
        (e, i) =>
          `<url><loc>${e.url}</loc><lastmod>${date}</lastmod><news:news><news:publication>` +
          '<news:name>Εφημερίδα 🗞</news:name><news:language>el</news:language></news:publication>' +
          `<news:publication_date>${date}</news:publication_date>` +
          `<news:title>Τίτλος ${i} — «news» &amp; 😀</news:title></news:news></url>`,
      )
      .join('') +
    '</urlset>'
  t.ok(expected.length > 160_000)
  const xml = urlsetXml(entries, true)
  t.ok(xml.equals(Buffer.from(expected)), 'the same bytes as the whole text encoded at once')
  t.equal(urlsetXml([]).toString(), `${expected.slice(0, expected.indexOf(' xmlns:news'))}></urlset>`)
  t.end()
})
