// Which webhook URLs the API calls: https (http only when allowed), and unless private targets are
// allowed, only hosts whose every address is public (no loopback, private or link-local network).
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'
import { WebhookTargetRefusedError, withProblem } from '../../errors.js'

export interface TargetPolicy {
  allowHttp: boolean
  allowPrivateTargets: boolean
}

export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>

export const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true, verbatim: true })

/** True for a unicast address on the public internet. */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false
  return ipaddr.process(ip).range() === 'unicast'
}

function refuse(detail: string): never {
  throw withProblem(new WebhookTargetRefusedError(detail), {
    errors: [{ in: 'body', pointer: '/url', message: detail }],
  })
}

/** throws WebhookTargetRefusedError (422, errors[0].pointer '/url') */
export async function checkWebhookUrl(
  url: string,
  policy: TargetPolicy,
  resolve: Resolve = systemResolve,
): Promise<void> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return refuse('The webhook URL is not a valid URL')
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && policy.allowHttp)) {
    refuse(policy.allowHttp ? 'The webhook URL must use http or https' : 'The webhook URL must use https')
  }
  if (policy.allowPrivateTargets) return
  const host = parsed.hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  if (isIP(host)) addresses = [host]
  else {
    try {
      addresses = (await resolve(host)).map((a) => a.address)
    } catch {
      return refuse(`The webhook host ${host} does not resolve`)
    }
  }
  if (addresses.length === 0) refuse(`The webhook host ${host} does not resolve`)
  const refused = addresses.find((a) => !isPublicAddress(a))
  if (refused) refuse(`The webhook host ${host} reaches ${refused}, which is not a public address`)
}
