// The write scenarios: creates and edits as an editor or an ingest job sends them, with the
// run's API key; everything they write is removed with the run's other writes.

import { makeWriteContent } from './content.js'
import type { Fixtures } from './database.js'
import { expectStatus, request } from './http.js'
import type { Scenario } from './scenarios.js'

function headerOf(headers: Record<string, unknown>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name)
  return typeof entry?.[1] === 'string' ? entry[1] : undefined
}

const versionOf = (etag: string | undefined) => Number(/^"v(\d+)"$/.exec(etag ?? '')?.[1] ?? Number.NaN)

/** The version a 412 names; NaN when the body is not the expected problem (an error is counted anyway). */
function currentVersionOf(body: string): number {
  try {
    return Number((JSON.parse(body) as { currentVersion?: unknown }).currentVersion ?? Number.NaN)
  } catch {
    return Number.NaN
  }
}

export interface WriteSetup {
  token: string
  fixtures: Fixtures
  connections: number
  /** Distinguishes this run's headlines from every earlier run's. */
  runId: string
}

/** POST /v1/articles; `name` another scenario's (baseline-write) with the same bodies. */
export function createArticle({ token, fixtures, runId }: WriteSetup, name = 'write-create'): Scenario {
  const content = makeWriteContent(fixtures.writeRefs)
  let n = 0
  return {
    name,
    kind: 'write',
    expectStatus: 201,
    prepare: async () => ({
      label: 'POST /v1/articles (~3 KB Markdown body)',
      requests: async () => [
        {
          method: 'POST',
          path: '/v1/articles',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: content.create(`${runId}-${n}`, n++) }),
        },
      ],
    }),
  }
}

interface Draft {
  id: string
  version: number
}

/**
 * PATCH with If-Match, as an editor saves. autocannon gives each request a context that lasts from
 * setupRequest to onResponse, so a request takes a draft from a pool and returns it with the version
 * its response carries: no two requests edit one draft at once, and none gets a 412.
 */
export function patchArticle({ token, fixtures, connections, runId }: WriteSetup): Scenario {
  const content = makeWriteContent(fixtures.writeRefs)
  const auth = { authorization: `Bearer ${token}` }
  let n = 0
  return {
    name: 'write-patch',
    kind: 'write',
    expectStatus: 200,
    async prepare(origin) {
      // Twice the connections: a request lost to a socket error keeps its draft out of the pool.
      const drafts: Draft[] = []
      for (let i = 0; i < connections * 2; i++) {
        const res = await expectStatus(`${origin}/v1/articles`, 201, {
          method: 'POST',
          headers: auth,
          body: content.create(`${runId}-draft-${i}`, i),
        })
        drafts.push({ id: res.json<{ id: string }>().id, version: versionOf(res.headers.etag as string) })
      }
      return {
        label: 'PATCH /v1/articles/{id} with If-Match (a draft per connection)',
        async requests() {
          // The run before may have ended with saves in flight: start from the versions stored now.
          for (const draft of drafts) {
            const res = await request(`${origin}/v1/articles/${draft.id}`, { headers: auth })
            draft.version = versionOf(res.headers.etag as string | undefined)
          }
          const pool = [...drafts]
          return [
            {
              method: 'PATCH',
              headers: { ...auth, 'content-type': 'application/json' },
              setupRequest: (req, context) => {
                const draft = pool.pop() ?? (drafts[0] as Draft)
                ;(context as { draft?: Draft }).draft = draft
                return {
                  ...req,
                  path: `/v1/articles/${draft.id}`,
                  headers: { ...req.headers, 'if-match': `"v${draft.version}"` },
                  body: content.update(n++),
                }
              },
              onResponse: (status, body, context, headers) => {
                const draft = (context as { draft?: Draft }).draft
                if (!draft) return
                const version =
                  status === 412
                    ? currentVersionOf(body)
                    : versionOf(headerOf(headers as Record<string, unknown>, 'etag'))
                if (Number.isInteger(version)) draft.version = version
                pool.push(draft)
              },
            },
          ]
        },
      }
    },
  }
}
