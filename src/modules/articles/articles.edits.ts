// Editing an article's content: its relations (credits, contributors, sections, tags) and the
// write itself; the input's columns come from articles.columns.ts. A create (articles.create.ts)
// resolves its relations with the same functions.

import type { RawDb } from '../../db/direct.js'
import type { Db } from '../../db/types.js'
import { invalidRequest } from '../../errors.js'
import { appendCorrection } from '../corrections/corrections.service.js'
import { type KnownSources, resolveSourceReference } from '../sources/sources.service.js'
import { resolveTagIds, type UnknownTags } from '../tags/tags.service.js'
import type { Apply } from './articles.change.js'
import { columnsOf, renderBody, writeBodyMedia } from './articles.columns.js'
import type { ArticleUpdate } from './articles.input.schemas.js'
import type { ArticleRecord } from './articles.record.js'
import { resolveContributors, resolveSections } from './articles.references.js'
import { assertSlugFree } from './articles.slugs.js'
import * as writes from './articles.write-repository.js'

type Role = NonNullable<NonNullable<ArticleUpdate['contributors']>[number]['role']>

/** The contributors and sections an input names, resolved before the article's row is written. */
export interface PlannedRelations {
  contributors?: { personId: string; role: Role; name: string }[]
  sections?: { sectionId: string; primary: boolean }[]
}

function duplicates<T>(items: T[], key: (item: T) => string): number[] {
  const first = new Map<string, number>()
  for (const [i, item] of items.entries()) if (!first.has(key(item))) first.set(key(item), i)
  return items.flatMap((item, i) => (first.get(key(item)) === i ? [] : [i]))
}

/**
 * Resolves the people and sections the input names: 422 for one that does not exist; 400 for a
 * person named twice in one role, a section named twice, or more than one primary section. With
 * no primary marked, the first section is the primary one; the primary one is listed first.
 */
export async function planRelations(
  tx: Db,
  input: Pick<ArticleUpdate, 'contributors' | 'sections'>,
): Promise<PlannedRelations> {
  const plan: PlannedRelations = {}
  if (input.contributors !== undefined) {
    const given = input.contributors
    const people = await resolveContributors(tx, given)
    const contributors = people.map((p, i) => ({ personId: p.id, role: given[i]?.role ?? 'author', name: p.label }))
    const twice = duplicates(contributors, (c) => `${c.personId} ${c.role}`)
    if (twice.length > 0) {
      throw invalidRequest(
        twice.map((i) => ({
          in: 'body',
          pointer: `/contributors/${i}`,
          message: 'names a person already credited in this role',
        })),
      )
    }
    plan.contributors = contributors
  }
  if (input.sections !== undefined) {
    const given = input.sections
    const found = await resolveSections(tx, given)
    const twice = duplicates(found, (s) => s.id)
    if (twice.length > 0) {
      throw invalidRequest(
        twice.map((i) => ({ in: 'body', pointer: `/sections/${i}`, message: 'names a section already given' })),
      )
    }
    const primaries = given.flatMap((s, i) => (s.primary ? [i] : []))
    if (primaries.length > 1) {
      throw invalidRequest(
        primaries.map((i) => ({
          in: 'body',
          pointer: `/sections/${i}/primary`,
          message: 'only one section may be primary',
        })),
      )
    }
    plan.sections = withPrimary(found.map((s, i) => ({ sectionId: s.id, primary: given[i]?.primary === true })))
  }
  return plan
}

/**
 * Sections with exactly one primary, listed first: the one marked, or the first when none is (a
 * restore may have lost the primary one: deleted since).
 */
export function withPrimary(sections: { sectionId: string; primary: boolean }[]) {
  const primary = Math.max(
    sections.findIndex((s) => s.primary),
    0,
  )
  const marked = sections.map((s, i) => ({ sectionId: s.sectionId, primary: i === primary }))
  return [...marked.filter((s) => s.primary), ...marked.filter((s) => !s.primary)]
}

/** Bylines as the authors' names, in order. */
function authorNames(contributors: { role: string; name: string }[]): string[] {
  return [...new Set(contributors.filter((c) => c.role === 'author').map((c) => c.name))]
}

