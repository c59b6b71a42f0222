// Work budgets for rendering an article body. marked and sanitize-html are fast on prose but not
// on every input: 50,000 nested list markers in 100 KB exhaust the heap (each level copies the
// rest of the text), a few thousand nested levels overflow the stack, emphasis markers cost the
// square of their number in a paragraph, and a wide table header pads every following line to
// its width. A body outside these budgets is refused with BodyTooComplexError (422) as soon as
// it goes over one; everything inside them renders in bounded time and memory.
//
// Two checks, linear in the body's length:
// - a pre-scan of the text (length, emphasis markers, reference definitions, table cells,
//   characters that become HTML entities), for the costs that arise inside one tokenizer call;
// - a lexer that counts as it goes (nesting depth of block containers and of inline spans,
//   and the number of tokenizer steps, which bounds the tokens and the HTML elements), stopping
//   at the first step over budget; then the length of the HTML, before it is sanitised.
//
// Measured (2026-11, Node 20, one of 2 shared cores) on the largest input of each shape the
// budgets allow, rendered as a write does (text + HTML; best / worst of 3, heap growth):
//   autolinks "www.a.com " × 14,592 (146 KB)      400 / 560 ms   17 MB
//   reference uses "[r1] " × 9,312 + 1,000 defs    381 / 506 ms   16 MB
//   lists 16 deep, × 1,664 (58 KB)                 257 / 520 ms   15 MB
//   table 4 columns × 3,328 rows                   213 / 437 ms    8 MB
//   table 100 columns × 196 rows                   354 / 391 ms    6 MB
//   quotes and lists mixed 16 deep, × 1,556        306 / 356 ms   14 MB
//   dense prose (a link and bold every 90 chars)   178 / 298 ms   10 MB  (200 KB)
//   emphasis, 1,000 markers in one paragraph         1 /   1 ms    0 MB
//   30,000 '<' in 200 KB                            65 / 121 ms   16 MB
//   unclosed '<?' × 1,000 before 98 KB of text      35 /  51 ms   (the budget's edge; '<!--' alike)
// Before the budgets: 2,000 nested list markers overflowed the stack, 50,000 exhausted the heap,
// and 100 KB of "_a" took 21 s (90 KB of "*a_": 267 s).
import { Lexer, type MarkedOptions, type Token, type TokenizerExtension, type TokensList } from 'marked'
import { BodyTooComplexError, withProblem } from '../../errors.js'

export const bodyLimits = {
  /** Characters; the same bound as the API schema, so seeds and old rows are held to it too. */
  length: 200_000,
  /** Lists and block quotes inside one another. */
  nestingDepth: 16,
  /** Emphasis, links and strikethrough inside one another. */
  inlineDepth: 32,
  /** Tokenizer steps (about one per token: block, inline or table cell). */
  steps: 30_000,
  /** Characters of HTML handed to the sanitiser, whose time grows with them (~0.5 µs each). */
  htmlLength: 600_000,
  /** The sum over paragraphs of (emphasis markers *, _, ~ in the paragraph)². */
  emphasisWork: 1_000_000,
  /** Link reference definitions ("[label]: url"). */
  referenceDefinitions: 1_000,
  /** Table cells, counted as the widest row times the rows. */
  tableCells: 20_000,
  /** Characters that leave the renderer as entities: & < " ' (> too, but it also marks quotes). */
  entityCharacters: 30_000,
  /**
   * The sum over paragraphs of ('<?' and '<!' in the paragraph) × (its length): at each, the
   * inline HTML rules (<?…?>, <!--…-->, <!X…>, <![CDATA[…]]>) search to the paragraph's end for a
   * close that may never come, so unclosed ones cost the product (29,000 '<?' before 140 KB of
   * text: ~2 s). Other tags stop at the first character that cannot be in a tag.
   */
  angleWork: 100_000_000,
} as const

function tooComplex(reason: string): never {
  throw withProblem(new BodyTooComplexError(reason), {
    errors: [{ in: 'body', pointer: '/body', message: reason }],
  })
}

interface ScanTotals {
  emphasisWork: number
  angleWork: number
  referenceDefinitions: number
  tableCells: number
  entityCharacters: number
}

