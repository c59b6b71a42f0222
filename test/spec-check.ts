// Checks a response against the committed OpenAPI document: is its status documented for the
// operation, its content type one the spec names for that status, its body valid against that
// media type's schema (Ajv 2020, with the spec's components), and every required header present.
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { specPath } from '../src/spec.js'

// ajv-formats ships CommonJS whose default export TypeScript sees one level deep.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

export interface SchemaObject {
  type?: string | string[]
  format?: string
  pattern?: string
  maxLength?: number
  minimum?: number
  maximum?: number
  enum?: unknown[]
  anyOf?: SchemaObject[]
  properties?: Record<string, SchemaObject>
  additionalProperties?: boolean | SchemaObject
  examples?: unknown[]
  $ref?: string
}
interface Media {
  schema?: SchemaObject
  example?: unknown
  examples?: Record<string, { value?: unknown }>
}
export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema: SchemaObject
}
interface Response {
  description: string
  content?: Record<string, Media>
  headers?: Record<string, Header | { $ref: string }>
}
interface Header {
  required?: boolean
  schema?: SchemaObject
}
export interface Operation {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content: Record<string, Media> }
  responses: Record<string, Response>
  security?: Record<string, string[]>[]
}
export interface Spec {
  paths: Record<string, Record<string, Operation>>
  components?: { headers?: Record<string, Header> }
}
export interface SpecOperation {
  method: string
  path: string
  operation: Operation
  /** JSON pointer tokens of the operation: ['paths', path, method]. */
  tokens: string[]
}
/** A response as app.inject and fetch both give it. */
export interface Answer {
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

export function loadSpec(): Spec {
  return JSON.parse(readFileSync(specPath, 'utf8')) as Spec
}

/** Every operation of the spec, in document order. */
export function operationsOf(spec: Spec): SpecOperation[] {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => methods.includes(method))
      .map(([method, operation]) => ({ method, path, operation, tokens: ['paths', path, method] })),
  )
}

/** The body example the spec gives for an operation's JSON request, if any. */
export function requestExample(operation: Operation): unknown {
  const media = operation.requestBody?.content['application/json']
  if (!media) return undefined
  const named = media.examples ? Object.values(media.examples)[0]?.value : undefined
  return named ?? media.example ?? media.schema?.examples?.[0]
}

const pointer = (tokens: string[]) =>
  tokens.map((t) => encodeURIComponent(t.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')

/** The documented response for a status: exact, then its range (4XX), then default. */
function documented(operation: Operation, status: number): [string, Response] | undefined {
  for (const key of [String(status), `${String(status)[0]}XX`, 'default']) {
    const response = operation.responses[key]
    if (response) return [key, response]
  }
  return undefined
}

/** A checker bound to one spec; returns what does not conform (an empty list when all does). */
export function createResponseChecker(spec: Spec) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false })
  addFormats(ajv)
  ajv.addSchema(spec as object, 'spec')
  const validator = (tokens: string[]) => {
    const validate = ajv.getSchema(`spec#/${pointer(tokens)}`)
    if (!validate) throw new Error(`no schema at ${tokens.join(' ')}`)
    return validate
  }

  return (op: SpecOperation, res: Answer): string[] => {
    const found = documented(op.operation, res.statusCode)
    if (!found) return [`status ${res.statusCode} is not documented`]
    const [key, response] = found
    const problems: string[] = []
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      // Headers are named components: #/components/headers/<name>.
      const header = '$ref' in declared ? spec.components?.headers?.[declared.$ref.split('/').pop() ?? ''] : declared
      if (header?.required && res.headers[name.toLowerCase()] === undefined) {
        problems.push(`${res.statusCode}: required header ${name} is missing`)
      }
    }
    const contentType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
    const hasBody = res.body.length > 0 && op.method !== 'head'
    if (!response.content) {
      if (hasBody) problems.push(`${res.statusCode}: a body (${contentType}) where the spec documents none`)
      return problems
    }
    if (!hasBody) {
      // A HEAD response carries the GET's headers without its body.
      if (op.method !== 'head') problems.push(`${res.statusCode}: no body where the spec documents one`)
      return problems
    }
    // A documented media type may carry parameters (metrics: `text/plain; version=0.0.4`).
    const media = Object.keys(response.content).find((type) => type.split(';')[0]?.trim() === contentType)
    if (!media) {
      problems.push(`${res.statusCode}: content type "${contentType}" is not documented`)
      return problems
    }
    if (!response.content[media]?.schema || !/[/+]json$/.test(media)) return problems
    const validate = validator([...op.tokens, 'responses', key, 'content', media, 'schema'])
    if (!validate(JSON.parse(res.body))) {
      for (const e of validate.errors ?? []) {
        problems.push(`${res.statusCode} ${media} body${e.instancePath}: ${e.message} (${e.schemaPath})`)
      }
    }
    return problems
  }
}

/**
 * CHECK_RESPONSES=1: every app.inject answer of a test built with build() is checked against the
 * spec, and one that does not conform fails that request with the reasons. Off by default: some
 * tests provoke answers on purpose that no operation documents (a body over the limit, a header
 * too large), and the table-driven test/conformance.test.ts is the check that CI runs.
 */
export function checkEveryResponse(app: { inject: (...args: never[]) => unknown }): void {
  const spec = loadSpec()
  const check = createResponseChecker(spec)
  // Literal segments first: /v1/articles/deletions is not /v1/articles/{idOrSlug}.
  const routes = operationsOf(spec)
    .map((op) => ({ op, pattern: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`) }))
    .sort((a, b) => a.op.path.split('{').length - b.op.path.split('{').length)
  const inject = app.inject.bind(app) as (options: unknown, callback?: unknown) => unknown
  app.inject = ((options: unknown, callback?: unknown) => {
    if (options === undefined || callback !== undefined) return inject(options, callback)
    const request = typeof options === 'string' ? { url: options } : (options as { url?: string; method?: string })
    const path = String(request.url ?? '/').split('?')[0] ?? '/'
    const method = (request.method ?? 'GET').toLowerCase()
    const route = routes.find((r) => r.op.method === method && r.pattern.test(path))
    return (inject(options) as Promise<Answer>).then((res) => {
      const problems = route ? check(route.op, res) : []
      if (problems.length > 0) {
        throw new Error(`${method.toUpperCase()} ${request.url} does not conform to the spec:\n${problems.join('\n')}`)
      }
      return res
    })
  }) as never
}
