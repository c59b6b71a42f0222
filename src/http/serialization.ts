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
 * { type: 'null' }]`, as the spec documents it) becomes `type: ['string', 'null']`. For an anyOf,
 * fast-json-stringify validates the value against each branch with ajv (formats included) for
 * every field of every row; with a type list it tests `=== null`. The output is the same.
 */
export function forSerialization(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forSerialization)
  if (typeof schema !== 'object' || schema === null) return schema
  const node = schema as Record<string, unknown>
  const branches = node.anyOf
  if (Array.isArray(branches) && branches.length === 2) {
    const other = branches.find((b) => !isNull(b)) as Record<string, unknown> | undefined
    const plain = other && typeof other.type === 'string' && primitives.has(other.type)
    if (plain && branches.some(isNull) && !('anyOf' in other) && !('$ref' in other)) {
      const { anyOf: _anyOf, ...rest } = node
      return forSerialization({ ...other, ...rest, type: [other.type, 'null'] })
    }
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, forSerialization(v)]))
}

/**
 * The default fast-json-stringify compiler on forSerialization's schemas, memoised by the schema's
 * JSON, each serializer compiled on its first call: compiling them all at start-up was most of the
 * rest of the time `npm start` took to be ready; a route's first answer of a status pays for its own.
 */
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const external =
    externalSchemas && Object.fromEntries(Object.entries(externalSchemas).map(([k, v]) => [k, forSerialization(v)]))
  const compile = buildDefault(external as never, options as never)
  type Serializer = ReturnType<typeof compile>
  const compiled = new Map<string, Serializer>()
  return (route) => {
    const key = JSON.stringify(route.schema)
    let serializer = compiled.get(key)
    if (!serializer) {
      let built: Serializer | undefined
      serializer = ((data: unknown) => {
        built ??= compile({ ...route, schema: forSerialization(route.schema) } as never)
        return built(data)
      }) as Serializer
      compiled.set(key, serializer)
    }
    return serializer
  }
}
