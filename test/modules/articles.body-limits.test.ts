// Rendering budgets for article bodies: pathological Markdown is refused with a 422 before it
// can exhaust the heap, overflow the stack or hold the event loop, and everything the budgets
// allow renders in bounded time. FUZZ_RUNS=<n> runs the property test longer (default 400 runs,
// 10–15 s on a CI machine); FUZZ_SEED=<n> replays a failing run (fast-check prints its seed).
import fc from 'fast-check'
import { test } from 'tap'
import { renderBodyHtml, renderBodyText } from '../../src/modules/articles/articles.body.js'
import { bodyLimits } from '../../src/modules/articles/articles.body-limits.js'
import { assertProblem, build, json } from '../helper.js'
import { env } from './articles.helpers.js'

/**
 * Renders as a write does (text and HTML): the error, if any, and the CPU time and heap it took.
 * CPU time, not wall time: other processes on a shared CI machine must not fail the bound.
 */
function render(markdown: string) {
  const heapBefore = process.memoryUsage().heapUsed
  const started = process.cpuUsage()
  let error: unknown
  try {
    renderBodyText(markdown)
    renderBodyHtml(markdown)
  } catch (err) {
    error = err
  }
  const cpu = process.cpuUsage(started)
  return {
    error: error as (Error & { code?: string; statusCode?: number }) | undefined,
    ms: (cpu.user + cpu.system) / 1000,
    heapMb: (process.memoryUsage().heapUsed - heapBefore) / 1e6,
  }
}

const fill = (unit: string, length: number = bodyLimits.length) => unit.repeat(Math.floor(length / unit.length))

test('deep nesting is refused with a 422 error naming the limit, at any depth', async (t) => {
  const attack = render(`${'- '.repeat(50_000)}x`)
  t.equal(attack.error?.code, 'ND_BODY_TOO_COMPLEX', 'the 100 KB list attack')
  t.equal(attack.error?.statusCode, 422)
  t.match(attack.error?.message, /body .*nest more than 16 levels/)
  t.ok(attack.ms < 1000, `refused in ${attack.ms.toFixed(0)} ms`)
  for (const depth of [17, 2000, 10_000, 30_000]) {
    for (const marker of ['- ', '> ', '> - ', '1. ']) {
      const result = render(`${marker.repeat(depth)}x`)
      t.equal(result.error?.code, 'ND_BODY_TOO_COMPLEX', `${JSON.stringify(marker)} × ${depth}`)
    }
  }
  const indented = Array.from({ length: 40 }, (_, i) => `${' '.repeat(i * 2)}- item`).join('\n')
  t.equal(render(indented).error?.code, 'ND_BODY_TOO_COMPLEX', 'nesting by indentation')
  const inline = `${'*a '.repeat(40)}c${'* d'.repeat(40)}`
  t.equal(render(inline).error?.code, 'ND_BODY_TOO_COMPLEX', 'emphasis nested 40 deep')
})

test('the nesting limit is exact: 16 levels render, 17 do not', async (t) => {
  for (const marker of ['- ', '> ', '> - ']) {
    const levels = (n: number) => `${marker.repeat(marker === '> - ' ? n / 2 : n)}deepest`
    t.equal(render(levels(16)).error, undefined, `${JSON.stringify(marker)}: 16 levels render`)
    t.equal(render(levels(17 + (marker === '> - ' ? 1 : 0))).error?.code, 'ND_BODY_TOO_COMPLEX')
  }
  t.match(renderBodyHtml(`${'> '.repeat(16)}deepest`), /(<blockquote>\s*){16}<p>deepest<\/p>/)
})

test('each budget refuses what is over it and nothing ordinary', async (t) => {
  const over: Record<string, string> = {
    length: 'a'.repeat(bodyLimits.length + 1),
    emphasis: '*a_'.repeat(501),
    references: Array.from({ length: 1001 }, (_, i) => `[r${i}]: https://x.example/${i}`).join('\n'),
    tableCells: `|${'a|'.repeat(200)}\n|${'-|'.repeat(200)}\n${'|b|\n'.repeat(100)}`,
    entities: '&'.repeat(bodyLimits.entityCharacters + 1),
    steps: fill('[a](u) '),
    // Unclosed '<?' each search the rest of the paragraph: ~2 s before this budget.
    unclosedHtml: `x${'<?'.repeat(29_000)}${'a'.repeat(140_000)}`,
  }
  for (const [name, body] of Object.entries(over)) {
    const result = render(body)
    t.equal(result.error?.code, 'ND_BODY_TOO_COMPLEX', `${name}: refused`)
    t.ok(result.ms < 1000, `${name}: refused in ${result.ms.toFixed(0)} ms`)
  }
  const ordinary = fill(
    'The **Joint Operations Command** said, [according to the AP](https://apnews.com/), "that\'s all".\n\n',
    100_000,
  )
  t.equal(render(ordinary).error, undefined, 'a 100 KB article with markup on every line renders')
  const table = `|${' a |'.repeat(10)}\n|${'---|'.repeat(10)}\n${`|${' 1 |'.repeat(10)}\n`.repeat(500)}`
  t.equal(render(table).error, undefined, 'a 10 × 500 table renders')
})

