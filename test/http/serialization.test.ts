import { test } from 'tap'
import { buildSerializer, forSerialization } from '../../src/http/serialization.js'

const objects = new Set(['Source#'])

test('nullable primitives become type lists, nullable objects and object references nullable', async (t) => {
  const schema = {
    type: 'object',
    properties: {
      title: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      source: { anyOf: [{ $ref: 'Source#' }, { type: 'null' }], description: 'The source' },
      image: { anyOf: [{ type: 'object', properties: { url: { type: 'string' } } }, { type: 'null' }] },
      // Not known to be an object: left to anyOf.
      other: { anyOf: [{ $ref: 'Tag#' }, { type: 'null' }] },
      either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    },
  }
  t.same(forSerialization(schema, objects), {
    type: 'object',
    properties: {
      title: { type: ['string', 'null'] },
      source: { $ref: 'Source#', description: 'The source', type: 'object', nullable: true },
      image: { type: 'object', properties: { url: { type: 'string' } }, nullable: true },
      other: { anyOf: [{ $ref: 'Tag#' }, { type: 'null' }] },
      either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    },
  })
})

test('a nullable reference serializes as the anyOf did: the object by its schema, or null', async (t) => {
  const source = {
    $id: 'Source',
    type: 'object',
    additionalProperties: false,
    properties: { id: { type: 'string' }, name: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
  }
  const factory = buildSerializer({ Source: source }, {})
  const serialize = factory({
    schema: {
      type: 'object',
      properties: { source: { anyOf: [{ $ref: 'Source#' }, { type: 'null' }] } },
    },
    method: 'GET',
    url: '/',
    httpStatus: '200',
  } as never)
  t.equal(serialize({ source: { id: 'a', name: null, extra: 1 } }), '{"source":{"id":"a","name":null}}')
  t.equal(serialize({ source: null }), '{"source":null}')
})
