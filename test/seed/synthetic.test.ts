// Synthetic articles (npm run db:seed -- --articles N): the spreads they promise, search over
// them, repeatable content from a seeded PRNG, runs that add up, and the command line.
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { applyMigrations } from '../../src/db/migrations.js'
import { renderBodyText } from '../../src/modules/articles/articles.body.js'
import { loadSeedContent, seed } from '../../src/seed/seed.js'
import { mulberry32, SYNTHETIC_WORDS, seedSyntheticArticles } from '../../src/seed/synthetic.js'
import { serverUrl } from '../db-url.js'
import { createTestDatabase } from '../helper.js'

const N = 300
const now = new Date('2026-06-01T12:00:00.000Z')
const twoYears = 730 * 86_400_000

t.test('synthetic articles', async (t) => {
  const { db } = await createTestDatabase(t)
  const prisma = db.prisma
  await seed(prisma)
  const examples = await prisma.article.count()
  const content = await loadSeedContent()
  const exampleSources = content.sources.length
  const exampleSections = new Set(content.sections.map((s) => s.path))
  // Two of the synthetic tree's 27 sections are example ones too: world and world/middle-east.
  const shared = ['world', 'world/middle-east']

  const started = performance.now()
  const first = await seedSyntheticArticles(prisma, {
    articles: N,
    now,
    random: mulberry32(2026),
    batchSize: 128,
    concurrency: db.kind === 'server' ? 2 : 1,
  })
  const seconds = (performance.now() - started) / 1000
  t.comment(`${N} articles on ${db.kind} in ${seconds.toFixed(2)} s (${Math.round(N / seconds)} articles/s)`)

  const synthetic = await prisma.article.findMany({
    where: { slug: { startsWith: 'synthetic-' } },
    include: { tags: true, credits: { include: { source: true } }, source: true, sections: true },
  })
  const number = (slug: string) => Number(slug.split('-')[1])
  synthetic.sort((a, b) => number(a.slug) - number(b.slug))

  t.test('counts', async (t) => {
    t.equal(first.created.articles, N)
    t.equal(await prisma.article.count(), examples + N)
    t.equal(synthetic.length, N)
    t.equal(first.created.sources, 50 - exampleSources, 'the example sources plus synthetic ones make 50')
    t.equal(await prisma.source.count({ where: { slug: { startsWith: 'synthetic-source-' } } }), 50 - exampleSources)
    t.equal(first.created.tags, 500)
    t.equal(await prisma.tag.count({ where: { slug: { startsWith: 'topic-' } } }), 500)
    t.ok(await prisma.tag.findUnique({ where: { slug: 'topic-001' } }))
    t.ok(await prisma.tag.findUnique({ where: { slug: 'topic-500' } }))
    t.equal(
      first.created.articleTags,
      await prisma.articleTag.count({ where: { article: { slug: { startsWith: 'synthetic-' } } } }),
    )
    t.equal(
      first.created.credits,
      await prisma.articleCredit.count({ where: { article: { slug: { startsWith: 'synthetic-' } } } }),
    )
    t.equal(first.created.sections, 27 - shared.length, 'the sections the examples do not have')
    t.equal(await prisma.section.count(), exampleSections.size + 27 - shared.length)
    t.equal(
      first.created.articleSections,
      await prisma.articleSection.count({ where: { article: { slug: { startsWith: 'synthetic-' } } } }),
    )
    t.same([first.first, first.last], [1, N])
  })

  t.test('sections: a tree, one primary section for every article and sometimes a second', async (t) => {
    const sections = (await prisma.section.findMany({ include: { parent: true } })).filter(
      (s) => !exampleSections.has(s.path) || shared.includes(s.path),
    )
    t.same([...new Set(sections.map((s) => s.depth))].sort(), [1, 2, 3], 'three levels')
    t.equal(sections.filter((s) => s.depth === 1).length, 6, 'six roots')
    for (const s of sections) {
      const expected = s.parent ? `${s.parent.path}/${s.slug}` : s.slug
      if (s.path !== expected || s.depth !== (s.parent ? s.parent.depth + 1 : 1)) t.fail(`section ${s.path}`)
    }
    for (const a of synthetic) {
      const primary = a.sections.filter((s) => s.primary)
      if (a.sections.length < 1 || a.sections.length > 2 || primary.length !== 1 || primary[0]?.position !== 0) {
        t.fail(`${a.slug}: sections ${JSON.stringify(a.sections)}`)
      }
    }
    const second = synthetic.filter((a) => a.sections.length === 2).length
    t.ok(second > 0.2 * N && second < 0.6 * N, `some have a second section (${second})`)
    const used = new Set(synthetic.flatMap((a) => a.sections.map((s) => s.sectionId)))
    t.ok(used.size >= 20, `articles spread over the sections (${used.size})`)
  })

  t.test('statuses and times', async (t) => {
    const by = (status: string) => synthetic.filter((a) => a.status === status)
    const published = by('published')
    const drafts = by('draft')
    const scheduled = by('scheduled')
    t.equal(published.length + drafts.length + scheduled.length, N, 'no other status')
    t.same(first.statuses, { published: published.length, draft: drafts.length, scheduled: scheduled.length })
    t.ok(published.length >= 0.84 * N && published.length <= 0.96 * N, `~90% published (${published.length})`)
    t.ok(drafts.length >= 0.02 * N && drafts.length <= 0.09 * N, `~5% drafts (${drafts.length})`)
    t.ok(scheduled.length >= 0.02 * N && scheduled.length <= 0.09 * N, `~5% scheduled (${scheduled.length})`)
    for (const a of published) {
      const at = a.publishedAt?.getTime() ?? Number.NaN
      if (!(at <= now.getTime() && at >= now.getTime() - twoYears)) t.fail(`${a.slug}: published ${a.publishedAt}`)
      if (a.firstPublishedAt?.getTime() !== at) t.fail(`${a.slug}: firstPublishedAt is not publishedAt`)
    }
    const times = published.map((a) => a.publishedAt?.getTime() ?? 0)
    t.ok(Math.min(...times) < now.getTime() - 0.8 * twoYears, 'the oldest is nearly two years old')
    t.ok(Math.max(...times) > now.getTime() - 0.2 * twoYears, 'the newest is recent')
    for (const a of drafts) if (a.publishedAt || a.firstPublishedAt) t.fail(`${a.slug}: a draft with a publish time`)
    for (const a of scheduled) {
      if (!a.publishedAt || a.publishedAt <= now) t.fail(`${a.slug}: scheduled for ${a.publishedAt}`)
      if (a.firstPublishedAt) t.fail(`${a.slug}: scheduled but first published`)
    }
    for (const a of synthetic) {
      if (a.version !== 1) t.fail(`${a.slug}: version ${a.version}`)
      if (!(a.createdAt <= a.updatedAt && a.updatedAt <= now))
        t.fail(`${a.slug}: created ${a.createdAt} updated ${a.updatedAt}`)
      const near = a.publishedAt && a.status === 'published' ? a.publishedAt.getTime() : a.updatedAt.getTime()
      if (Math.abs(a.createdAt.getTime() - near) > 8 * 3_600_000 && a.status === 'published') {
        t.fail(`${a.slug}: created far from publication`)
      }
      if (a.deletedAt) t.fail(`${a.slug}: deleted`)
    }
    t.pass('every article has consistent times')
  })

  t.test('sources, credits and tags', async (t) => {
    const sources = new Set<string>()
    for (const a of synthetic) {
      if (!a.source) t.fail(`${a.slug}: no source`)
      else sources.add(a.source.slug)
      if (a.source?.kind === 'agency') t.fail(`${a.slug}: published by an agency`)
      if (a.tags.length < 1 || a.tags.length > 4) t.fail(`${a.slug}: ${a.tags.length} tags`)
      if (a.credits.length > 2) t.fail(`${a.slug}: ${a.credits.length} credits`)
      for (const c of a.credits) {
        if (c.source.kind !== 'agency' || c.role !== 'wire') t.fail(`${a.slug}: credit ${c.source.slug} ${c.role}`)
      }
      const positions = a.credits.map((c) => c.position).sort()
      if (positions.join() !== [0, 1].slice(0, positions.length).join()) t.fail(`${a.slug}: credit positions`)
    }
    t.ok(sources.size >= 10, `articles spread over many sources (${sources.size})`)
    t.ok(
      synthetic.some((a) => a.credits.length === 0) && synthetic.some((a) => a.credits.length === 2),
      '0 to 2 credits',
    )
    const tagsUsed = new Set(synthetic.flatMap((a) => a.tags.map((x) => x.tagId)))
    t.ok(tagsUsed.size >= 100, `articles spread over many tags (${tagsUsed.size})`)
    const [row] = await prisma.$queryRaw<{ kinds: string[] }[]>`
      SELECT array_agg(DISTINCT kind::text ORDER BY kind::text) AS kinds FROM sources`
    t.same(row?.kinds, ['agency', 'partner', 'publisher'], 'publishers, agencies and partners')
  })

  t.test('slugs, languages, headlines and bodies', async (t) => {
    t.equal(new Set(synthetic.map((a) => a.slug)).size, N, 'slugs are unique')
    for (const a of synthetic) {
      if (!/^synthetic-\d+-[a-z0-9]+(?:-[a-z0-9]+)*$/.test(a.slug)) t.fail(`slug ${a.slug}`)
      if (!['en', 'ru', 'hy'].includes(a.language)) t.fail(`${a.slug}: language ${a.language}`)
      const words = a.headline.split(' ').length
      if (words < 8 || words > 12) t.fail(`${a.slug}: ${words} words in "${a.headline}"`)
      if (!a.summary || /[.!?]\s/.test(a.summary.slice(0, -1)) || !/\.$/.test(a.summary)) {
        t.fail(`${a.slug}: summary "${a.summary}" is not one sentence`)
      }
      const bytes = Buffer.byteLength(a.body)
      if (bytes < 2000 || bytes > 4096) t.fail(`${a.slug}: body of ${bytes} bytes`)
      if (a.bodyText !== renderBodyText(a.body)) t.fail(`${a.slug}: bodyText is not the body's text`)
      if (a.bodyText.includes('**') || a.bodyText.includes('](')) t.fail(`${a.slug}: markup in bodyText`)
    }
    const languages = first.languages
    t.same(Object.keys(languages).sort(), ['en', 'hy', 'ru'])
    t.ok((languages.en ?? 0) > 0.7 * N, `most are English (${JSON.stringify(languages)})`)
    const sizes = synthetic.map((a) => Buffer.byteLength(a.body))
    const mean = sizes.reduce((x, y) => x + y, 0) / N
    t.ok(mean > 2700 && mean < 3500, `bodies average ~3 KB (${Math.round(mean)} bytes)`)
    t.ok(
      synthetic.some((a) => a.body.includes('\n## ')) && synthetic.some((a) => a.body.includes('\n- ')),
      'bodies have Markdown structure',
    )
    t.ok(synthetic.some((a) => a.bylines.length === 2) && synthetic.some((a) => a.bylines.length === 0), 'bylines')
  })

  t.test('full-text search finds them', async (t) => {
    const hits = async (config: string, query: string) => {
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM articles
        WHERE search_vector @@ websearch_to_tsquery(${config}::regconfig, ${query}) AND slug LIKE 'synthetic-%'`
      return Number(row?.n)
    }
    for (const word of ['ministry', 'parliament', 'inflation', SYNTHETIC_WORDS[7] as string]) {
      t.ok((await hits('simple', word)) > 0, `"${word}" (simple)`)
    }
    t.ok((await hits('english', 'ministries')) > 0, 'stemmed English search')
    t.ok((await hits('simple', 'правительство')) > 0, 'Russian words')
    t.ok((await hits('simple', 'կառավարություն')) > 0, 'Armenian words')
    const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM articles WHERE slug LIKE 'synthetic-%' AND search_vector IS NULL`
    t.equal(Number(row?.n), 0, 'every article has a search vector')
  })

  t.test('a second run adds as many again, with the same content from the same seed', async (t) => {
    const second = await seedSyntheticArticles(prisma, { articles: N, now, random: mulberry32(2026) })
    t.same(second.created, {
      sources: 0,
      tags: 0,
      articles: N,
      credits: first.created.credits,
      articleTags: first.created.articleTags,
      sections: 0,
      articleSections: first.created.articleSections,
    })
    t.same([second.first, second.last], [N + 1, 2 * N], 'numbered after the first run')
    t.equal(await prisma.article.count(), examples + 2 * N)
    const again = await prisma.article.findMany({
      where: { slug: { startsWith: 'synthetic-' } },
      select: { slug: true, headline: true, summary: true, language: true, status: true, publishedAt: true },
    })
    t.equal(new Set(again.map((a) => a.slug)).size, 2 * N, 'no slug clashes')
    const byNumber = new Map(again.map((a) => [number(a.slug), a]))
    let same = 0
    for (let n = 1; n <= N; n++) {
      const a = byNumber.get(n)
      const b = byNumber.get(n + N)
      if (
        a &&
        b &&
        a.headline === b.headline &&
        a.summary === b.summary &&
        a.language === b.language &&
        a.status === b.status &&
        a.publishedAt?.getTime() === b.publishedAt?.getTime()
      ) {
        same++
      }
    }
    t.equal(same, N, 'mulberry32(seed) and now determine the content')
  })
})

t.test('npm run db:seed -- --articles N', async (t) => {
  // A database of its own on the server; else a migrated PGlite folder (one in memory is not shared).
  let env: NodeJS.ProcessEnv
  const database = serverUrl ? await createTestDatabase(t) : undefined
  if (database?.url) {
    env = { DATABASE_URL: database.url }
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'newsdesk-synthetic-'))
    t.teardown(() => rm(dataDir, { recursive: true, force: true }))
    const db = await openDatabase({ kind: 'embedded', dataDir })
    await applyMigrations(db.adapterFactory)
    await db.close()
    env = { DATA_DIR: dataDir }
  }
  const run = (args: string[]) => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db.ts', ...args], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    })
    return { code: res.status, out: res.stdout.trim(), err: res.stderr.trim() }
  }
  for (const bad of [['--articles', '0'], ['--articles']]) {
    const res = run(['seed', ...bad])
    t.equal(res.code, 1, `seed ${bad.join(' ')} is refused`)
    t.match(res.err, /Usage: .*--articles N/)
  }

  const res = run(['seed', '--articles', '40'])
  t.equal(res.code, 0, res.err)
  t.match(res.out, /^seeded .*: \{"sources":\d+/, 'the example content first')
  t.match(
    res.out,
    /\nadded 40 synthetic articles \(synthetic-1… to synthetic-40…\) in [\d.]+ s, \d+ articles\/s: \{"sources":\d+,"tags":500,"articles":40,/,
  )
})
