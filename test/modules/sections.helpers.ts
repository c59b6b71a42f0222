// Sections through the API, for the sections tests.
import type { Test } from 'tap'
import type { Section, SectionNode } from '../../src/modules/sections/sections.schemas.js'
import { type build, json, type Page, type Res } from '../helper.js'

type App = Awaited<ReturnType<typeof build>>['app']

export type { Section, SectionNode }

export function sectionsClient(t: Test, app: App, auth: Record<string, string>) {
  const api = {
    post: (payload: unknown) =>
      app.inject({ method: 'POST', url: '/v1/sections', headers: auth, payload: payload as object }),
    /** Creates a section, failing the test unless it is created. */
    async create(payload: Record<string, unknown>): Promise<Section> {
      const res = await api.post(payload)
      t.equal(res.statusCode, 201, `create ${JSON.stringify(payload)}: ${res.body.slice(0, 300)}`)
      return json<Section>(res)
    },
    get: (key: string, headers: Record<string, string> = {}) => app.inject({ url: `/v1/sections/${key}`, headers }),
    patch: (key: string, payload: unknown) =>
      app.inject({ method: 'PATCH', url: `/v1/sections/${key}`, headers: auth, payload: payload as object }),
    remove: (key: string) => app.inject({ method: 'DELETE', url: `/v1/sections/${key}`, headers: auth }),
    async list(query = ''): Promise<Page<Section> & { link?: string }> {
      const res = await app.inject(`/v1/sections${query ? `?${query}` : ''}`)
      t.equal(res.statusCode, 200, `list ${query}: ${res.body.slice(0, 300)}`)
      return { ...json<Page<Section>>(res), link: res.headers.link as string | undefined }
    },
    async tree(): Promise<SectionNode[]> {
      const res = await app.inject('/v1/sections?tree=true')
      t.equal(res.statusCode, 200, `tree: ${res.body.slice(0, 300)}`)
      return json<{ data: SectionNode[] }>(res).data
    },
    /** Every path, in path order. */
    async paths(): Promise<string[]> {
      return (await api.list('limit=100')).data.map((s) => s.path)
    },
  }
  return api
}

/** The tree as nested paths: { world: { 'world/europe': {} } }. */
export function shape(nodes: SectionNode[]): Record<string, unknown> {
  return Object.fromEntries(nodes.map((n) => [n.path, shape(n.children)]))
}

/** A response's section, or its status and body when it is not one. */
export function sectionOf(res: Res): Section {
  if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`${res.statusCode}: ${res.body}`)
  return json<Section>(res)
}
