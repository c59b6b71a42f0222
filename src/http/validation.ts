// Request validation. Fastify's default Ajv silently strips unknown properties and coerces body
// types; Newsdesk rejects unknown fields and parameters (a typo must never be ignored) and only
// coerces where HTTP carries strings (query string, path, headers).
import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify'
import { invalidRequest } from '../errors.js'
import { parseTimestamp } from '../lib/ranges.js'

// ajv-formats ships CommonJS whose default export TypeScript sees one level deep.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

const common: Options = {
  removeAdditional: false,
  useDefaults: true,
  allErrors: true,
  strict: false,
}

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options })
  addFormats(ajv)
  // ajv-formats' date-time takes year 0000, leap seconds and a space for the T: values the
  // services then hand to PostgreSQL (22008) or to Date (an invalid date). One stricter
  // definition for every date-time the API accepts: src/lib/ranges.ts.
  ajv.addFormat('date-time', { type: 'string', validate: (value) => parseTimestamp(value) !== undefined })
  return ajv
}

type Validate = ReturnType<Ajv['compile']>

/**
 * A validator compiled on its first call, exposing `errors` as Ajv's own does (Fastify reads them
 * after a failed call). Compiling the ~300 route validators at start-up took about a third of the
 * time `npm start` needed to be ready; a route's first request now pays for its own (a few ms).
 */
function lazyValidator(compile: () => Validate): Validate {
  let validate: Validate | undefined
  const lazy = ((data: unknown) => {
    validate ??= compile()
    const valid = validate(data)
    lazy.errors = validate.errors
    return valid
  }) as Validate
  return lazy
}

/** Validators compiled once per distinct schema and part (routes share params, headers, bodies). */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv({ coerceTypes: false })
  const coercing = createAjv({ coerceTypes: 'array' })
  const compiled = new Map<string, Validate>()
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing
    const key = `${ajv === strict ? 'strict' : 'coercing'}:${JSON.stringify(schema)}`
    let validate = compiled.get(key)
    if (!validate) {
      validate = lazyValidator(() => ajv.compile(schema as object))
      compiled.set(key, validate)
    }
    return validate
  }
}

type Part = 'body' | 'query' | 'path'

// PostgreSQL text cannot hold U+0000; a NUL anywhere in the input would otherwise surface as a
// database error. Collect the pointer of every string (or key) that carries one. A loop, not
// recursion: a body of 100,000 nested arrays is well under the body limit and would overflow
// the call stack (a 500) before validation could refuse it.
function nulPointers(root: unknown): string[] {
  const found: string[] = []
  // [value, its pointer, whether the key naming it holds the NUL]
  const pending: [unknown, string, boolean][] = [[root, '', false]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, pointer, badKey] = next
    if (badKey || (typeof value === 'string' && value.includes('\u0000'))) {
      found.push(pointer)
    } else if (Array.isArray(value)) {
      // Children go on the stack last first, so pointers come out in document order.
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], `${pointer}/${i}`, false])
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value).reverse()) {
        pending.push([v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, k.includes('\u0000')])
      }
    }
  }
  return found
}

/** Rejects NUL characters in the body, query string and path before validation. */
export function rejectNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const errors: { in: Part; pointer: string; message: string }[] = []
    for (const [part, value] of [
      ['body', request.body],
      ['query', request.query],
      ['path', request.params],
    ] as const) {
      for (const pointer of nulPointers(value))
        errors.push({ in: part, pointer, message: 'must not contain NUL (U+0000) characters' })
    }
    if (errors.length > 0) {
      throw invalidRequest(errors)
    }
  })
}
