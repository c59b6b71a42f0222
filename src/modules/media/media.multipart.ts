// Reading an upload's multipart body: the one file part streamed to a temporary file as it
// arrives (media.upload.ts), the text fields checked as a JSON body's would be (400 naming each).
// @fastify/multipart's own limits (size, parts, fields) are problems mapped in src/http/problem.ts.
import type { MultipartFile, MultipartValue } from '@fastify/multipart'
import type { FastifyRequest } from 'fastify'
import {
  BodyTooLargeError,
  type InvalidField,
  invalidRequest,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../errors.js'
import { parseTimestamp } from '../../lib/ranges.js'
import { type MediaTextField, type MediaUploadFields, mediaTextLimits } from './media.schemas.js'
import { discard, type Spooled, spool } from './media.upload.js'

/** Bounds of the body around the one file: enough for every field, little more. */
export function multipartLimits(maxBytes: number) {
  return {
    fileSize: maxBytes,
    files: 1,
    fields: 10,
    // The longest field is a caption of 2,000 characters, at most 4 bytes each in UTF-8.
    fieldSize: 8200,
    fieldNameSize: 100,
    parts: 12,
    headerPairs: 20,
  }
}

const textFields = Object.keys(mediaTextLimits) as MediaTextField[]

const field = (name: string, message: string): InvalidField => ({ in: 'body', pointer: `/${name}`, message })

function focalPointOf(value: unknown): { x: number; y: number } | undefined {
  let parsed = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  const point = parsed as { x?: unknown; y?: unknown } | null
  const inRange = (n: unknown) => typeof n === 'number' && n >= 0 && n <= 1
  if (!point || typeof point !== 'object' || Object.keys(point).length !== 2) return undefined
  return inRange(point.x) && inRange(point.y) ? { x: point.x as number, y: point.y as number } : undefined
}

/** One text field into the upload's fields, or the reason it is refused. */
function readField(part: MultipartValue, fields: MediaUploadFields): InvalidField | undefined {
  const name = part.fieldname
  if (name === 'focalPoint') {
    const point = focalPointOf(part.value)
    if (!point) return field(name, 'must be a JSON object {"x":…,"y":…} with numbers from 0 to 1')
    fields.focalPoint = point
    return undefined
  }
  if (!(textFields as string[]).includes(name) && name !== 'capturedAt') return field(name, 'is not an allowed field')
  if (typeof part.value !== 'string') return field(name, 'must be text')
  if (name === 'capturedAt') {
    if (!parseTimestamp(part.value)) return field(name, 'must be a valid date-time')
    fields.capturedAt = part.value
    return undefined
  }
  const max = mediaTextLimits[name as MediaTextField]
  if (part.valueTruncated || [...part.value].length > max)
    return field(name, `must NOT have more than ${max} characters`)
  fields[name as MediaTextField] = part.value
  return undefined
}

/** Busboy's own refusals (a malformed body) carry neither a code nor a status: the client's mistake. */
function malformed(err: unknown): boolean {
  return err instanceof Error && !('code' in err) && !('statusCode' in err)
}

async function readParts(request: FastifyRequest, maxBytes: number) {
  const fields: MediaUploadFields = {}
  const invalid: InvalidField[] = []
  let file: Spooled | undefined
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file) {
          part.file.resume()
          invalid.push(field(part.fieldname, 'is not an allowed file field'))
          continue
        }
        file = await spool((part as MultipartFile).file)
        if ((part as MultipartFile).file.truncated) {
          throw new BodyTooLargeError(`The file is larger than the configured limit of ${maxBytes} bytes`)
        }
      } else if (part.fieldname === 'file') {
        invalid.push(field('file', 'must be a file part'))
      } else {
        const problem = readField(part, fields)
        if (problem) invalid.push(problem)
      }
    }
  } catch (err) {
    if (file) await discard(file)
    if (malformed(err)) throw new ValidationError('The multipart body is malformed')
    throw err
  }
  return { fields, invalid, file }
}

/**
 * The upload's file (spooled to a temporary file the caller must discard) and fields. Not
 * multipart: 415; a field refused or the file missing: 400 naming them (nothing left behind).
 */
export async function readUpload(
  request: FastifyRequest,
  maxBytes: number,
): Promise<{ file: Spooled; fields: MediaUploadFields }> {
  if (!request.isMultipart()) {
    throw new UnsupportedMediaTypeError('An upload is a multipart/form-data body with the image in the part `file`')
  }
  const { fields, invalid, file } = await readParts(request, maxBytes)
  if (!file && !invalid.some((f) => f.pointer === '/file')) invalid.push(field('file', 'is required'))
  if (invalid.length > 0 || !file) {
    if (file) await discard(file)
    throw invalidRequest(invalid)
  }
  return { file, fields }
}
