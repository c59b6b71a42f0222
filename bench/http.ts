// The runner's own HTTP calls (setup, readiness checks, start-up timing), outside the measured load.
import http from 'node:http'

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  json<T>(): T
}

export interface HttpRequest {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** A keep-alive agent for long setup walks; default: a fresh connection per request. */
  agent?: http.Agent
  timeoutMs?: number
}

export function request(url: string, options: HttpRequest = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...options.headers,
          ...(options.body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)) }),
        },
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${url} timed out`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

/** The request, failing unless it answers `status`. */
export async function expectStatus(url: string, status: number, options: HttpRequest = {}): Promise<HttpResponse> {
  const res = await request(url, options)
  if (res.status !== status) {
    throw new Error(
      `${options.method ?? 'GET'} ${url} answered ${res.status}, expected ${status}: ${res.body.toString('utf8').slice(0, 300)}`,
    )
  }
  return res
}
