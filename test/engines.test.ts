// package.json's `engines` tells the truth: every Node version it admits is one that every
// package in the lock file (dependencies, dev dependencies for building and testing, optional
// platform packages) declares it runs on. A dependency update that drops a Node version fails
// here until `engines` (and the README's Node versions) follow it.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import semver from 'semver'
import { test } from 'tap'
import { projectRoot } from '../src/db/paths.js'

interface Entry {
  version?: string
  engines?: { node?: string } | string[]
  optional?: boolean
  cpu?: string[]
}

interface Lock {
  packages: Record<string, Entry>
}

/**
 * An optional binary for 32-bit x86 only (sharp's for 32-bit Windows, built for Node 20 alone):
 * Newsdesk runs on 64-bit machines, where npm never installs it.
 */
const thirtyTwoBit = (entry: Entry) =>
  entry.optional === true && entry.cpu !== undefined && entry.cpu.every((cpu) => cpu === 'ia32')

test('engines.node is within every locked package’s declared Node versions', async (t) => {
  const pkg = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { engines: { node: string } }
  const lock = JSON.parse(await readFile(join(projectRoot, 'package-lock.json'), 'utf8')) as Lock
  const ours = pkg.engines.node
  t.ok(semver.validRange(ours), `engines.node ${ours} is a range`)

  const narrower: string[] = []
  let declared = 0
  for (const [path, entry] of Object.entries(lock.packages)) {
    // Old packages wrote engines as an array of strings, which npm ignores.
    const theirs = Array.isArray(entry.engines) ? undefined : entry.engines?.node
    if (!path || !theirs || thirtyTwoBit(entry)) continue
    declared++
    if (!semver.subset(ours, theirs))
      narrower.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version}: ${theirs}`)
  }
  t.ok(declared > 100, `${declared} packages declare Node versions`)
  t.same(narrower, [], 'no package declares fewer Node versions than engines.node admits')

  // The lines the README names as supported and CI runs on.
  for (const version of ['22.19.0', '24.0.0', '24.21.0']) t.ok(semver.satisfies(version, ours), `admits ${version}`)
})