/**
 * The bylines a write sets and whether they are derived: the bylines given (written by hand), or,
 * when the input changes the contributors and gives no bylines, the authors' names — always for a
 * new article; for an existing one when its bylines were empty or were themselves derived (bylines
 * written by hand stay until a write sends new ones). Undefined: the bylines do not change.
 */
export function bylinesOf(
  input: Pick<ArticleUpdate, 'bylines'>,
  plan: PlannedRelations,
  current?: Pick<ArticleRecord, 'bylines' | 'bylinesDerived'>,
): { bylines: string[]; bylinesDerived: boolean } | undefined {
  if (input.bylines !== undefined) return { bylines: input.bylines, bylinesDerived: false }
  if (plan.contributors === undefined) return undefined
  if (current && current.bylines.length > 0 && !current.bylinesDerived) return undefined
  return { bylines: authorNames(plan.contributors), bylinesDerived: true }
}

/** Writes the planned contributors and sections. */
export async function writePlannedRelations(
  tx: RawDb,
  articleId: string,
  plan: { contributors?: { personId: string; role: Role }[]; sections?: PlannedRelations['sections'] },
): Promise<void> {
  if (plan.contributors) await writes.replaceContributors(tx, articleId, plan.contributors)
  if (plan.sections) await writes.replaceSections(tx, articleId, plan.sections)
}

/**
 * The sources credits name, in order, a source named twice credited once (first): 400 for a
 * credit naming none, 422 for one no source has.
 */
export async function resolveCredits(
  tx: RawDb,
  credits: NonNullable<ArticleUpdate['credits']>,
  known?: KnownSources,
): Promise<{ sourceId: string; role: string }[]> {
  const unnamed = credits.flatMap((c, i) => (c.sourceId || c.source ? [] : [i]))
  if (unnamed.length > 0) {
    throw invalidRequest(
      unnamed.map((i) => ({
        in: 'body',
        pointer: `/credits/${i}/sourceId`,
        message: 'sourceId or source is required',
      })),
    )
  }
  const ids: string[] = []
  for (const [i, credit] of credits.entries()) {
    ids.push((await resolveSourceReference(tx, credit, `/credits/${i}`, known)) as string)
  }
  const seen = new Set<string>()
  return ids
    .map((sourceId, i) => ({ sourceId, role: credits[i]?.role ?? 'wire' }))
    .filter((c) => !seen.has(c.sourceId) && seen.add(c.sourceId))
}

/**
 * Replaces the credits and tags the input names; `unknownTags` says what a tag slug no tag has or
 * had does (TAGS_CREATE_ON_WRITE).
 */
export async function replaceRelations(
  tx: RawDb,
  articleId: string,
  input: Pick<ArticleUpdate, 'credits' | 'tags'>,
  unknownTags: UnknownTags,
) {
  if (input.credits !== undefined) await writes.replaceCredits(tx, articleId, await resolveCredits(tx, input.credits))
  if (input.tags !== undefined) {
    await writes.replaceTags(tx, articleId, await resolveTagIds(tx, input.tags, unknownTags))
  }
}

/**
 * The change an update makes; a changed slug keeps the old one resolving to the article. A
 * correction note is appended first: one on an article never published writes nothing (422).
 */
export async function updateArticle(db: Db, input: ArticleUpdate, unknownTags: UnknownTags, now: Date): Promise<Apply> {
  const rendered = await renderBody(db, input.body)
  const plan = await planRelations(db, input)
  return async (tx, current) => {
    if (input.correction) await appendCorrection(tx, current, input.correction, now)
    const data = await columnsOf(tx, input, rendered)
    Object.assign(data, bylinesOf(input, plan, current))
    if (input.slug !== undefined && input.slug !== current.slug) {
      await assertSlugFree(tx, input.slug, current.id)
      data.slug = input.slug
      await writes.renameSlug(tx, current.id, current.slug, input.slug)
    }
    await replaceRelations(tx, current.id, input, unknownTags)
    await writePlannedRelations(tx, current.id, plan)
    await writeBodyMedia(tx, current.id, rendered, current.body)
    return data
  }
}
