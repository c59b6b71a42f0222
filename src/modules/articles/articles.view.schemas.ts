// An article's representation: the Article component (every field, as writes and single reads
// return it) and the SparseArticle component (what lists return: `fields` picks, `include` embeds).
// articles.view.ts builds both from a record.
import Type, { type Static } from 'typebox'
import { nullable, ref, StringEnum, TimestampSchema, UuidSchema } from '../../http/schemas.js'
import { ArticleCorrectionComponent } from '../corrections/corrections.schemas.js'
import { MediaImageComponent } from '../media/media.shared.schemas.js'
import { PersonSchema, seedPersonExample } from '../people/people.schemas.js'
import { SectionSchema, seedSectionExample } from '../sections/sections.schemas.js'
import { SourceSchema, seedSourceExample } from '../sources/sources.schemas.js'
import { TagSchema } from '../tags/tags.schemas.js'
import { RightsComponent } from './articles.rights.schemas.js'

export const ArticleStatusSchema = StringEnum(['draft', 'scheduled', 'published', 'archived'], {
  description: 'scheduled: published with a future publish time; it becomes published when that time passes',
})

export const LeadImageComponent = Type.Object(
  {
    url: Type.String({ description: "The image's URL: for a media image, its largest uncropped WebP rendition" }),
    caption: nullable(Type.String({ description: "For a media image: the article's caption, or the record's own" })),
    credit: nullable(Type.String({ description: "For a media image: the article's credit, or the record's own" })),
    media: Type.Optional(ref(MediaImageComponent)),
  },
  {
    $id: 'LeadImage',
    description: 'The lead image: by URL, or from the media library (then `media` embeds the record)',
    additionalProperties: false,
  },
)

export const CreditComponent = Type.Object(
  {
    sourceId: UuidSchema,
    role: Type.String({ examples: ['wire'] }),
    source: Type.Optional(SourceSchema),
  },
  {
    $id: 'Credit',
    description: 'A wire credit; `source` (the credited source) is embedded with include=credits',
    additionalProperties: false,
  },
)

export const contributorRoles = [
  'author',
  'editor',
  'photographer',
  'videographer',
  'translator',
  'contributor',
] as const
export const ContributorRoleSchema = StringEnum(contributorRoles, { description: "The person's part in the article" })

export const ContributorComponent = Type.Object(
  {
    personId: UuidSchema,
    role: ContributorRoleSchema,
    person: Type.Optional(PersonSchema),
  },
  {
    $id: 'Contributor',
    description:
      'A person credited on the article, in byline order; `person` is embedded with include=contributors ' +
      '(without its email address)',
    additionalProperties: false,
  },
)

export const ArticleSectionComponent = Type.Object(
  {
    sectionId: UuidSchema,
    primary: Type.Boolean({ description: "The article's home section: exactly one is primary" }),
    section: Type.Optional(SectionSchema),
  },
  {
    $id: 'ArticleSection',
    description: 'A section the article appears in; `section` is embedded with include=sections',
    additionalProperties: false,
  },
)

/** An article's public URL on the newsroom's site (read-only: a write ignores it). */
export const ArticleUrlSchema = nullable(
  Type.String({
    format: 'uri',
    description:
      "Where the article lives on the newsroom's site: its canonicalUrl when set, else PUBLIC_ARTICLE_URL " +
      'rendered ({slug}, {id}, {yyyy}, {mm}, {dd} of its first publication in UTC, {section}: its primary ' +
      "section's path); null when neither gives one (no template, or a placeholder without a value, such as a " +
      "draft's date). Read-only, set by the server",
  }),
)

/** The compact article include=related embeds (see articles.related.ts). */
export const RelatedArticleComponent = Type.Object(
  {
    id: UuidSchema,
    slug: Type.String(),
    headline: Type.String(),
    summary: nullable(Type.String()),
    language: Type.String({ description: 'BCP 47 language tag' }),
    publishedAt: TimestampSchema,
    url: ArticleUrlSchema,
    leadImage: Type.Union([ref(LeadImageComponent), Type.Null()]),
  },
  {
    $id: 'RelatedArticle',
    description: 'A related article as a single read embeds it (include=related): enough for a teaser',
    additionalProperties: false,
    examples: [
      {
        id: '019ac0de-7a1e-7000-8000-00000000c002',
        slug: 'russia-and-iraq-agree-on-intelligence-cooperation',
        headline: 'Russia and Iraq agree on intelligence cooperation',
        summary: null,
        language: 'en',
        publishedAt: '2015-09-26T18:00:00.000Z',
        url: 'https://www.example.com/news/2015/09/russia-and-iraq-agree-on-intelligence-cooperation',
        leadImage: null,
      },
    ],
  },
)
export type RelatedArticle = Static<typeof RelatedArticleComponent>

/** How many related articles a single read embeds with include=related. */
export const embeddedRelated = 5

