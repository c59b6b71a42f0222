// The official IPTC ninjs 3.1 JSON Schema (vendor/iptc-ninjs/) as a tap assertion: every ninjs
// document the tests produce goes through it.
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import type { Test } from 'tap'
import type { NinjsDocument } from '../../src/modules/ninjs/ninjs.schemas.js'

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

const schema = JSON.parse(
  readFileSync(new URL('../../vendor/iptc-ninjs/ninjs-schema_3.1.json', import.meta.url), 'utf8'),
) as Record<string, unknown>

const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats(ajv)
// `places[].geoJSON` refers to the GeoJSON schema, which is not vendored: documents have no places,
// and a stand-in that accepts anything lets the rest compile.
ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json' })
const validate = ajv.compile(schema)

/** Asserts that the document is valid ninjs 3.1 and returns it. */
export function assertNinjs(t: Test, document: unknown, what = 'the document'): NinjsDocument {
  const valid = validate(document)
  t.ok(valid, `${what} is valid ninjs 3.1`, valid ? {} : { errors: validate.errors, document })
  return document as NinjsDocument
}
