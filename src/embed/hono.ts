// tsgi/hono: a tsgi app as a Hono 4 sub-app, for `honoApp.route(prefix, mounted.hono)`. It
// speaks Request and Response (c.req.raw), so it runs wherever Hono runs; under
// @hono/node-server a client that leaves aborts the Request, which the app sees as
// http.disconnect. Hono has no lifecycle: startup() and close() are the caller's to call.

import { Hono, type Context } from 'hono'
import { basePath } from 'hono/route'
import type { App } from '../protocol/types.ts'
import { embedCore, type Embedded, type EmbedOptions, type EmbeddedCore, type NodePair } from './embed.ts'
import { withEmbedded } from './face.ts'

export type { Embedded, EmbedOptions } from './embed.ts'

/**
 * Call `startup()` before serving and `close()` before the server stops. The app's rootPath is
 * the prefix Hono matched; a body a middleware already read (`c.req.json()`) is handed over
 * from Hono's body cache, the same bytes.
 * @example
 * const mounted = toHono(agentApp)
 * const app = new Hono().route('/agent', mounted.hono)
 * await mounted.startup()
 * const server = serve({ fetch: app.fetch, port: 3000 })   // @hono/node-server
 */
export function toHono(app: App, options: EmbedOptions = {}): Embedded & { hono: Hono } {
  const core = embedCore(app, options, 'toHono()')
  const hono = new Hono()
  const handler = (c: Context): Promise<Response> => {
    const root = rawPrefix(c.req.raw.url, basePath(c))
    // Under @hono/node-server the node pair is at hand: the headers as received, and a
    // connection a drain that runs out can cut.
    const env = c.env as Partial<NodePair> | undefined
    const node = env?.incoming !== undefined && env.outgoing !== undefined ? (env as NodePair) : undefined
    if (!c.req.raw.bodyUsed) return core.serveFetch(c.req.raw, root, node)
    return replayed(core, c, root, node)
  }
  hono.all('/', handler)
  hono.all('/*', handler)
  return withEmbedded({ hono }, core)
}

/** Hono's base path is decoded; the raw prefix is the same number of segments of the raw path. */
function rawPrefix(url: string, decodedBase: string): string {
  if (decodedBase === '' || decodedBase === '/') return ''
  const segments = decodedBase.split('/').length - 1
  const start = url.indexOf('/', url.indexOf('://') + 3)
  let end = start
  for (let i = 0; i < segments && end !== -1; i++) end = url.indexOf('/', end + 1)
  const path = end === -1 ? url.slice(start) : url.slice(start, end)
  const query = path.indexOf('?')
  return query === -1 ? path : path.slice(0, query)
}

/** A middleware read the body: Hono's cache holds it; the app gets those bytes with a matching length. */
async function replayed(core: EmbeddedCore, c: Context, root: string, node: NodePair | undefined): Promise<Response> {
  const request = c.req.raw
  const target = new URL(request.url).pathname
  if (core.consumedBody === 'error') {
    return core.refuseConsumed(request.method, target, "the host already read the request body and consumedBody is 'error'")
  }
  let body: ArrayBuffer
  try {
    body = await c.req.arrayBuffer()
  } catch {
    return core.refuseConsumed(request.method, target, 'the host already read the request body and kept nothing of it')
  }
  const headers = new Headers(request.headers)
  headers.delete('content-encoding')
  headers.delete('transfer-encoding')
  headers.set('content-length', String(body.byteLength))
  const again = new Request(request.url, { method: request.method, headers, body, signal: request.signal })
  return core.serveFetch(again, root, node, body.byteLength)
}
