// Signing as Standard Webhooks (standardwebhooks.com): each delivery carries webhook-id,
// webhook-timestamp and webhook-signature, an HMAC-SHA256 of "<id>.<timestamp>.<body>" under the
// webhook's secret. During a rotation the previous secret signs too: receivers that still hold it
// keep verifying, since the header may list several signatures separated by spaces.
import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'

/** How long the previous secret keeps signing after a rotation. */
export const rotationOverlapMs = 24 * 60 * 60 * 1000

/** A new signing secret: whsec_ and the base64 of 32 random bytes. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

export interface SigningSecrets {
  secret: string
  previousSecret: string | null
  previousSecretExpiresAt: Date | null
}

/** The headers of one attempt: the same webhook-id on every attempt, a fresh timestamp and signature. */
export function signedHeaders(
  deliveryId: string,
  body: string,
  secrets: SigningSecrets,
  now: Date,
): Record<string, string> {
  const signing = [secrets.secret]
  if (secrets.previousSecret && secrets.previousSecretExpiresAt && secrets.previousSecretExpiresAt > now) {
    signing.push(secrets.previousSecret)
  }
  return {
    'content-type': 'application/json',
    'user-agent': 'Newsdesk-Webhooks/1',
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signing.map((s) => new Webhook(s).sign(deliveryId, now, body)).join(' '),
  }
}
