// Creating an article (a draft): its references resolved, its slug, its row with every link, the
// first revision, the audit entry and the event, in one transaction of raw statements
// (directTransaction: on a server, a pooled connection of its own; through the ORM's interactive
// transaction the same create cost several times the CPU). The body is rendered, and the people
// and sections the input names are resolved, before the transaction opens.

import type { PrismaClient } from '../../db/database.js'
import { directTransaction, type RawDb } from '../../db/direct.js'
import type { Actor } from '../../lib/principal.js'
import { uuidv7 } from '../../lib/uuid.js'
import { auditInsert } from '../audit/audit.repository.js'
import { recordArticleChange } from '../changes/changes.writer.js'
import { findSources } from '../sources/sources.service.js'
import { resolveTagIds, type UnknownTags } from '../tags/tags.service.js'
import { findLive, revisionOf } from './articles.change.js'
import { columnsOf, type RenderedBody, renderBody } from './articles.columns.js'
import { insertNewArticle } from './articles.create-repository.js'
import { bylinesOf, type PlannedRelations, planRelations, resolveCredits } from './articles.edits.js'
import type { ArticleCreate } from './articles.input.schemas.js'
import type { ArticleRecord } from './articles.record.js'
import { assertSlugFree, generateSlug } from './articles.slugs.js'

export interface CreateContext {
  actor: Actor
  now: Date
  unknownTags: UnknownTags
}

/** A create's input with what is resolved before its transaction (and kept for a retry). */
export interface PreparedCreate {
  input: ArticleCreate
  rendered: RenderedBody | undefined
  plan: PlannedRelations
}

/**
 * Renders the body and resolves the people and sections the input names (reads: a record deleted
 * before the transaction commits fails its link's key, a 422 as well). Throws the input's 400s
 * and 422s before anything is written.
 */
export async function prepareCreate(db: PrismaClient, input: ArticleCreate): Promise<PreparedCreate> {
  const rendered = await renderBody(db, input.body)
  return { input, rendered, plan: await planRelations(db, input) }
}

/** Creates the draft inside the caller's transaction: article, links, first revision, audit entry, event. */
export async function insertArticle(
  tx: RawDb,
  prepared: PreparedCreate,
  context: CreateContext,
): Promise<ArticleRecord> {
  const { input, rendered, plan } = prepared
  const { actor, now } = context
  // The source and the credited sources in one query.
  const known = await findSources(tx, [input, ...(input.credits ?? [])])
  const columns = await columnsOf(tx, input, rendered, known)
  Object.assign(columns, bylinesOf(input, plan))
  if (input.slug !== undefined) await assertSlugFree(tx, input.slug)
  const slug = input.slug ?? (await generateSlug(tx, input.headline))
  const credits = input.credits === undefined ? [] : await resolveCredits(tx, input.credits, known)
  const tagIds = input.tags === undefined ? [] : await resolveTagIds(tx, input.tags, context.unknownTags)
  const id = uuidv7()
  await insertNewArticle(tx, {
    id,
    slug,
    columns,
    keyId: actor.keyId,
    at: new Date(),
    credits,
    tagIds,
    contributors: plan.contributors,
    sections: plan.sections,
    mediaIds: rendered?.mediaIds ?? [],
  })
  const record = await findLive(tx, id)
  const { changedFields, insert } = revisionOf(null, record, actor)
  const audit = auditInsert(actor, { action: 'create', resourceType: 'article', resourceId: id })
  const created = { before: null, after: record, wasPublic: false, isPublic: false, changedFields, at: now }
  await recordArticleChange(tx, { action: 'create', ...created }, { actor, also: [insert, audit] })
  return record
}

/** Creates a draft in a transaction of its own. */
export function createDraft(
  db: PrismaClient,
  prepared: PreparedCreate,
  context: CreateContext,
): Promise<ArticleRecord> {
  return directTransaction(db, (tx) => insertArticle(tx, prepared, context))
}
