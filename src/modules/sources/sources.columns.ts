// Every column of the sources table by field, for raw reads that embed a source's row (an
// article's source, a teaser's) under names of their own.
import type { Prisma } from '../../generated/prisma/client.js'

export const sourceColumns = {
  id: 'id',
  slug: 'slug',
  name: 'name',
  nameKey: 'name_key',
  kind: 'kind',
  homepageUrl: 'homepage_url',
  description: 'description',
  redistribution: 'redistribution',
  creditLine: 'credit_line',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  createdById: 'created_by_id',
  updatedById: 'updated_by_id',
} as const satisfies { [F in keyof Prisma.SourceGetPayload<object>]-?: string }
