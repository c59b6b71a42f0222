import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The same code runs from src/ (tsx, tests), dist/src/ (the scripts) and dist/server/ (npm start,
// bundled), so project files are found from the package root rather than relative to this module.
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('package.json not found above the Newsdesk sources')
    dir = parent
  }
  return dir
}

export const projectRoot = findRoot()
export const schemaPath = join(projectRoot, 'prisma', 'schema.prisma')
export const migrationsDir = join(projectRoot, 'prisma', 'migrations')
