// The layers stay in their order, checked on the source text so a change that crosses them fails
// here rather than in a review: src/lib, src/db and src/http import nothing from src/modules;
// src/lib imports nothing from src/http or src/db; inside a module only routes, schemas and
// route helpers (*.http.ts) import src/http; and every query is in a repository.
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { test } from 'tap'

const root = new URL('..', import.meta.url).pathname
const src = join(root, 'src')

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') out.push(...(await sourceFiles(path)))
    } else if (entry.name.endsWith('.ts')) out.push(path)
  }
  return out
}

function importsOf(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] as string)
}

/** What the layers allow a file to import from, by the file's place: a reason when it is refused. */
function refusal(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const target = relative(src, join(dirname(file), specifier))
  const from = relative(src, file)
  const layer = from.split('/')[0]
  if (['lib', 'db', 'http'].includes(layer ?? '') && target.startsWith('modules/')) return 'imports a module'
  if (layer === 'lib' && /^(http|db)\//.test(target)) return 'src/lib imports src/http or src/db'
  const allowedHttp = /\.(routes|schemas|http)\.ts$/.test(from)
  if (layer === 'modules' && target.startsWith('http/') && !allowedHttp) return 'a service imports src/http'
  return undefined
}

// A Prisma model call or raw statement: tx.article.findMany(…), db.$queryRaw`…`.
const query =
  /\b(?:tx|db|prisma|client)\.(?:\$queryRaw|\$executeRaw|\$queryRawUnsafe|\$executeRawUnsafe|[a-zA-Z]+\.(?:findMany|findFirst|findUnique|findFirstOrThrow|findUniqueOrThrow|create|createMany|update|updateMany|delete|deleteMany|upsert|count|aggregate|groupBy))\b/

test('imports follow the layers', async (t) => {
  const offences: string[] = []
  for (const file of await sourceFiles(src)) {
    for (const specifier of importsOf(await readFile(file, 'utf8'))) {
      const reason = refusal(file, specifier)
      if (reason) offences.push(`${relative(root, file)} → ${specifier}: ${reason}`)
    }
  }
  t.same(offences, [])
})

test('every query of a module is in its repository', async (t) => {
  const offences: string[] = []
  for (const file of await sourceFiles(join(src, 'modules'))) {
    if (/repository\.ts$/.test(file)) continue
    const lines = (await readFile(file, 'utf8')).split('\n')
    lines.forEach((line, i) => {
      if (query.test(line)) offences.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`)
    })
  }
  t.same(offences, [])
})

// The specifiers below are relative to the src/ file named beside each (path-check: not a file path).
test('the checks see what they are meant to refuse', async (t) => {
  t.equal(refusal(join(src, 'http/auth.ts'), '../modules/keys/keys.service.js'), 'imports a module') // path-check: not a file path
  t.equal(refusal(join(src, 'lib/pagination.ts'), '../http/pagination.js'), 'src/lib imports src/http or src/db') // path-check: not a file path
  t.equal(
    refusal(join(src, 'modules/articles/articles.service.ts'), '../../http/caching.js'), // path-check: not a file path
    'a service imports src/http',
  )
  t.equal(refusal(join(src, 'modules/articles/articles.routes.ts'), '../../http/caching.js'), undefined) // path-check: not a file path
  t.ok(query.test('const rows = await tx.article.findMany({ where })'))
  t.ok(query.test('await db.$queryRaw`SELECT 1`'))
  t.notOk(query.test('await db.$transaction(async (tx) => repo.find(tx, id))'))
})
