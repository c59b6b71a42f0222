// Baseline (2), the database floor: minimal Fastify 5 and a pg Pool with hand-written SQL for the
// two hot reads, returning the API's JSON shape — no auth, rate limits, validation, caching
// headers, logging or Markdown rendering. The API's distance to this is what its layers cost.
//   DATABASE_URL=postgres://… node dist/bench/baseline-pg.js --port <port>
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import pg from 'pg'
import { encodeCursor } from '../src/lib/pagination.js'
import { articleUrl } from '../src/lib/public-urls.js'
import { baselineSql } from './baseline-pg-sql.js'

const { values } = parseArgs({ options: { port: { type: 'string' } } })
const databaseUrl = process.env.DATABASE_URL
if (!values.port || !databaseUrl) {
  process.stderr.write('Usage: DATABASE_URL=postgres://… baseline-pg.js --port <port>\n')
  process.exit(1)
}

const urlTemplates = { article: process.env.PUBLIC_ARTICLE_URL }

// The API's default pool size.
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 })

const { articleSql, firstPageSql, hasEmbargo, hasRights, hasCorrections } = await baselineSql(pool)

interface ArticleRow {
  id: string
  slug: string
  headline: string
  summary: string | null
  body: string
  body_html: string
  body_text: string
  dateline: string | null
  bylines: string[]
  language: string
  status: string
  published_at: Date
  first_published_at: Date | null
  canonical_url: string | null
  lead_image_url: string | null
  lead_image_caption: string | null
  lead_image_credit: string | null
  source_id: string | null
  version: number
  created_by_id: string | null
  updated_by_id: string | null
  created_at: Date
  updated_at: Date
  credits: { sourceId: string; role: string; name?: string; redistribution?: string; creditLine?: string | null }[]
  usage_terms?: string | null
  copyright_holder?: string | null
  copyright_notice?: string | null
  allow_syndication?: boolean
  syndication_override?: string | null
  syndicatable?: boolean
  embargoed_until?: Date | null
  corrections?: { kind: string; text: string; at: string; version: number }[]
  contributors?: { personId: string; role: string }[]
  sections?: { sectionId: string; primary: boolean }[]
  tags: string[]
}

type SummaryRow = Pick<
  ArticleRow,
  'id' | 'slug' | 'headline' | 'summary' | 'dateline' | 'bylines' | 'language' | 'published_at' | 'source_id' | 'tags'
>

/** The credit line as the API renders it: each credit's template (a credit-required source's name without one), once each. */
function creditLineOf(a: ArticleRow): string | null {
  const year = String((a.first_published_at ?? a.published_at).getUTCFullYear())
  const lines = a.credits.flatMap((c) => {
    const template = c.creditLine ?? (c.redistribution === 'credit-required' ? '{source}' : null)
    return template === null
      ? []
      : [
          template.replace(/\{([^{}]*)\}/g, (whole, n) =>
            n === 'source' ? (c.name ?? '') : n === 'year' ? year : whole,
          ),
        ]
  })
  return lines.length > 0 ? [...new Set(lines)].join('; ') : null
}

function rightsOf(a: ArticleRow) {
  return {
    usageTerms: a.usage_terms ?? null,
    copyrightHolder: a.copyright_holder ?? null,
    copyrightNotice: a.copyright_notice ?? null,
    allowSyndication: a.allow_syndication ?? true,
    override: a.syndication_override ? { reason: a.syndication_override } : null,
    syndicatable: a.syndicatable ?? true,
    creditLine: creditLineOf(a),
  }
}

const app = Fastify()

app.get<{ Params: { slug: string } }>('/v1/articles/:slug', async (request, reply) => {
  // Named statements: parsed and planned once per connection, as the API's are.
  const { rows } = await pool.query<ArticleRow>({ name: 'article', text: articleSql, values: [request.params.slug] })
  const a = rows[0]
  if (!a) return reply.code(404).send({ title: 'Not Found', status: 404 })
  // Public rows only: a scheduled article that is due reads as published.
  return {
    id: a.id,
    slug: a.slug,
    headline: a.headline,
    summary: a.summary,
    body: a.body,
    bodyHtml: a.body_html,
    bodyText: a.body_text,
    dateline: a.dateline,
    bylines: a.bylines,
    language: a.language,
    status: 'published',
    publishedAt: a.published_at.toISOString(),
    firstPublishedAt: (a.first_published_at ?? a.published_at).toISOString(),
    ...(hasEmbargo ? { embargoedUntil: a.embargoed_until?.toISOString() ?? null } : {}),
    canonicalUrl: a.canonical_url,
    // The same PUBLIC_ARTICLE_URL as the API's (bench/servers.ts), rendered the same way.
    url: articleUrl(urlTemplates, {
      id: a.id,
      slug: a.slug,
      canonicalUrl: a.canonical_url,
      firstPublishedAt: a.first_published_at,
      publishedAt: a.published_at,
    }),
    leadImage: a.lead_image_url
      ? { url: a.lead_image_url, caption: a.lead_image_caption, credit: a.lead_image_credit }
      : null,
    sourceId: a.source_id,
    credits: a.credits.map((c) => ({ sourceId: c.sourceId, role: c.role })),
    ...(a.contributors ? { contributors: a.contributors, sections: a.sections } : {}),
    tags: a.tags,
    ...(hasRights ? { rights: rightsOf(a) } : {}),
    ...(hasCorrections
      ? { corrections: (a.corrections ?? []).map((c) => ({ ...c, at: new Date(c.at).toISOString() })) }
      : {}),
    version: a.version,
    createdBy: a.created_by_id,
    updatedBy: a.updated_by_id,
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
  }
})

app.get('/v1/articles', async () => {
  const { rows } = await pool.query<SummaryRow>({ name: 'first-page', text: firstPageSql })
  const page = rows.slice(0, 20)
  const last = page.at(-1)
  return {
    data: page.map((a) => ({
      id: a.id,
      slug: a.slug,
      headline: a.headline,
      summary: a.summary,
      dateline: a.dateline,
      bylines: a.bylines,
      language: a.language,
      publishedAt: a.published_at.toISOString(),
      sourceId: a.source_id,
      tags: a.tags,
    })),
    page: {
      limit: 20,
      nextCursor:
        rows.length > 20 && last ? encodeCursor('-publishedAt:', [last.published_at.toISOString(), last.id]) : null,
    },
  }
})

await app.listen({ host: '127.0.0.1', port: Number(values.port) })
