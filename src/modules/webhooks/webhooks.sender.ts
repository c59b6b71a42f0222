// One delivery attempt over HTTP: a POST that never throws, follows no redirect, gives up after
// the timeout, refuses a connection to a non-public address (unless allowed), and keeps only the
// start of the receiver's answer.
import type { LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import { isPublicAddress, type Resolve, systemResolve, type TargetPolicy } from './webhooks.address.js'

export interface SendRequest {
  url: string
  headers: Record<string, string>
  body: string
}

export interface SendOptions {
  timeoutMs: number
  policy: TargetPolicy
  resolve?: Resolve
  maxResponseBytes?: number
}

export interface AttemptResult {
  ok: boolean
  statusCode: number | null
  durationMs: number
  error: string | null
  responseBody: string | null
}

function lookupWith(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const family = typeof options === 'object' ? options.family : undefined
        const usable = found.filter((a) => !family || a.family === family)
        const first = usable[0]
        if (!first) return callback(new Error(`${hostname} does not resolve`), '', 0)
        if ((options as { all?: boolean }).all) {
          return (callback as unknown as (err: null, all: LookupAddress[]) => void)(null, usable)
        }
        callback(null, first.address, first.family)
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    )
  }
}

/** POSTs once; never throws; no redirects followed; checks the connected address; overall timeout. */
export async function sendWebhook(request: SendRequest, options: SendOptions): Promise<AttemptResult> {
  const started = performance.now()
  const maxBytes = options.maxResponseBytes ?? 4096
  const durationMs = () => Math.round(performance.now() - started)
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    return { ok: false, statusCode: null, durationMs: durationMs(), error: 'invalid URL', responseBody: null }
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.policy.allowHttp)) {
    return { ok: false, statusCode: null, durationMs: durationMs(), error: 'scheme not allowed', responseBody: null }
  }
  return new Promise<AttemptResult>((done) => {
    let settled = false
    const client = url.protocol === 'https:' ? https : http
    const req = client.request(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      agent: false,
      lookup: lookupWith(options.resolve ?? systemResolve),
    })
    const finish = (statusCode: number | null, error: string | null, responseBody: string | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.destroy()
      const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300
      done({ ok, statusCode, durationMs: durationMs(), error, responseBody })
    }
    const timer = setTimeout(() => finish(null, `timed out after ${options.timeoutMs} ms`, null), options.timeoutMs)
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        const remote = socket.remoteAddress
        if (!options.policy.allowPrivateTargets && remote && !isPublicAddress(remote)) {
          finish(null, `refused to connect to ${remote}, which is not a public address`, null)
        }
      })
    })
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      const body = () => Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8')
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        size += chunk.length
        if (size >= maxBytes) finish(res.statusCode ?? null, null, body())
      })
      res.on('end', () => finish(res.statusCode ?? null, null, body()))
      res.on('error', (err) => finish(res.statusCode ?? null, null, body() || err.message))
    })
    req.on('error', (err) => finish(null, err.message || String(err), null))
    req.end(request.body)
  })
}
