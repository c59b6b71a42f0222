// One webhook attempt: a single POST, bounded in time and in what it reads, that follows no
// redirect. The address check runs again here, on the addresses the connection may use (the
// request's own lookup) and on the address it did connect to: a name checked when the webhook
// was saved may resolve elsewhere by now (DNS rebinding).
import type { ClientRequest, IncomingMessage } from 'node:http'
import { createRequire } from 'node:module'
import { isIP, type LookupFunction, type Socket } from 'node:net'
import { StringDecoder } from 'node:string_decoder'
import {
  addressRefusal,
  type ParsedTarget,
  parseTarget,
  type Resolve,
  systemResolve,
  type TargetPolicy,
} from './webhooks.address.js'

// node:http and node:https through require: importing node:http as an ES module builds a facade
// that reads every export, which loads Node's fetch implementation (its WebSocket getter) at
// start-up, ~20–50 ms of CPU that nothing here uses.
const require = createRequire(import.meta.url)
const { request: httpRequest } = require('node:http') as typeof import('node:http')
const { request: httpsRequest } = require('node:https') as typeof import('node:https')

export interface SendRequest {
  url: string
  headers: Record<string, string>
  body: string
}

export interface SendOptions {
  timeoutMs: number
  policy: TargetPolicy
  resolve?: Resolve
  /** The most of the response body read and kept (default 4096). */
  maxResponseBytes?: number
}

export interface AttemptResult {
  ok: boolean
  statusCode: number | null
  durationMs: number
  error: string | null
  responseBody: string | null
}

/** What an attempt came to; ok is exactly "no error". */
type Outcome = Omit<AttemptResult, 'ok' | 'durationMs'>

const defaultMaxResponseBytes = 4096
const userAgent = 'Newsdesk-Webhooks/1'
/** The attempt log keeps errors of up to 500 characters. */
const maxErrorLength = 500

/** A failure this module words itself (a refused address, a name that does not resolve). */
class SendFailure extends Error {}

const connectionErrors = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ECONNRESET', 'connection reset'],
  ['EPIPE', 'connection closed while sending'],
  ['ETIMEDOUT', 'connection timed out'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
])
const tlsErrorCode = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_)/

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
const failure = (error: string): Outcome => ({ statusCode: null, error, responseBody: null })

function describeError(err: unknown): string {
  if (err instanceof SendFailure) return truncate(err.message, maxErrorLength)
  const { code = 'error', message } = err as NodeJS.ErrnoException
  const known = connectionErrors.get(code)
  if (known) return known
  const firstLine = String(message).replace(/\n[\s\S]*/, '')
  if (code === 'EPROTO' || tlsErrorCode.test(code)) {
    // OpenSSL's own words ("wrong version number"), or Node's ("self-signed certificate").
    const openssl = /SSL routines:[^:]*:([^:]+)/.exec(firstLine)?.[1] ?? firstLine
    return truncate(`TLS error: ${openssl} (${code})`, maxErrorLength)
  }
  return truncate(`${code}: ${firstLine}`, maxErrorLength)
}

/** Why the connected peer may not be sent to, or null; exported for its own tests. */
export function peerRefusal(address: string | undefined, policy: TargetPolicy): string | null {
  if (policy.allowPrivateTargets) return null
  const why = address === undefined ? 'unknown' : addressRefusal(address)
  return why && `refused: connected to a non-public address (${why}); webhooks may not reach it`
}

/**
 * The request's DNS lookup: the caller's resolver, keeping only the addresses the policy allows.
 * The request sets no address family, so none is asked for here.
 */
function guardedLookup(policy: TargetPolicy, resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const usable = found.map(({ address }) => ({ address, family: isIP(address) })).filter((a) => a.family !== 0)
        const allowed = policy.allowPrivateTargets ? usable : usable.filter((a) => addressRefusal(a.address) === null)
        const first = allowed[0]
        if (first === undefined) {
          const why = usable[0] && addressRefusal(usable[0].address)
          const message = why
            ? `refused: ${hostname} resolves only to non-public addresses (${why}); webhooks may not reach them`
            : `${hostname} did not resolve to any address`
          callback(new SendFailure(message), '', 0)
        } else if (options.all) callback(null, allowed)
        // Asked for one address only when automatic family selection is off.
        else callback(null, first.address, first.family)
      },
      (err: NodeJS.ErrnoException) => {
        callback(new SendFailure(`${hostname} could not be resolved (${err.code ?? 'error'})`), '', 0)
      },
    )
  }
}

