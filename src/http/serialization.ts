// Response serializers, compiled once per distinct schema. Fastify compiles one for every route
// and status code at start-up; most of them are the same problem schema, and compiling them one
// by one was most of the time `npm start` took to be ready (fast-json-stringify ~3 s of CPU).
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

type SerializerFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildSerializer']
>

const buildDefault = SerializerSelector()

/** The default fast-json-stringify compiler, memoised by the schema's JSON. */
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = buildDefault(externalSchemas as never, options as never)
  const compiled = new Map<string, ReturnType<typeof compile>>()
  return (route) => {
    const key = JSON.stringify(route.schema)
    let serializer = compiled.get(key)
    if (!serializer) {
      serializer = compile(route as never)
      compiled.set(key, serializer)
    }
    return serializer
  }
}
