// The article's record as the raw-SQL reads return it, defined once: the column map of
// articles.record-repository.ts drives both the SELECT list and the shape of the rows (each column
// is selected under its field's name), so a new column is one line there (the compiler asks for
// it) and one in the view.

import type { Prisma } from '../../generated/prisma/client.js'
import type { ContributorRole, CorrectionKind, TagType } from '../../generated/prisma/enums.js'
import type { MediaEmbedRow } from '../media/media.embeds-repository.js'
import type { PersonRecord } from '../people/people.mapper.js'
import type { SectionRow } from '../sections/sections.mapper.js'
import type { Redistribution } from '../sources/sources.rights.js'

export type SourceRow = Prisma.SourceGetPayload<object>
/** The article's own columns; its stored tag and credit lists are read as `tags` (and `tagRecords`) and `credits`. */
export type ArticleColumns = Omit<Prisma.ArticleGetPayload<object>, 'tagList' | 'creditList'>

export interface Tag {
  id: string
  slug: string
  name: string
  type: TagType
  uri: string | null
}

/** What the rights of an article need of a credited source (every read has it). */
export interface CreditRights {
  slug: string
  name: string
  redistribution: Redistribution
  creditLine: string | null
}

export interface Credit {
  sourceId: string
  role: string
  position: number
  rights: CreditRights
  /** The credited source's record, when the read embeds it. */
  source?: SourceRow
}

export interface Contributor {
  personId: string
  role: ContributorRole
  /** The person's name, for bylines derived from contributors. */
  name: string
  /** The person's record, when the read embeds it. */
  person?: PersonRecord
}

export interface SectionLink {
  sectionId: string
  primary: boolean
  /** The section's path, for surrogate keys and readers of the record. */
  path: string
  /** The section's record, when the read embeds it. */
  section?: SectionRow
}

/** A correction note on the article (article_corrections), as the record carries it. */
export interface CorrectionNote {
  kind: CorrectionKind
  text: string
  at: Date
  version: number
}

/**
 * An article's columns, its source (when embedded), its credits, contributors and sections in
 * order, and its tags by slug (with their records when embedded).
 */
export interface ArticleRecord extends ArticleColumns {
  /** The lead image's media record, when it is one. */
  leadMedia: MediaEmbedRow | null
  source: SourceRow | null
  credits: Credit[]
  contributors: Contributor[]
  sections: SectionLink[]
  /** Its tags' slugs, in their stored order. */
  tags: string[]
  /** Its tags' records in the same order, when the read embeds them (include=tags); else null. */
  tagRecords: Tag[] | null
  /** Its correction notes, oldest first. */
  corrections: CorrectionNote[]
}

/** What the records of a read carry besides the article's own columns. */
export interface Relations {
  /** The publishing source's record (otherwise `source` is null and only sourceId is set). */
  source: boolean
  /** The credited sources' records (otherwise credits carry their sourceId only). */
  creditSources: boolean
  /** The contributors' person records (otherwise their personId and name only). */
  people: boolean
  /** The sections' records (otherwise their sectionId and path only). */
  sectionRecords: boolean
  /**
   * Whether the view shows contributors, and sections, at all: a list of summaries reads neither
   * (two lookups a row, ~20 % of a first page's statement on 100,000 articles).
   */
  contributors?: boolean
  sections?: boolean
  /**
   * The tags' records (name, type, URI), besides their slugs: read only for a view that shows
   * them (include=tags). A page of summaries parsed twice the JSON otherwise (~400 bytes of tag
   * records an article, for the slugs it shows).
   */
  tagRecords: boolean
}

export const allRelations: Relations = {
  source: true,
  creditSources: true,
  people: true,
  sectionRecords: true,
  tagRecords: true,
}

/** None of the relations: for a read that needs the article's own columns only (its id, its rights). */
export const noRelations: Relations = {
  source: false,
  creditSources: false,
  people: false,
  sectionRecords: false,
  contributors: false,
  sections: false,
  tagRecords: false,
}

/** A record as JSON carries its times as strings. */
type AsJson<T> = Omit<T, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string }
type SourceJson = AsJson<SourceRow>

/** A row as selected by recordColumns: the relations a read does not embed are not selected. */
export interface RawRecord extends ArticleColumns {
  leadMedia?: MediaEmbedRow | null
  source?: SourceJson | null
  credits: (Omit<Credit, 'source'> & { source?: SourceJson })[]
  contributors?: (Omit<Contributor, 'person'> & { person?: AsJson<PersonRecord> })[]
  sections?: (Omit<SectionLink, 'section'> & { section?: AsJson<SectionRow> })[]
  tags: string[]
  tagRecords?: Tag[] | null
  corrections?: (Omit<CorrectionNote, 'at'> & { at: string })[]
}

function fromJson<T extends { createdAt: Date; updatedAt: Date }>(r: AsJson<T>): T {
  return { ...r, createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) } as T
}

/**
 * The record of a row: its embedded records' times as Dates, and the relations the read did not
 * select empty. A list of summaries embeds none, so its rows' relation lists are taken as they
 * are, not copied entry by entry.
 */
export function toArticleRecord(r: RawRecord): ArticleRecord {
  return {
    ...r,
    leadMedia: r.leadMedia ?? null,
    source: r.source ? fromJson<SourceRow>(r.source) : null,
    credits: r.credits.some((c) => c.source)
      ? r.credits.map(({ source, ...credit }) => (source ? { ...credit, source: fromJson<SourceRow>(source) } : credit))
      : (r.credits as Credit[]),
    contributors: !r.contributors
      ? []
      : r.contributors.some((c) => c.person)
        ? r.contributors.map(({ person, ...c }) => (person ? { ...c, person: fromJson<PersonRecord>(person) } : c))
        : (r.contributors as Contributor[]),
    sections: !r.sections
      ? []
      : r.sections.some((s) => s.section)
        ? r.sections.map(({ section, ...s }) => (section ? { ...s, section: fromJson<SectionRow>(section) } : s))
        : (r.sections as SectionLink[]),
    tagRecords: r.tagRecords ?? null,
    corrections: r.corrections ? r.corrections.map((c) => ({ ...c, at: new Date(c.at) })) : [],
  }
}