// Paragraph-level counts use runs of lines without a blank line between them: no inline span
// and no table crosses a blank line, so a run bounds every paragraph, heading or table in it
// from above. Line ends are \n, \r\n or \r, as marked reads them.
function scan(markdown: string): ScanTotals {
  const totals: ScanTotals = {
    emphasisWork: 0,
    angleWork: 0,
    referenceDefinitions: 0,
    tableCells: 0,
    entityCharacters: 0,
  }
  let runMarkers = 0
  let runAngles = 0
  let runStart = 0
  let runLines = 0
  let runPipes = 0
  let linePipes = 0
  let lineBlank = true
  const endRun = (at: number) => {
    totals.emphasisWork += runMarkers * runMarkers
    totals.angleWork += runAngles * (at - runStart)
    if (runPipes > 0) totals.tableCells += (runPipes + 1) * runLines
    runMarkers = 0
    runAngles = 0
    runStart = at
    runLines = 0
    runPipes = 0
  }
  for (let i = 0; i <= markdown.length; i++) {
    const c = i < markdown.length ? markdown.charCodeAt(i) : 10
    if (c === 10 || c === 13) {
      if (c === 13 && markdown.charCodeAt(i + 1) === 10) i++
      if (lineBlank) endRun(i)
      else {
        runLines++
        if (linePipes > runPipes) runPipes = linePipes
      }
      linePipes = 0
      lineBlank = true
      continue
    }
    if (c !== 32 && c !== 9) lineBlank = false
    switch (c) {
      case 42: // *
      case 95: // _
      case 126: // ~
        runMarkers++
        break
      case 124: // |
        linePipes++
        break
      case 93: // ]
        if (markdown.charCodeAt(i + 1) === 58) totals.referenceDefinitions++ // ]:
        break
      case 60: {
        // <
        const next = markdown.charCodeAt(i + 1)
        if (next === 63 || next === 33) runAngles++ // <? <!
        totals.entityCharacters++
        break
      }
      case 38: // &
      case 34: // "
      case 39: // '
        totals.entityCharacters++
        break
    }
  }
  endRun(markdown.length)
  return totals
}

/** Throws BodyTooComplexError unless the text is within the budgets the pre-scan checks. */
function assertScanBudgets(markdown: string): void {
  if (markdown.length > bodyLimits.length) tooComplex(`it is longer than ${bodyLimits.length} characters`)
  const totals = scan(markdown)
  if (totals.emphasisWork > bodyLimits.emphasisWork) {
    tooComplex(
      `it has too many emphasis markers (*, _, ~) in its paragraphs (the sum over paragraphs of their count squared is limited to ${bodyLimits.emphasisWork})`,
    )
  }
  if (totals.referenceDefinitions > bodyLimits.referenceDefinitions) {
    tooComplex(`it has more than ${bodyLimits.referenceDefinitions} link reference definitions`)
  }
  if (totals.tableCells > bodyLimits.tableCells) {
    tooComplex(`its tables have more than ${bodyLimits.tableCells} cells`)
  }
  if (totals.angleWork > bodyLimits.angleWork) {
    tooComplex(
      `it has too many '<?' and '<!' in long paragraphs (the sum over paragraphs of their count times the paragraph's length is limited to ${bodyLimits.angleWork}; blank lines between paragraphs or HTML blocks help)`,
    )
  }
  if (totals.entityCharacters > bodyLimits.entityCharacters) {
    tooComplex(`it has more than ${bodyLimits.entityCharacters} of the characters & < " '`)
  }
}

/** A marked lexer that stops at the first step over the nesting or work budgets. */
class BudgetedLexer extends Lexer {
  #blockDepth = 0
  #inlineDepth = 0
  #steps = 0

  step(): void {
    if (++this.#steps > bodyLimits.steps) tooComplex(`it has more than ${bodyLimits.steps} Markdown elements`)
  }

  override blockTokens(src: string, tokens?: Token[], lastParagraphClipped?: boolean): Token[]
  override blockTokens(src: string, tokens?: TokensList, lastParagraphClipped?: boolean): TokensList
  override blockTokens(src: string, tokens?: Token[], lastParagraphClipped?: boolean): Token[] {
    // The document itself is depth 1; each list item or block quote adds one.
    if (++this.#blockDepth > bodyLimits.nestingDepth + 1) {
      tooComplex(`its lists and block quotes nest more than ${bodyLimits.nestingDepth} levels deep`)
    }
    try {
      return super.blockTokens(src, tokens, lastParagraphClipped)
    } finally {
      this.#blockDepth--
    }
  }

  override inlineTokens(src: string, tokens?: Token[]): Token[] {
    if (++this.#inlineDepth > bodyLimits.inlineDepth) {
      tooComplex(`its emphasis, links and strikethrough nest more than ${bodyLimits.inlineDepth} levels deep`)
    }
    try {
      return super.inlineTokens(src, tokens)
    } finally {
      this.#inlineDepth--
    }
  }
}

// marked offers every block and inline extension the chance to tokenize at each step; these
// never do, they only count the step.
const countStep: TokenizerExtension['tokenizer'] = function () {
  if (this.lexer instanceof BudgetedLexer) this.lexer.step()
  return undefined
}

/** Register with Marked.use() so that a BudgetedLexer sees every tokenizer step. */
export const stepCounter = {
  extensions: [
    { name: 'newsdeskStepBudgetBlock', level: 'block', tokenizer: countStep },
    { name: 'newsdeskStepBudgetInline', level: 'inline', tokenizer: countStep },
  ] satisfies TokenizerExtension[],
}

/** Throws BodyTooComplexError when the rendered HTML is too long to sanitise quickly. */
export function assertHtmlBudget(html: string): void {
  if (html.length > bodyLimits.htmlLength)
    tooComplex(`it renders to more than ${bodyLimits.htmlLength} characters of HTML`)
}

/** Tokens for a body within every budget; throws BodyTooComplexError otherwise. */
export function lexWithinBudgets(markdown: string, options: MarkedOptions): TokensList {
  assertScanBudgets(markdown)
  return new BudgetedLexer(options).lex(markdown)
}