// The largest input of each expensive shape that the budgets allow (found by searching each
// shape's size; the figures measured on them are in articles.body-limits.ts). The bound asserted
// here leaves room for a loaded CI machine.
const worstAllowed: Record<string, string> = {
  autolinks: 'www.a.com '.repeat(14_500),
  references: `${Array.from({ length: 1000 }, (_, i) => `[r${i}]: http://x/${i}`).join('\n')}\n\n${'[r1] '.repeat(9_300)}`,
  lists16: `${'- '.repeat(16)}x\n\n`.repeat(1_650),
  quotesAndLists16: `${'> - '.repeat(8)}x\n\n`.repeat(1_550),
  indentation16: Array.from({ length: 7_700 }, (_, i) => `${' '.repeat((i % 16) * 2)}- x`).join('\n'),
  narrowTable: `|a|b|c|d|\n|-|-|-|-|\n${'|1|2|3|4|\n'.repeat(3_300)}`,
  wideTable: `|${'a|'.repeat(99)}\n|${'-|'.repeat(99)}\n${'|b|\n'.repeat(196)}`,
  denseProse: fill('The quick brown fox jumps over the "lazy" dog, said **someone** in [a link](http://x.com).\n\n'),
  emphasisInOneParagraph: '*a_'.repeat(500),
  nestedEmphasis: `${'*a _b '.repeat(8)}c${'_ d* '.repeat(8)}\n\n`.repeat(600),
  entities: `${'<'.repeat(29_900)}${'a'.repeat(bodyLimits.length - 29_900)}`,
  oneDeepLine: `${'- '.repeat(16)}${'x'.repeat(bodyLimits.length - 40)}`,
  rawHtml: '<b>x</b> '.repeat(7_400),
  unclosedHtml: `x${'<?'.repeat(1_000)}${'a'.repeat(97_990)}`,
  unclosedComments: `x${'<!--'.repeat(500)}${'a'.repeat(197_990)}`,
  htmlTable: `<table>\n${'<tr><td>cell</td><td>cell</td><td>cell</td></tr>\n'.repeat(1_200)}</table>`,
}

test('the worst allowed inputs render in bounded time and memory', async (t) => {
  for (const [name, body] of Object.entries(worstAllowed)) {
    const result = render(body)
    t.equal(result.error, undefined, `${name} (${body.length} chars) is allowed`)
    t.ok(result.ms < 2000, `${name}: ${result.ms.toFixed(0)} ms`)
    t.ok(result.heapMb < 256, `${name}: ${result.heapMb.toFixed(0)} MB of heap`)
  }
})

const specials = ['*', '_', '~', '`', '[', ']', '(', ')', '<', '>', '&', '!', '\\', '|', '#', '-', '"', "'", ':']

/** Markdown built to be expensive: deep containers, delimiter runs, references, tables, noise. */
const pathologicalMarkdown = fc.oneof(
  // One line of container markers, of any depth and mix.
  fc
    .tuple(fc.constantFrom('- ', '> ', '* ', '1. ', '> - ', '+ > ', '>'), fc.integer({ min: 1, max: 60_000 }))
    .map(([marker, n]) => `${marker.repeat(n)}x`),
  // Many lines, each nested by markers and indentation.
  fc
    .tuple(
      fc.array(fc.constantFrom('- ', '> ', '  ', '1. ', '    ', '* '), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 5000 }),
    )
    .map(([prefix, lines]) => `${prefix.join('')}line\n`.repeat(lines)),
  // Emphasis, strikethrough and backtick runs.
  fc
    .tuple(
      fc.constantFrom('*', '_', '~', '**', '__', '~~', '*a', '_a', '*a_', 'a_', '`', '`a``', '*a _b ', '** '),
      fc.integer({ min: 1, max: 60_000 }),
      fc.constantFrom('', '\n\n', '\n'),
    )
    .map(([run, n, joiner]) => Array.from({ length: Math.ceil(n / 500) }, () => run.repeat(500)).join(joiner)),
  // Link reference definitions and their uses.
  fc
    .tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 20_000 }))
    .map(
      ([defs, uses]) =>
        `${Array.from({ length: defs }, (_, i) => `[r${i}]: https://x.example/${i}`).join('\n')}\n\n${Array.from({ length: uses }, (_, i) => `[r${i % defs}]`).join(' ')}`,
    ),
  // Tables, wide and long.
  fc
    .tuple(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 5000 }), fc.boolean())
    .map(
      ([cols, rows, short]) =>
        `|${'a|'.repeat(cols)}\n|${'-|'.repeat(cols)}\n${(short ? 'b\n' : `|${'c|'.repeat(cols)}\n`).repeat(rows)}`,
    ),
  // Unclosed inline HTML openers, each searching the rest of its paragraph.
  fc
    .tuple(
      fc.constantFrom('<?', '<!--', '<!X ', '<![CDATA[', '<a ', '</'),
      fc.integer({ min: 1, max: 40_000 }),
      fc.integer({ min: 0, max: 150_000 }),
    )
    .map(([opener, n, tail]) => `x${opener.repeat(n)}${'a'.repeat(tail)}`.slice(0, 200_000)),
  // Long lines of special characters.
  fc.string({ unit: fc.constantFrom(...specials, ' ', 'a', '\n'), minLength: 1, maxLength: 200_000 }),
  // Fragments of the above, mixed.
  fc
    .array(fc.constantFrom(...specials, '- ', '> ', '\n', '\n\n', '    ', 'word ', '[a](b)', '<b>', '```\n'), {
      minLength: 1,
      maxLength: 2000,
    })
    .chain((parts) => fc.integer({ min: 1, max: 200 }).map((times) => parts.join('').repeat(times))),
)

