// Response serializers, compiled once per distinct schema, when first used. Fastify asks for one
// for every route and status code at start-up; most of them are the same problem schema, and
// compiling them one by one was most of the time `npm start` took to be ready
// (fast-json-stringify ~3 s of CPU).
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

type SerializerFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildSerializer']
>

const buildDefault = SerializerSelector()

const primitives = new Set(['string', 'number', 'integer', 'boolean'])
const isNull = (s: unknown) => typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'null'

/**
 * The schema as the serializer takes it: a nullable primitive (`anyOf: [{ type: 'string', … },
 * { type: 'null' }]`, as the spec documents it) becomes `type: ['string', 'null']`, a nullable
 * object or reference (`anyOf: [{ $ref: 'Source#' }, { type: 'null' }]`) the object with
 * `nullable: true`. For an anyOf, fast-json-stringify validates the value against each branch with
 * ajv (formats, nested objects and all) for every field of every row; with a type list or
 * `nullable` it tests `=== null`. The output is the same. `objects`: the references (`Source#`)
 * whose components are objects.
 */
export function forSerialization(schema: unknown, objects: ReadonlySet<string> = new Set()): unknown {
  const walk = (s: unknown) => forSerialization(s, objects)
  if (Array.isArray(schema)) return schema.map(walk)
  if (typeof schema !== 'object' || schema === null) return schema
  const node = schema as Record<string, unknown>
  const branches = node.anyOf
  if (Array.isArray(branches) && branches.length === 2 && branches.some(isNull)) {
    const other = branches.find((b) => !isNull(b)) as Record<string, unknown> | undefined
    const { anyOf: _anyOf, ...rest } = node
    if (other && !('anyOf' in other) && !('oneOf' in other) && !('allOf' in other)) {
      if (typeof other.type === 'string' && primitives.has(other.type) && !('$ref' in other)) {
        return walk({ ...other, ...rest, type: [other.type, 'null'] })
      }
      const object = typeof other.$ref === 'string' ? objects.has(other.$ref) : other.type === 'object'
      if (object) return walk({ ...other, ...rest, type: 'object', nullable: true })
    }
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]))
}

/**
 * forSerialization of a named component, once per component object and set of object references:
 * Fastify asks for a serializer compiler for each of its ~40 contexts, each with the same
 * components (converting them every time was ~0.2 s of `npm start`).
 */
const convertedComponents = new Map<string, WeakMap<object, unknown>>()
function componentConverter(objects: ReadonlySet<string>): (schema: object) => unknown {
  const key = JSON.stringify([...objects].sort())
  let done = convertedComponents.get(key)
  if (!done) {
    done = new WeakMap()
    convertedComponents.set(key, done)
  }
  const forObjects = done
  return (schema) => {
    if (!forObjects.has(schema)) forObjects.set(schema, forSerialization(schema, objects))
    return forObjects.get(schema)
  }
}

/**
 * The default fast-json-stringify compiler on forSerialization's schemas, memoised by the schema's
 * JSON, each serializer compiled on its first call: compiling them all at start-up was most of the
 * rest of the time `npm start` took to be ready; a route's first answer of a status pays for its own.
 */
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  // References (`Source#`) to the named components that are objects.
  const objects = new Set(
    Object.values(externalSchemas ?? {})
      .filter((s) => s.type === 'object' && typeof s.$id === 'string')
      .map((s) => `${s.$id}#`),
  )
  const converted = componentConverter(objects)
  const external =
    externalSchemas && Object.fromEntries(Object.entries(externalSchemas).map(([k, v]) => [k, converted(v)]))
  const compile = buildDefault(external as never, options as never)
  type Serializer = ReturnType<typeof compile>
  const compiled = new Map<string, Serializer>()
  return (route) => {
    const key = JSON.stringify(route.schema)
    let serializer = compiled.get(key)
    if (!serializer) {
      let built: Serializer | undefined
      serializer = ((data: unknown) => {
        built ??= compile({ ...route, schema: forSerialization(route.schema, objects) } as never)
        return built(data)
      }) as Serializer
      compiled.set(key, serializer)
    }
    return serializer
  }
}
