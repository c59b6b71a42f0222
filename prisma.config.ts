// Prisma CLI configuration. The application never reads this file: it builds its own client
// from src/config.ts. The CLI uses it for `prisma generate` (and, where Prisma's native engine
// can be downloaded, for `prisma migrate deploy`, which reads the same prisma/migrations).
import { defineConfig } from 'prisma/config'

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/newsdesk' },
})
