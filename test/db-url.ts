// Where the tests' databases live. TEST_DATABASE_URL points at a PostgreSQL server: each test file
// gets its own database, cloned from a template migrated once per run (test/setup.ts). Without it,
// each test file runs on its own in-memory PGlite.
export const serverUrl = process.env.TEST_DATABASE_URL || undefined

export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

export function templateName(url: string): string {
  return `${new URL(url).pathname.slice(1) || 'newsdesk'}_template`
}
