// Article bodies are stored as Markdown (one canonical, diffable format) and served three ways:
// `body` (the Markdown), `bodyHtml` (rendered, then sanitised with an allow-list so a frontend
// can inject it as is) and `bodyText` (plain text for search, summaries and feeds).

import type { TokensList } from 'marked'
import { Marked, type Token, type Tokens } from 'marked'
import sanitizeHtml from 'sanitize-html'
import { BodyTooComplexError } from '../../errors.js'
import { uuidPattern } from '../../lib/uuid.js'
import { bodyImageHtml, type MediaEmbedRow } from '../media/media.embeds.js'
import { assertHtmlBudget, lexWithinBudgets, stepCounter } from './articles.body-limits.js'

// Raw HTML inside Markdown is allowed through the renderer and then cleaned by the allow-list,
// so that harmless markup (<sup>, <abbr>) survives and everything else is removed.
// Bodies are lexed by lexWithinBudgets (articles.body-limits.ts), never by marked.parse().
const marked = new Marked({ gfm: true, breaks: false, async: false }, stepCounter)

/** The media records the body being rendered embeds, by id (set only while renderBodyHtml runs). */
let embedding: ReadonlyMap<string, MediaEmbedRow> = new Map()

const mediaScheme = 'media:'

/** The media id an image's href names (`media:<uuid>`), lower-cased; undefined for any other href. */
function mediaIdOf(href: string): string | undefined {
  if (!href.startsWith(mediaScheme)) return undefined
  const id = href.slice(mediaScheme.length)
  return uuidPattern.test(id) ? id.toLowerCase() : undefined
}

// `![alt](media:<id> "title")` is an image from the media library: its responsive <img>. Any
// other `media:` href (not an id, or a record the write did not load) renders nothing.
marked.use({
  renderer: {
    image(token) {
      if (!token.href.startsWith(mediaScheme)) return false
      const id = mediaIdOf(token.href)
      const row = id === undefined ? undefined : embedding.get(id)
      return row ? bodyImageHtml(row, token.text, token.title ?? null) : ''
    },
  },
})

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'blockquote',
    'pre',
    'code',
    'ul',
    'ol',
    'li',
    'strong',
    'em',
    'b',
    'i',
    's',
    'del',
    'sup',
    'sub',
    'abbr',
    'q',
    'cite',
    'a',
    'img',
    'figure',
    'figcaption',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target'],
    // srcset URLs are checked against the schemes below as src is (sanitize-html parses them).
    img: ['src', 'srcset', 'sizes', 'alt', 'title', 'width', 'height', 'loading', 'decoding'],
    abbr: ['title'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
  },
  // No javascript:, data:, vbscript: or protocol-relative tricks: only these schemes survive.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Links leaving the page must not hand it their window.opener or the page URL.
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...attribs, rel: 'noopener noreferrer' },
    }),
  },
}

// A write renders the same body twice (text, then HTML): the last body's tokens are kept so it
// is lexed once, which is a third of the time of the largest bodies.
let lastLexed: { markdown: string; tokens: TokensList } | undefined
function lex(markdown: string): TokensList {
  if (lastLexed?.markdown !== markdown) lastLexed = { markdown, tokens: lexWithinBudgets(markdown, marked.defaults) }
  return lastLexed.tokens
}

/**
 * Sanitised HTML, the media images it embeds rendered from `embeds` (by id); throws
 * BodyTooComplexError (422) for a body outside the rendering budgets.
 */
export function renderBodyHtml(markdown: string, embeds: ReadonlyMap<string, MediaEmbedRow> = new Map()): string {
  embedding = embeds
  try {
    const html = marked.parser(lex(markdown))
    assertHtmlBudget(html)
    return sanitizeHtml(html, sanitizeOptions).trim()
  } finally {
    embedding = new Map()
  }
}

/** The ids of the media images the body embeds (`![alt](media:<id>)`), each once, in order. */
export function bodyMediaIds(markdown: string): string[] {
  const ids = new Set<string>()
  marked.walkTokens(lex(markdown), (token) => {
    if (token.type !== 'image') return
    const id = mediaIdOf((token as Tokens.Image).href)
    if (id !== undefined) ids.add(id)
  })
  return [...ids]
}

/**
 * HTML for a body stored without it (rows older than the bodyHtml column). Such a body was
 * accepted before the rendering budgets existed: one outside them is served as escaped text, so
 * a read never fails on what an earlier write was allowed to store.
 */
export function storedBodyHtml(markdown: string): string {
  try {
    return renderBodyHtml(markdown)
  } catch (err) {
    if (!(err instanceof BodyTooComplexError)) throw err
    return `<p>${escapeText(markdown)}</p>`
  }
}

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function inlineText(tokens: Token[] | undefined): string {
  if (!tokens) return ''
  return tokens
    .map((t) => {
      if (t.type === 'html') return ''
      if (t.type === 'br') return '\n'
      if ('tokens' in t && t.tokens) return inlineText(t.tokens)
      return 'text' in t ? decodeEntities(String(t.text)) : ''
    })
    .join('')
}

function blockText(token: Token): string {
  switch (token.type) {
    case 'space':
    case 'hr':
    case 'html':
      return ''
    case 'list':
      return (token as Tokens.List).items.map((item) => item.tokens.map(blockText).filter(Boolean).join(' ')).join('\n')
    case 'table': {
      const table = token as Tokens.Table
      const row = (cells: Tokens.TableCell[]) => cells.map((c) => inlineText(c.tokens)).join('\t')
      return [row(table.header), ...table.rows.map(row)].join('\n')
    }
    case 'code':
      return (token as Tokens.Code).text
    case 'blockquote':
      return (token as Tokens.Blockquote).tokens.map(blockText).filter(Boolean).join('\n\n')
    default:
      return 'tokens' in token && token.tokens ? inlineText(token.tokens) : 'text' in token ? String(token.text) : ''
  }
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' }
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, name: string) => entities[name] ?? '')
}

/**
 * Plain text: paragraphs separated by blank lines, no markup, no raw HTML. Throws
 * BodyTooComplexError (422) for a body outside the rendering budgets.
 */
export function renderBodyText(markdown: string): string {
  return lex(markdown)
    .map(blockText)
    .map((s) => s.trim())
    .filter(Boolean)
    .join('\n\n')
}