/** The caller's headers, with the body's own type and length, and a user-agent unless given. */
function outgoingHeaders(given: Record<string, string>, body: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(given)) {
    const lower = name.toLowerCase()
    if (lower !== 'content-type' && lower !== 'content-length') headers[name] = value
  }
  headers['content-type'] = 'application/json'
  headers['content-length'] = String(Buffer.byteLength(body))
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent')) headers['user-agent'] = userAgent
  return headers
}

function open(target: ParsedTarget, request: SendRequest, options: SendOptions): ClientRequest {
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest
  return send(target.url, {
    method: 'POST',
    headers: outgoingHeaders(request.headers, request.body),
    // A connection of its own, closed after the attempt: no socket is shared between targets.
    agent: false,
    lookup: guardedLookup(options.policy, options.resolve ?? systemResolve),
  })
}

/** Runs once the socket is connected (an IP-literal host is connected to without a lookup). */
function whenConnected(socket: Socket, then: () => void): void {
  if (socket.connecting) socket.once('connect', then)
  else then()
}

// PostgreSQL text cannot hold NUL; the body is kept for people to read, so it becomes U+FFFD.
const storable = (text: string) => text.replaceAll('\u0000', '\uFFFD')

/** Reads at most max bytes of the body, then reports; a cut inside a character drops it. */
function readBody(res: IncomingMessage, max: number, done: (body: string, error: string | null) => void): void {
  const decoder = new StringDecoder('utf8')
  let body = ''
  let size = 0
  let finished = false
  const finish = (text: string, error: string | null) => {
    if (finished) return
    finished = true
    done(storable(text), error)
  }
  res.on('data', (chunk: Buffer) => {
    if (size + chunk.length >= max) {
      // Enough: the caller destroys the socket, so a huge or endless body is never buffered.
      finish(body + decoder.write(chunk.subarray(0, max - size)), null)
      return
    }
    size += chunk.length
    body += decoder.write(chunk)
  })
  res.on('end', () => finish(body + decoder.end(), null))
  res.on('error', () => finish(body, 'the connection closed before the response ended'))
  res.on('close', () => finish(body, 'the connection closed before the response ended'))
}

function outcomeOf(res: IncomingMessage, body: string, readError: string | null): Outcome {
  // Always set on the response to a request.
  const status = Number(res.statusCode)
  let error = readError
  if (error === null && (status < 200 || status >= 300)) {
    const location = res.headers.location
    if (status >= 300 && status < 400) {
      error = location
        ? `redirect not followed: ${status} to ${truncate(location, 300)}`
        : `redirect not followed: ${status} without a Location`
    } else {
      error = `the receiver answered ${status}`
    }
  }
  return { statusCode: status, error, responseBody: body }
}

function attempt(request: SendRequest, options: SendOptions): Promise<Outcome> {
  const target = parseTarget(request.url, options.policy)
  if ('refused' in target) return Promise.resolve(failure(`refused: the URL ${target.refused}`))
  return new Promise((resolve) => {
    let req: ClientRequest | undefined
    let statusCode: number | null = null
    let settled = false
    const settle = (outcome: Outcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req?.destroy()
      resolve(outcome)
    }
    const timeout = `timed out after ${options.timeoutMs} ms`
    const timer = setTimeout(() => settle({ statusCode, error: timeout, responseBody: null }), options.timeoutMs)
    try {
      req = open(target, request, options)
    } catch (err) {
      settle(failure(describeError(err)))
      return
    }
    const sending = req
    sending.on('error', (err) => settle({ statusCode, error: describeError(err), responseBody: null }))
    // The request is not written until the peer is known to be allowed. (Over TLS the handshake
    // has begun by then: the lookup above is what keeps a connection from being made at all.)
    sending.on('socket', (socket) =>
      whenConnected(socket, () => {
        const refused = peerRefusal(socket.remoteAddress, options.policy)
        if (refused) settle(failure(refused))
        else sending.end(request.body)
      }),
    )
    sending.on('response', (res) => {
      statusCode = Number(res.statusCode)
      const max = options.maxResponseBytes ?? defaultMaxResponseBytes
      readBody(res, max, (body, error) => settle(outcomeOf(res, body, error)))
    })
  })
}

/** POSTs once. Never throws: every failure is an AttemptResult with ok false and an error. */
export async function sendWebhook(request: SendRequest, options: SendOptions): Promise<AttemptResult> {
  const started = performance.now()
  let outcome: Outcome
  try {
    outcome = await attempt(request, options)
  } catch (err) {
    outcome = failure(describeError(err)) // not expected: attempt reports its failures itself
  }
  return { ok: outcome.error === null, ...outcome, durationMs: Math.round(performance.now() - started) }
}
