// Shared by the tests of what refers to media records (articles, teasers, people): media rows
// made directly (their image bytes play no part there) and a count of the statements a request runs.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Database } from '../../src/db/database.js'

export interface MediaFields {
  alt?: string | null
  caption?: string | null
  credit?: string | null
  width?: number
  height?: number
}

/** A media record as an upload leaves it (2000×1333 JPEG unless told). */
export async function createMedia(db: Database, fields: MediaFields = {}) {
  return db.prisma.media.create({
    data: {
      sha256: randomBytes(32).toString('hex'),
      mimeType: 'image/jpeg',
      bytes: 1000,
      width: fields.width ?? 2000,
      height: fields.height ?? 1333,
      alt: fields.alt ?? null,
      caption: fields.caption ?? null,
      credit: fields.credit ?? null,
      placeholder: 'abc',
      searchKey: '',
    },
  })
}

/** The statements sent to PostgreSQL while `run` runs (by every pooled client of the process). */
export async function statementsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = []
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const original = proto.query
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [config] = args
    seen.push(typeof config === 'string' ? config : String((config as { text?: string })?.text ?? ''))
    return original.apply(this, args)
  }
  try {
    await run()
  } finally {
    proto.query = original
  }
  return seen
}

/** The statements among these that read the media table (on their own, or inside another's). */
export function readingMedia(statements: string[]): string[] {
  return statements.filter((s) => /\b(?:FROM|JOIN)\s+(?:"public"\.)?"?media"?[\s)]/i.test(s))
}
