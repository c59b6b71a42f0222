// An article's revisions: listed, read one by one, and restored as a new version.

import type { Db } from '../../db/types.js'
import { NotFoundError } from '../../errors.js'
import { decodeCursor, type Page, toPage } from '../../lib/pagination.js'
import { existingPersonIds } from '../people/people.repository.js'
import { existingSectionIds } from '../sections/sections.repository.js'
import { type Apply, findLive, loadArticle } from './articles.change.js'
import { columnsOf, renderBody, writeBodyMedia } from './articles.columns.js'
import { replaceRelations, withPrimary, writePlannedRelations } from './articles.edits.js'
import * as revisions from './articles.revisions-repository.js'
import type { Revision } from './articles.schemas.js'
import type { Snapshot } from './articles.view.js'
import * as writes from './articles.write-repository.js'

function toRevision(row: revisions.RevisionRow): Revision {
  return {
    version: row.version,
    changedFields: row.changedFields,
    keyId: row.keyId,
    requestId: row.requestId,
    createdAt: row.createdAt.toISOString(),
    ...(row.snapshot === undefined ? {} : { snapshot: row.snapshot as Record<string, unknown> }),
  }
}

/** Newest first, without snapshots. */
export async function listRevisions(db: Db, id: string, limit: number, cursor?: string): Promise<Page<Revision>> {
  await findLive(db, id)
  const after = cursor ? decodeCursor(cursor, '-version', ['integer']) : undefined
  const rows = await revisions.listRevisions(db, id, limit, after?.[0])
  const page = toPage(rows, limit, '-version', (r) => [String(r.version)])
  return { data: page.data.map(toRevision), page: page.page }
}

async function findRevision(db: Db, id: string, version: number): Promise<revisions.RevisionRow> {
  const row = await revisions.findRevision(db, id, version)
  if (!row) throw new NotFoundError('revision', `${id}@${version}`)
  return row
}

/** One revision with its snapshot. */
export async function getRevision(db: Db, id: string, version: number): Promise<Revision> {
  await findLive(db, id)
  return toRevision(await findRevision(db, id, version))
}

/**
 * The change that restores a revision's content (publication state is kept). Sources deleted
 * since are left out, and so are tags deleted since unless `createTags` (TAGS_CREATE_ON_WRITE);
 * its slug comes back unless another article has it now.
 */
export async function restoreRevision(db: Db, id: string, version: number, createTags: boolean): Promise<Apply> {
  // A killed article says so (409) before its revision is looked for.
  await loadArticle(db, id)
  const s = (await findRevision(db, id, version)).snapshot as unknown as Snapshot
  const rendered = await renderBody(db, s.body)
  return async (tx, current) => {
    const data = await columnsOf(
      tx,
      {
        headline: s.headline,
        summary: s.summary,
        body: s.body,
        dateline: s.dateline,
        bylines: s.bylines,
        language: s.language,
        canonicalUrl: s.canonicalUrl,
        leadImage: s.leadImage,
        // Revisions written before rights existed leave them as they are.
        ...(s.rights ? { rights: s.rights } : {}),
      },
      rendered,
    )
    const live = await writes.existingSourceIds(tx, [
      ...(s.sourceId ? [s.sourceId] : []),
      ...s.credits.map((c) => c.sourceId),
    ])
    data.sourceId = s.sourceId && live.has(s.sourceId) ? s.sourceId : null
    await writes.replaceCredits(
      tx,
      id,
      s.credits.filter((c) => live.has(c.sourceId)),
    )
    await replaceRelations(tx, id, { tags: s.tags }, createTags ? 'create' : 'skip')
    await writeBodyMedia(tx, id, rendered)
    // Revisions written before contributors and sections existed leave them as they are.
    const kept = {
      people: await existingPersonIds(
        tx,
        (s.contributors ?? []).map((c) => c.personId),
      ),
      sections: await existingSectionIds(
        tx,
        (s.sections ?? []).map((x) => x.sectionId),
      ),
    }
    await writePlannedRelations(tx, id, {
      ...(s.contributors ? { contributors: s.contributors.filter((c) => kept.people.has(c.personId)) } : {}),
      ...(s.sections ? { sections: withPrimary(s.sections.filter((x) => kept.sections.has(x.sectionId))) } : {}),
    })
    if (s.slug !== current.slug && !(await writes.slugInUse(tx, s.slug, id))) {
      data.slug = s.slug
      await writes.renameSlug(tx, id, current.slug, s.slug)
    }
    return data
  }
}
