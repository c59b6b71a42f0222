// The JSON body parser: Fastify's own (secure-json-parse, refusing __proto__ and constructor
// poisoning), behind a nesting-depth bound. A body nested 10,000 levels deep parsed, then broke
// the recursive steps after parsing (validation, serialisation) with a 500; no payload of this
// API comes near the bound (an article is four levels deep).
import type { FastifyInstance } from 'fastify'
import { JsonTooDeepError } from '../errors.js'

const maxJsonDepth = 64

/** Whether arrays and objects nest deeper than `max`; one pass, no recursion, any input. */
function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92)
        i++ // backslash: the next character is escaped
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > max) return true
    } else if (c === 125 || c === 93) depth--
  }
  return false
}

/** Replaces the application/json parser; call before any route is added. */
export function useBoundedJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string, maxJsonDepth)) return done(new JsonTooDeepError(maxJsonDepth), undefined)
    parse(request, body as string, done)
  })
}
