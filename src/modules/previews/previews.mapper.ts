import type { PreviewLinkRow } from './previews.repository.js'
import type { PreviewLink } from './previews.schemas.js'

export function linkStatus(row: PreviewLinkRow, now: Date): PreviewLink['status'] {
  if (row.revokedAt) return 'revoked'
  return row.expiresAt > now ? 'active' : 'expired'
}

export function toPreviewLink(row: PreviewLinkRow, now: Date): PreviewLink {
  return {
    id: row.id,
    articleId: row.articleId,
    pinnedVersion: row.pinnedVersion,
    status: linkStatus(row, now),
    expiresAt: row.expiresAt.toISOString(),
    createdBy: row.createdById,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    uses: row.uses,
  }
}

/**
 * Where the preview opens: PREVIEW_URL with the token put in (the frontend's preview page), or
 * the API's own GET /v1/preview/{token}, absolute under PUBLIC_URL and relative otherwise (never
 * from the request's Host, which the caller controls).
 */
export function previewUrl(token: string, options: { template?: string; publicUrl?: string }): string {
  if (options.template) return options.template.replaceAll('{token}', token)
  return `${options.publicUrl ?? ''}/v1/preview/${token}`
}