test('fuzz: every pathological body renders in bounded time and heap, or is refused with a 422', async (t) => {
  const numRuns = Number(process.env.FUZZ_RUNS || 400)
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined
  let refused = 0
  fc.assert(
    fc.property(pathologicalMarkdown, (markdown) => {
      const result = render(markdown)
      if (result.error) {
        if (result.error.code !== 'ND_BODY_TOO_COMPLEX') throw result.error
        refused++
      }
      if (result.ms > 1000) throw new Error(`${markdown.length} chars took ${result.ms.toFixed(0)} ms`)
      if (result.heapMb > 256) throw new Error(`${markdown.length} chars grew the heap by ${result.heapMb} MB`)
    }),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  )
  t.pass(`${numRuns} bodies: ${refused} refused, ${numRuns - refused} rendered`)
})

test('through the API: the attack body is a 422 problem and the server keeps answering', async (t) => {
  const { app, auth } = await build(t, { env })
  const attack = `${'- '.repeat(50_000)}x`
  const created = await app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: auth,
    payload: { headline: 'Nested', body: attack },
  })
  const problem = assertProblem(t, created, 422, 'ND_BODY_TOO_COMPLEX')
  t.match(problem.detail, /body.*16 levels/)
  t.same(problem.errors, [
    { in: 'body', pointer: '/body', message: 'its lists and block quotes nest more than 16 levels deep' },
  ])

  const ok = await app.inject({ method: 'POST', url: '/v1/articles', headers: auth, payload: { headline: 'Fine' } })
  t.equal(ok.statusCode, 201, 'the next write succeeds')
  const id = json<{ id: string }>(ok).id
  const patched = await app.inject({
    method: 'PATCH',
    url: `/v1/articles/${id}`,
    headers: { ...auth, 'if-match': ok.headers.etag as string },
    payload: { body: `${'> '.repeat(20_000)}x` },
  })
  assertProblem(t, patched, 422, 'ND_BODY_TOO_COMPLEX')
  const unchanged = await app.inject({ url: `/v1/articles/${id}`, headers: auth })
  t.equal(json<{ version: number }>(unchanged).version, 1, 'the refused update left nothing behind')
  t.equal((await app.inject('/health/live')).statusCode, 200, 'the server still answers')
})

test('a body stored before the budgets, without its HTML, is still read (as escaped text)', async (t) => {
  const { app, db, auth } = await build(t, { env })
  const created = await app.inject({ method: 'POST', url: '/v1/articles', headers: auth, payload: { headline: 'Old' } })
  const id = json<{ id: string }>(created).id
  // As a row written before bodyHtml existed and before the budgets did: no stored HTML.
  const legacy = `${'> '.repeat(40)}<b>x</b> & more`
  await db.prisma.article.update({ where: { id }, data: { body: legacy, bodyHtml: null } })
  const res = await app.inject({ url: `/v1/articles/${id}?fields=body,bodyHtml`, headers: auth })
  t.equal(res.statusCode, 200)
  const article = json<{ body: string; bodyHtml: string }>(res)
  t.equal(article.body, legacy)
  t.equal(article.bodyHtml, `<p>${legacy.replace(/&/g, '&#38;').replace(/</g, '&#60;').replace(/>/g, '&#62;')}</p>`)
})