const seedArticleExample = {
  id: '019ac0de-7a1e-7000-8000-00000000c001',
  slug: 'iraq-to-share-intelligence-info-on-is-with-syria-russia-iran',
  headline: 'Iraq to share intelligence info on IS with Syria, Russia, Iran',
  summary:
    'Iraq\'s military said Sunday, September 27, it will begin sharing "security and intelligence" information with Syria, Russia and Iran to help combat the Islamic State group, the Associated Press reports.',
  body: 'Iraq\'s military said Sunday, September 27, it will begin sharing "security and intelligence" information …\n\nA statement issued by the Joint Operations Command said …',
  bodyHtml: "<p>Iraq's military said Sunday, September 27, it will begin sharing …</p>",
  bodyText: "Iraq's military said Sunday, September 27, it will begin sharing …",
  dateline: 'Sunday, September 27',
  bylines: ['Anna Hakobyan'],
  language: 'en',
  status: 'published',
  publishedAt: '2015-09-27T12:00:00.000Z',
  firstPublishedAt: '2015-09-27T12:00:00.000Z',
  embargoedUntil: null,
  canonicalUrl: null,
  url: 'https://www.example.com/news/2015/09/iraq-to-share-intelligence-info-on-is-with-syria-russia-iran',
  leadImage: null,
  sourceId: seedSourceExample.id,
  credits: [{ sourceId: '019ac0de-7a1e-7000-8000-00000000a002', role: 'wire' }],
  contributors: [{ personId: seedPersonExample.id, role: 'author' }],
  sections: [{ sectionId: seedSectionExample.id, primary: true }],
  tags: ['iraq', 'syria', 'russia', 'iran', 'islamic-state'],
  rights: {
    usageTerms: null,
    copyrightHolder: null,
    copyrightNotice: null,
    allowSyndication: true,
    override: null,
    syndicatable: true,
    creditLine: null,
  },
  corrections: [],
  version: 1,
  createdBy: null,
  updatedBy: null,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
}

/** The fields of an article's representation, each always present in the full one. */
const articleProperties = {
  id: UuidSchema,
  slug: Type.String(),
  headline: Type.String(),
  summary: nullable(Type.String()),
  body: nullable(Type.String({ description: 'Markdown, the canonical form; null only when withheld (bodyWithheld)' })),
  bodyHtml: nullable(
    Type.String({ description: 'Rendered and sanitised HTML, safe to inject into a page; null only when withheld' }),
  ),
  bodyText: nullable(Type.String({ description: 'Plain text; null only when withheld' })),
  dateline: nullable(Type.String()),
  bylines: Type.Array(Type.String()),
  language: Type.String({ description: 'BCP 47 language tag' }),
  status: ArticleStatusSchema,
  publishedAt: nullable({ ...TimestampSchema, description: 'When it is (or, scheduled, becomes) public' }),
  firstPublishedAt: nullable(TimestampSchema),
  embargoedUntil: nullable({
    ...TimestampSchema,
    description:
      'Published, it stays out of public reads until this instant (content:embargoed and preview keys see it ' +
      'before); null: no embargo',
  }),
  canonicalUrl: nullable(Type.String()),
  url: ArticleUrlSchema,
  leadImage: Type.Union([ref(LeadImageComponent), Type.Null()]),
  sourceId: nullable(Type.String({ format: 'uuid', description: 'The publishing source' })),
  credits: Type.Array(ref(CreditComponent), { description: 'Wire credits, in order' }),
  contributors: Type.Array(ref(ContributorComponent), { description: 'People credited, in byline order' }),
  sections: Type.Array(ref(ArticleSectionComponent), {
    description: 'The sections it appears in, the primary one first',
  }),
  tags: Type.Array(Type.String(), { description: 'Tag slugs' }),
  rights: ref(RightsComponent),
  corrections: Type.Array(ref(ArticleCorrectionComponent), {
    description: 'Correction, clarification and update notes added after the first publication, oldest first',
  }),
  version: Type.Integer({ description: 'Changes with every change; the ETag is "v<version>"' }),
  createdBy: nullable(Type.String({ format: 'uuid', description: 'The API key that created the article' })),
  updatedBy: nullable(Type.String({ format: 'uuid', description: 'The API key that last changed it' })),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
}

/** What `include` embeds beside the fields, and the syndication view's marker. */
const articleEmbeds = {
  bodyWithheld: Type.Optional(
    Type.Boolean({
      description:
        'Present (true) only for a content:syndicate key reading an article that is not syndicatable: its ' +
        'body, bodyHtml and bodyText are null; the summary and every other field are as usual',
    }),
  ),
  source: Type.Optional(
    Type.Union([SourceSchema, Type.Null()], { description: 'With include=source: the publishing source' }),
  ),
  tagDetails: Type.Optional(
    Type.Array(TagSchema, { description: 'With include=tags: the tags with their names, in the order of `tags`' }),
  ),
  related: Type.Optional(
    Type.Array(ref(RelatedArticleComponent), {
      maxItems: embeddedRelated,
      description: `With include=related (a single read): the ${embeddedRelated} best related articles (see GET /v1/articles/{idOrSlug}/related)`,
    }),
  ),
}

export const ArticleComponent = Type.Object(
  { ...articleProperties, ...articleEmbeds },
  {
    $id: 'Article',
    description:
      'An article, every field present: what writes answer and what a read without `fields` returns. ' +
      '`include` adds `source`, `tagDetails`, `credits[].source`, `contributors[].person` and `sections[].section`.',
    additionalProperties: false,
    examples: [{ ...seedArticleExample, source: seedSourceExample }],
  },
)

export const SparseArticleComponent = Type.Object(
  {
    ...Type.Partial(Type.Object(articleProperties)).properties,
    id: UuidSchema,
    ...articleEmbeds,
    snippet: Type.Optional(
      Type.String({ description: 'With q: the matching passage, search terms wrapped in <mark>…</mark>' }),
    ),
  },
  {
    $id: 'SparseArticle',
    description:
      'An article as lists return it: `id` always, and the fields `fields` names (every field of Article ' +
      'when it is not given), with what `include` embeds and, for a search, `snippet`.',
    additionalProperties: false,
    examples: [
      {
        id: seedArticleExample.id,
        slug: seedArticleExample.slug,
        headline: seedArticleExample.headline,
        publishedAt: seedArticleExample.publishedAt,
      },
    ],
  },
)
