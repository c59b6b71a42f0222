// The variables whose values are more than a type: origins, proxies, base URLs and URL
// templates, each checked whole, with one line naming the variable when it is wrong.
import { isIP } from 'node:net'
import { variables } from './config.variables.js'
import { type PublicUrlKind, type PublicUrlTemplates, templateProblem } from './lib/public-urls.js'

type ConfigVariable = keyof typeof variables

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** DATABASE_REPLICA_URLS: connection URLs, each whole; only beside a server DATABASE_URL. */
export function parseReplicaUrls(value: string | undefined, embedded: boolean): string[] {
  if (value === undefined) return []
  const fail = (detail: string) => {
    throw new ConfigError('DATABASE_REPLICA_URLS', `Invalid configuration: DATABASE_REPLICA_URLS ${detail}`)
  }
  if (embedded) fail('needs DATABASE_URL: replicas are of a PostgreSQL server, not of the embedded database')
  const urls = value
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
  if (urls.length === 0) fail(`is empty — expected ${variables.DATABASE_REPLICA_URLS.expected}`)
  for (const url of urls) {
    let host = ''
    try {
      host = new URL(url).hostname
    } catch {}
    if (!/^postgres(ql)?:\/\//.test(url) || !host) {
      // The URL may hold a password: only its position is named.
      fail(
        `entry ${urls.indexOf(url) + 1} is not a connection URL — expected ${variables.DATABASE_REPLICA_URLS.expected}`,
      )
    }
  }
  return urls
}

export function parseOrigins(value: string): '*' | string[] {
  if (value.trim() === '*') return '*'
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `Invalid configuration: CORS_ORIGINS contains ${JSON.stringify(origin)} — expected ${variables.CORS_ORIGINS.expected}`,
      )
    }
  }
  return origins
}

export function parseTrustProxy(value: string): boolean | number | string[] {
  const text = value.trim()
  if (text === 'true' || text === 'false') return text === 'true'
  if (/^[0-9]+$/.test(text) && Number(text) >= 1 && Number(text) <= 10) return Number(text)
  const entries = text.split(',').map((e) => e.trim())
  const valid = entries.every((entry) => {
    const [address, bits, extra] = entry.split('/')
    const family = isIP(address ?? '')
    const maxBits = family === 6 ? 128 : 32
    return (
      family !== 0 &&
      extra === undefined &&
      (bits === undefined || (/^[0-9]{1,3}$/.test(bits) && Number(bits) <= maxBits))
    )
  })
  if (!valid) {
    throw new ConfigError(
      'TRUST_PROXY',
      `Invalid configuration: TRUST_PROXY=${JSON.stringify(value)} — expected ${variables.TRUST_PROXY.expected}`,
    )
  }
  return entries
}

export function parseBaseUrl(name: 'PUBLIC_URL' | 'MEDIA_PUBLIC_URL', value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  // The WHATWG parser mends "http:///x" into http://x/: the text itself must name the host.
  const named = /^https?:\/\/[^/?#@\s]+/.test(value)
  if (!url || !named || url.username || url.password || /[?#]/.test(value)) {
    throw new ConfigError(
      name,
      `Invalid configuration: ${name}=${JSON.stringify(value)} — expected ${variables[name].expected}`,
    )
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** PREVIEW_URL: an absolute http(s) URL with a host and the placeholder {token}. */
export function parsePreviewUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  let valid = false
  try {
    valid = /^https?:\/\/[^/?#@\s]+/.test(value) && value.includes('{token}') && !new URL(value).username
  } catch {
    valid = false
  }
  if (!valid) {
    throw new ConfigError(
      'PREVIEW_URL',
      `Invalid configuration: PREVIEW_URL=${JSON.stringify(value)} — expected ${variables.PREVIEW_URL.expected}`,
    )
  }
  return value
}

const urlVariables = {
  article: 'PUBLIC_ARTICLE_URL',
  section: 'PUBLIC_SECTION_URL',
  person: 'PUBLIC_PERSON_URL',
} as const satisfies Record<PublicUrlKind, ConfigVariable>

/** PUBLIC_ARTICLE_URL, PUBLIC_SECTION_URL, PUBLIC_PERSON_URL: absolute http(s) URLs with known placeholders. */
export function parsePublicUrls(read: (name: ConfigVariable) => unknown): PublicUrlTemplates {
  const templates: PublicUrlTemplates = {}
  for (const [kind, name] of Object.entries(urlVariables) as [PublicUrlKind, ConfigVariable][]) {
    const value = read(name) as string | undefined
    if (value === undefined) continue
    const problem = templateProblem(kind, value)
    if (problem) {
      throw new ConfigError(
        name,
        `Invalid configuration: ${name}=${JSON.stringify(value)} — expected ${problem} (${variables[name].expected})`,
      )
    }
    templates[kind] = value
  }
  return templates
}
