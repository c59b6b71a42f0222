// Which URLs a webhook may call. A webhook is a request the server makes on a caller's behalf, so
// a URL that reaches loopback, the private network or a cloud metadata service would let that
// caller read the operator's own network (server-side request forgery). The URL is checked when a
// webhook is saved (checkWebhookUrl) and again by the sender against the address it connects to,
// since a name may resolve differently by then (DNS rebinding).
import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'
import { WebhookTargetRefusedError, withProblem } from '../../errors.js'

export interface TargetPolicy {
  allowHttp: boolean
  allowPrivateTargets: boolean
}

/** Resolves a host name to every address (like dns.promises.lookup(host, { all: true, verbatim: true })). Injectable for tests. */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>

export const systemResolve: Resolve = (hostname) => dns.lookup(hostname, { all: true, verbatim: true })

export const maxWebhookUrlLength = 2048

// The well-known NAT64 prefix carries an IPv4 address in its last 32 bits; the local-use
// 64:ff9b:1::/48 (same library range) places it by operator choice, so it stays refused.
const nat64WellKnown = ipaddr.IPv6.parseCIDR('64:ff9b::/96')
// Every public IPv6 address is allocated from 2000::/3; the rest of the space the library calls
// unicast is unallocated or deprecated (IPv4-compatible ::a.b.c.d among them).
const globalUnicast = ipaddr.IPv6.parseCIDR('2000::/3')

function ipv4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff])
}

/** The range of an IPv6 address, judged by the IPv4 address inside it when it carries one. */
function ipv6Range(address: ipaddr.IPv6): string {
  const parts = address.parts as [number, number, number, number, number, number, number, number]
  const range = address.range()
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
      return ipv4From(parts[6], parts[7]).range()
    case 'rfc6052':
      return address.match(nat64WellKnown) ? ipv4From(parts[6], parts[7]).range() : range
    case '6to4': // 2002:aabb:ccdd::/48
      return ipv4From(parts[1], parts[2]).range()
    case 'teredo': {
      // 2001:0:<server>:<flags>:<port>:<client, inverted>: both IPv4 ends must be public.
      const server = ipv4From(parts[2], parts[3]).range()
      return server === 'unicast' ? ipv4From(parts[6] ^ 0xffff, parts[7] ^ 0xffff).range() : server
    }
    case 'unicast':
      return address.match(globalUnicast) ? range : 'unallocated'
    default:
      return range
  }
}

/** The ipaddr.js range name of an address ('unicast' when public), or 'invalid'. */
function addressRange(ip: string): string {
  // net.isIP first: ipaddr.js also reads forms such as "127.1" or "0x7f.0.0.1" as addresses.
  if (isIP(ip) === 0) return 'invalid'
  try {
    const address = ipaddr.parse(ip)
    return address.kind() === 'ipv4' ? address.range() : ipv6Range(address as ipaddr.IPv6)
  } catch {
    return 'invalid' // the two parsers disagree on an odd form: not an address to connect to
  }
}

/** True when an address is one a webhook may reach: public unicast only. */
export function isPublicAddress(ip: string): boolean {
  return addressRange(ip) === 'unicast'
}

/** Why an address is not public, in words ("loopback", "private", "linkLocal"), or null. */
export function addressRefusal(ip: string): string | null {
  const range = addressRange(ip)
  return range === 'unicast' ? null : range
}

/** Names that mean this machine whatever DNS says (RFC 6761), refused without asking. */
function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || name.endsWith('.localhost')
}

/** A URL that passed the checks needing no DNS: the parsed URL and its bare host. */
export interface ParsedTarget {
  url: URL
  /** The host without the brackets of an IPv6 literal. */
  host: string
  /** The host is an IP address, so it is connected to without resolving. */
  literal: boolean
}

/**
 * The checks that need no DNS: length, scheme, credentials, host, and (unless private targets
 * are allowed) local names and IP literals. Returns the parsed target, or why it is refused.
 */
export function parseTarget(raw: string, policy: TargetPolicy): ParsedTarget | { refused: string } {
  if (raw.length > maxWebhookUrlLength) return { refused: `is longer than ${maxWebhookUrlLength} characters` }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { refused: 'is not a valid absolute URL' }
  }
  const scheme = url.protocol.slice(0, -1)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    const allowed = policy.allowHttp ? 'http or https' : 'https'
    return { refused: `uses the ${scheme} scheme; webhook URLs must use ${allowed}` }
  }
  if (url.username !== '' || url.password !== '') {
    return { refused: 'contains a user name or password; send credentials in headers, not in the URL' }
  }
  // Never empty: the URL parser requires a host for http and https.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  const literal = isIP(host) !== 0
  if (!policy.allowPrivateTargets) {
    if (isLocalName(host)) return { refused: `names ${host}, this machine; webhooks may not reach it` }
    const why = literal ? addressRefusal(host) : null
    if (why) return { refused: `names ${host}, a non-public address (${why}); webhooks may not reach it` }
  }
  return { url, host, literal }
}

function refuse(message: string): Error {
  return withProblem(new WebhookTargetRefusedError(`The webhook URL is refused: it ${message}`), {
    errors: [{ in: 'body', pointer: '/url', message }],
  })
}

/**
 * Why a resolved host is refused: it resolves to nothing, or to any non-public address (a name
 * that mixes a public and a private address could be sent to either). Null when all are public.
 */
function resolvedRefusal(host: string, addresses: { address: string }[]): string | null {
  if (addresses.length === 0) return `names ${host}, which could not be resolved to any address`
  for (const { address } of addresses) {
    const why = addressRefusal(address)
    if (why) return `names ${host}, which resolves to a non-public address (${why}); webhooks may not reach it`
  }
  return null
}

/** Checks a URL when a webhook is saved; throws WebhookTargetRefusedError (422) naming /url. */
export async function checkWebhookUrl(
  url: string,
  policy: TargetPolicy,
  resolve: Resolve = systemResolve,
): Promise<void> {
  const target = parseTarget(url, policy)
  if ('refused' in target) throw refuse(target.refused)
  if (policy.allowPrivateTargets || target.literal) return
  let addresses: { address: string }[]
  try {
    addresses = await resolve(target.host)
  } catch {
    addresses = []
  }
  const refused = resolvedRefusal(target.host, addresses)
  if (refused) throw refuse(refused)
}
