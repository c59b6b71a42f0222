// The README's examples run: every `curl` command in a ```sh block is run as written (the host
// pointed at a test server, `$KEY` an admin key) against the app on a real socket with the example
// content, in README order, and must succeed. Comment lines right after a command show its output:
// every property they name must be in the response, and every complete value (a string without
// "…", a number, true, false, null) must be in it under that name. A sample whose first line ends
// with ":" ("# once an article is published:") illustrates a state the examples do not reach: only
// its property names are checked. Commands run in a folder holding photo.jpg, for the upload.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { test } from 'tap'
import { projectRoot } from '../src/db/paths.js'
import { scopes } from '../src/lib/principal.js'
import { seed } from '../src/seed/seed.js'
import { build, createKey } from './helper.js'

const run = promisify(execFile)

interface Example {
  command: string
  /** The output shown below it, without the comment marks. */
  sample: string
  illustrative: boolean
  line: number
}

/** The curl commands of the README's ```sh blocks (indented ones in lists too), in order. */
function examples(readme: string): Example[] {
  const found: Example[] = []
  const lines = readme.split('\n')
  let inSh = false
  let current: Example | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim()
    if (line.startsWith('```')) {
      inSh = !inSh && line === '```sh'
      current = undefined
      continue
    }
    if (!inSh) continue
    if (line.startsWith('curl ')) {
      const start = i + 1
      let command = line
      while (command.endsWith('\\')) command = `${command.slice(0, -1)} ${(lines[++i] as string).trim()}`
      current = { command, sample: '', illustrative: false, line: start }
      found.push(current)
    } else if (current && line.startsWith('#')) {
      const text = line.replace(/^#\s?/, '')
      if (current.sample === '' && text.endsWith(':')) current.illustrative = true
      else current.sample += text
    } else {
      current = undefined
    }
  }
  return found
}

/** Every property name, and every [name, value] whose value is not an object or array, in a JSON value. */
function walk(value: unknown, names: Set<string>, pairs: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) walk(item, names, pairs)
  else if (value && typeof value === 'object') {
    for (const [name, v] of Object.entries(value)) {
      names.add(name)
      if (v === null || typeof v !== 'object') pairs.add(`${name}=${JSON.stringify(v)}`)
      walk(v, names, pairs)
    }
  }
}

test('every curl example in the README works against the API', async (t) => {
  const { app, db } = await build(t, {
    // The webhook example names a public host; this turns off the address check (and so its DNS
    // look-up), and no worker sends deliveries there.
    env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_WORKER: 'false' },
  })
  await seed(db.prisma)
  const admin = await createKey(db, [...scopes])
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  // curl reads its defaults from $CURL_HOME/.curlrc: the status after the body, a time limit.
  const home = await mkdtemp(join(tmpdir(), 'newsdesk-readme-'))
  t.teardown(() => rm(home, { recursive: true, force: true }))
  await writeFile(join(home, '.curlrc'), 'write-out = "\\n%{http_code}"\nmax-time = 30\n')
  // The picture the media example uploads (commands run in this folder).
  const picture = sharp({ create: { width: 1200, height: 800, channels: 3, background: '#4a6fa5' } })
  await writeFile(join(home, 'photo.jpg'), await picture.jpeg().toBuffer())

  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
  const all = examples(readme)
  t.ok(all.length >= 6, `${all.length} curl examples`)
  for (const example of all) {
    const command = example.command.replace(/(https?:\/\/)?localhost:3000/g, base)
    t.notOk(/[|;&]\s/.test(command), `README line ${example.line}: one command, no pipes (its output is checked)`)
    const { stdout } = await run('sh', ['-c', command], {
      env: { PATH: process.env.PATH, KEY: admin.token, CURL_HOME: home },
      cwd: home,
    })
    const cut = stdout.lastIndexOf('\n')
    const status = Number(stdout.slice(cut + 1))
    const body = stdout.slice(0, cut)
    t.ok(status >= 200 && status < 300, `README line ${example.line}: ${example.command} → ${status}`, { body })
    if (!example.sample) continue
    const names = new Set<string>()
    const pairs = new Set<string>()
    walk(JSON.parse(body), names, pairs)
    const shown = [...example.sample.matchAll(/"([A-Za-z]\w*)":/g)].map((m) => m[1] as string)
    t.same(
      shown.filter((name) => !names.has(name)),
      [],
      `README line ${example.line}: the properties its output shows are in the response`,
    )
    if (example.illustrative) continue
    const values = [
      ...example.sample.matchAll(/"([A-Za-z]\w*)":("(?:[^"\\…]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)(?=[,}\]])/g),
    ].map((m) => `${m[1]}=${JSON.stringify(JSON.parse(m[2] as string))}`)
    t.same(
      values.filter((pair) => !pairs.has(pair)),
      [],
      `README line ${example.line}: the values its output shows are in the response`,
    )
  }
})
