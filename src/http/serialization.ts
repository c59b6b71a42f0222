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

/**
 * The default fast-json-stringify compiler, memoised by the schema's JSON, each serializer
 * compiled on its first call: compiling them all at start-up was most of the rest of the time
 * `npm start` took to be ready; a route's first answer of a status now pays for its own.
 */
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = buildDefault(externalSchemas as never, options as never)
  type Serializer = ReturnType<typeof compile>
  const compiled = new Map<string, Serializer>()
  return (route) => {
    const key = JSON.stringify(route.schema)
    let serializer = compiled.get(key)
    if (!serializer) {
      let built: Serializer | undefined
      serializer = ((data: unknown) => {
        built ??= compile(route as never)
        return built(data)
      }) as Serializer
      compiled.set(key, serializer)
    }
    return serializer
  }
}
