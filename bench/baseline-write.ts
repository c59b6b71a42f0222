// Baseline (write), the floor of a create: minimal Fastify 5 and a pg Pool writing, in one
// hand-written transaction, the rows POST /v1/articles writes for the write-create scenario's
// bodies — the article (its body rendered to text and HTML by the API's own Markdown renderer,
// its syndicatable flag computed), its credits and tags, the first revision with a snapshot, the
// audit entry, and the change event with its queue entry and webhook deliveries — answering 201
// with the article as JSON. No auth, validation, rate limits, logging, slug allocation or ORM. The
// rows are the bench key's (BENCH_KEY_ID), deleted with the run's other writes.
//   DATABASE_URL=postgres://… BENCH_KEY_ID=<uuid> node dist/bench/baseline-write.js --port <port>
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import pg from 'pg'
import { slugify } from '../src/lib/slug.js'
import { uuidv7 } from '../src/lib/uuid.js'
import { renderBodyHtml, renderBodyText } from '../src/modules/articles/articles.body.js'

const { values } = parseArgs({ options: { port: { type: 'string' } } })
const databaseUrl = process.env.DATABASE_URL
const keyId = process.env.BENCH_KEY_ID
if (!values.port || !databaseUrl || !keyId) {
  process.stderr.write('Usage: DATABASE_URL=postgres://… BENCH_KEY_ID=<uuid> baseline-write.js --port <port>\n')
  process.exit(1)
}

// The API's default pool size.
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 })

interface CreateBody {
  headline: string
  summary?: string
  body: string
  dateline?: string
  bylines?: string[]
  language?: string
  source: string
  credits: { source: string; role?: string }[]
  tags: string[]
}

const refsSql = `SELECT (SELECT id FROM sources WHERE slug = $1) AS source_id,
  ARRAY(SELECT s.id FROM unnest($2::text[]) WITH ORDINALITY c(slug, n) JOIN sources s ON s.slug = c.slug ORDER BY c.n)
    AS credit_ids,
  ARRAY(SELECT id FROM tags WHERE slug = ANY ($3::text[])) AS tag_ids`

const articleSql = `INSERT INTO articles (id, slug, headline, summary, body, body_text, body_html, dateline, bylines,
    language, source_id, syndicatable, created_by_id, updated_by_id, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
    NOT EXISTS (SELECT 1 FROM sources WHERE id = ANY ($12::uuid[]) AND redistribution = 'forbidden'), $13, $13, now())
  RETURNING id, slug, headline, summary, body, body_text, body_html, dateline, bylines, language, status, published_at,
    source_id, syndicatable, version, created_by_id, updated_by_id, created_at, updated_at`

const relationsSql = `WITH credits AS (
    INSERT INTO article_credits (article_id, source_id, role, position)
    SELECT $1, c.id, c.role, c.n - 1 FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY c(id, role, n)
  )
  INSERT INTO article_tags (article_id, tag_id) SELECT $1, unnest($4::uuid[])`

const revisionSql = `INSERT INTO article_revisions (article_id, version, changed_fields, snapshot, key_id)
  VALUES ($1, 1, $2, $3, $4)`

const auditSql = `INSERT INTO audit_entries (id, key_id, action, resource_type, resource_id)
  VALUES ($1, $2, 'create', 'article', $3)`

// A new draft's event is not public: no surrogate keys; deliveries for the webhooks that see drafts.
const eventSql = `WITH inserted AS (
    INSERT INTO change_events (type, occurred_at, resource_type, resource_id, resource_slug, resource_version,
      changed_fields, surrogate_keys, public, source_ids, tags, collection_ids, key_id)
    VALUES ('article.created', now(), 'article', $1, $2, 1, $3, '{}', false, $4, $5, '{}', $6)
    RETURNING id, type, source_ids, tags
  ), queued AS (
    INSERT INTO change_queue (event_id) SELECT id FROM inserted
  )
  INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, status, attempts, priority,
    next_attempt_at, created_at, updated_at)
  SELECT gen_random_uuid(), w.id, e.id, e.type, 'pending', 0, 0, now(), now(), now()
  FROM inserted e JOIN webhooks w ON w.enabled AND w.preview
    AND (e.type = ANY (w.events) OR '*' = ANY (w.events) OR 'article.*' = ANY (w.events))
    AND (w.filter_source_id IS NULL OR w.filter_source_id = ANY (e.source_ids))
    AND (w.filter_tag IS NULL OR w.filter_tag = ANY (e.tags)) AND w.filter_collection_id IS NULL`

type ArticleRow = Record<string, unknown> & { id: string; slug: string; version: number }

/** The article's rows, in one transaction on one connection; the inserted article with its credits and tags. */
async function createArticle(input: CreateBody) {
  const bodyText = renderBodyText(input.body)
  const bodyHtml = renderBodyHtml(input.body)
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const refs = await client.query<{ source_id: string | null; credit_ids: string[]; tag_ids: string[] }>({
      name: 'refs',
      text: refsSql,
      values: [input.source, input.credits.map((c) => c.source), input.tags],
    })
    const {
      source_id: sourceId,
      credit_ids: creditIds,
      tag_ids: tagIds,
    } = refs.rows[0] as NonNullable<(typeof refs.rows)[0]>
    const id = uuidv7()
    const { rows } = await client.query<ArticleRow>({
      name: 'article',
      text: articleSql,
      values: [
        id,
        slugify(input.headline),
        input.headline,
        input.summary ?? null,
        input.body,
        bodyText,
        bodyHtml,
        input.dateline ?? null,
        input.bylines ?? [],
        input.language ?? 'en',
        sourceId,
        creditIds,
        keyId,
      ],
    })
    const article = rows[0] as ArticleRow
    const roles = input.credits.map((c) => c.role ?? 'wire')
    await client.query({ name: 'relations', text: relationsSql, values: [id, creditIds, roles, tagIds] })
    const credits = creditIds.map((sourceId, i) => ({ sourceId, role: roles[i] }))
    const snapshot = { ...article, credits, tags: input.tags }
    const fields = Object.keys(snapshot)
    await client.query({ name: 'revision', text: revisionSql, values: [id, fields, snapshot, keyId] })
    await client.query({ name: 'audit', text: auditSql, values: [uuidv7(), keyId, id] })
    const eventSources = [...new Set([sourceId, ...creditIds].filter((s): s is string => s !== null))]
    await client.query({
      name: 'event',
      text: eventSql,
      values: [id, article.slug, fields, eventSources, input.tags, keyId],
    })
    await client.query('COMMIT')
    return snapshot
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

const app = Fastify({ bodyLimit: 1024 * 1024 })
app.post<{ Body: CreateBody }>('/v1/articles', async (request, reply) => {
  const article = await createArticle(request.body)
  return reply.code(201).header('etag', `"v${article.version}"`).send(article)
})
// For the runner's readiness and drain requests: waits behind the pool, as the API's does.
app.get('/health/ready', async () => {
  await pool.query('SELECT 1')
  return { status: 'ok' }
})
await app.listen({ host: '127.0.0.1', port: Number(values.port) })
