// Shared by the preview test files: an app with a writer, a draft, and request helpers.
import type { Test } from 'tap'
import type { Article } from '../../src/modules/articles/articles.schemas.js'
import { type BuildOptions, build, json, type Res } from '../helper.js'
import { client, env } from './articles.helpers.js'

export interface PreviewLink {
  id: string
  articleId: string
  pinnedVersion: number | null
  status: 'active' | 'expired' | 'revoked'
  expiresAt: string
  createdBy: string | null
  createdAt: string
  revokedAt: string | null
  lastUsedAt: string | null
  uses: number
}
export interface CreatedLink extends PreviewLink {
  token: string
  url: string
}

/** The headers every answer of GET /v1/preview/{token} carries, whatever its status. */
export function assertPreviewHeaders(t: Test, res: Res, what: string): void {
  t.equal(res.headers['cache-control'], 'private, no-store', `${what}: Cache-Control`)
  t.equal(res.headers['x-robots-tag'], 'noindex', `${what}: X-Robots-Tag`)
  t.equal(res.headers['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`)
}

export async function setup(t: Test, options: BuildOptions = {}) {
  const built = await build(t, { ...options, env: { ...env, ...options.env } })
  const { app, auth } = built
  const articles = client(app, auth)
  const createLink = (idOrSlug: string, payload: object, headers: Record<string, string> = auth) =>
    app.inject({ method: 'POST', url: `/v1/articles/${idOrSlug}/preview-links`, headers, payload })
  const link = async (idOrSlug: string, payload: object = { expiresIn: 3600 }) => {
    const res = await createLink(idOrSlug, payload)
    if (res.statusCode !== 201) throw new Error(`preview link not created: ${res.statusCode} ${res.body}`)
    return json<CreatedLink>(res)
  }
  const open = (token: string, headers: Record<string, string> = {}) =>
    app.inject({ url: `/v1/preview/${token}`, headers })
  const openArticle = async (token: string) => {
    const res = await open(token)
    if (res.statusCode !== 200) throw new Error(`preview not opened: ${res.statusCode} ${res.body}`)
    return json<Article>(res)
  }
  const revoke = (id: string, headers: Record<string, string> = auth) =>
    app.inject({ method: 'DELETE', url: `/v1/preview-links/${id}`, headers })
  return { ...built, articles, createLink, link, open, openArticle, revoke }
}
