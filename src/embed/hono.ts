// tsgi/hono: a tsgi app as a Hono 4 sub-app, for `honoApp.route(prefix, mounted.hono)`. Under
// @hono/node-server it reads the request off the node pair (c.env.incoming / outgoing);
// elsewhere it speaks Request (c.req.raw), so it runs wherever Hono runs. When a Hono middleware
// matched the request too, the answer is a Response, as Hono handlers give, so the middleware
// sees it and adds to it. When the tsgi route is the only handler Hono matched, nothing in Hono
// would see the answer: under node-server it is then written straight to the node response, and
// the handler returns node-server's documented already-sent marker. Hono has no lifecycle:
// startup() and close() are the caller's to call.

import { Hono, type Context } from 'hono'
import { basePath, matchedRoutes } from 'hono/route'
import type { App } from '../protocol/types.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { bodyConsumed, KEPT_NOTHING, REFUSED_BY_POLICY } from '../node/consumed-body.ts'
import { embedCore, type Embedded, type EmbedOptions, type EmbeddedCore } from './embed.ts'
import { withEmbedded } from './face.ts'
import { alreadySent, handedOver } from './hono-marker.ts'
import { isRoutedUpgrade, notFound, routeThroughHost } from './upgrade.ts'
import type { Duplex } from 'node:stream'
import { InvalidArgumentError } from '../protocol/errors.ts'

export type { Embedded, EmbedOptions } from './embed.ts'

/**
 * Call `startup()` before serving; at the end `server.close()` (stop accepting), then `close()`,
 * as for Express. The app's rootPath is
 * the prefix Hono matched; a body a middleware already read (`c.req.json()`) is handed over
 * from Hono's body cache, the same bytes.
 * @example
 * const mounted = toHono(agentApp)
 * const app = new Hono().route('/agent', mounted.hono)
 * await mounted.startup()
 * const server = serve({ fetch: app.fetch, port: 3000 })   // @hono/node-server
 * process.once('SIGTERM', async () => { server.close(); await mounted.close() })
 */
export function toHono(app: App, options: EmbedOptions = {}): Embedded & { hono: Hono } {
  const core = embedCore(app, options, 'toHono()')
  const hono = new Hono()
  const handler = (c: Context): Response | Promise<Response> => {
    const env = c.env as Partial<NodePair> | undefined
    const routes = matchedRoutes(c)
    const root = mountPrefix(c, routes[c.req.routeIndex]?.basePath ?? '')
    if (env?.incoming !== undefined && env.outgoing !== undefined) {
      if (isRoutedUpgrade(env.incoming)) {
        core.serveNode(env.incoming, env.outgoing, { target: env.incoming.url ?? '/', root, body: null })
        return alreadySent()
      }
      // Alone, the app writes its answer on the node response as the node bridge writes it:
      // neither a Response nor node-server's promise path is paid. Not for HEAD: Hono answers
      // HEAD with a copy of the GET answer, which node-server would write over the app's. Only
      // over HTTP/1, the protocol the bridge writes; node-server's HTTP/2 answers keep the Response.
      const { incoming } = env
      if (routes.length === 1 && incoming.method !== 'HEAD' && incoming.httpVersionMajor === 1) {
        core.serveNode(incoming, env.outgoing, { target: incoming.url ?? '/', root, body: null })
        return alreadySent()
      }
      // Under @hono/node-server the node pair is at hand: the request is read off it as the node
      // bridge reads it (reading c.req.raw there would build a whole Request, three times the
      // cost), and the answer is a Response, so Hono's middleware sees it and adds its headers.
      return onNode(core, c, env as NodePair, root)
    }
    if (!c.req.raw.bodyUsed) return core.serveFetch(c.req.raw, root)
    return replayed(core, c, root)
  }
  hono.all('/', handler)
  hono.all('/*', handler)
  return withEmbedded({ hono }, core)
}

/** @hono/node-server's c.env. */
interface NodePair {
  incoming: IncomingMessage
  outgoing: ServerResponse
}

// Not async: the common request (no middleware read its body) must not pay another promise.
function onNode(core: EmbeddedCore, c: Context, { incoming, outgoing }: NodePair, root: string): Promise<Response> {
  const target = incoming.url ?? '/'
  if (!bodyConsumed(incoming)) return core.answerNode(incoming, outgoing, { target, root, body: null }, handedOver)
  return cachedBody(core, c, incoming.method ?? 'GET', target).then((body) =>
    body instanceof Uint8Array ? core.answerNode(incoming, outgoing, { target, root, body }, handedOver) : body,
  )
}

/**
 * A middleware read the body through Hono (c.req.json()): its cache holds the bytes. Else, or
 * under consumedBody 'error', the refusal that answers instead, with its one log line.
 */
async function cachedBody(core: EmbeddedCore, c: Context, method: string, target: string): Promise<Uint8Array | Response> {
  if (core.consumedBody === 'error') return core.refuseConsumed(method, target, REFUSED_BY_POLICY)
  try {
    return new Uint8Array(await c.req.arrayBuffer())
  } catch {
    return core.refuseConsumed(method, target, KEPT_NOTHING)
  }
}

/**
 * The prefix Hono matched, decoded (the bridge finds its raw spelling in the target), from the
 * matched route's base path. Only a prefix with parameters (`/:tenant`) needs basePath(), which
 * reads the request path and keeps a WeakMap entry per request, a cost the profile showed on
 * every request.
 */
function mountPrefix(c: Context, base: string): string {
  return base.includes(':') || base.includes('*') ? basePath(c) : base
}

/** A middleware read the body: Hono's cache holds it; the app gets those bytes with a matching length. */
async function replayed(core: EmbeddedCore, c: Context, root: string): Promise<Response> {
  const request = c.req.raw
  const body = await cachedBody(core, c, request.method, new URL(request.url).pathname)
  if (!(body instanceof Uint8Array)) return body
  const headers = new Headers(request.headers)
  headers.delete('content-encoding')
  headers.delete('transfer-encoding')
  headers.set('content-length', String(body.byteLength))
  const again = new Request(request.url, { method: request.method, headers, body, signal: request.signal })
  return core.serveFetch(again, root)
}

/** A Hono app, as routeUpgrade() calls it: its fetch with node-server's node pair as env. */
interface HonoFetch {
  fetch(request: Request, env: NodePair): Response | Promise<Response>
}

/**
 * @hono/node-server hands upgrades to no handler (that is @hono/node-ws's job, and it serves
 * its own handlers only): this node:http 'upgrade' listener sends each upgrade request through
 * `honoApp.fetch`, with the node pair as node-server gives it, so a tsgi app mounted with
 * `honoApp.route(prefix, mounted.hono)` gets its websocket scopes with that prefix as
 * rootPath, after the Hono middleware that matched. An upgrade nothing takes gets Hono's
 * answer (404) on the socket. Not together with @hono/node-ws's injectWebSocket.
 * @example
 * const server = serve({ fetch: honoApp.fetch, port: 3000 })   // @hono/node-server
 * server.on('upgrade', routeUpgrade(honoApp))
 */
export function routeUpgrade(honoApp: HonoFetch): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  if (honoApp === null || typeof honoApp !== 'object' || typeof (honoApp as { fetch?: unknown }).fetch !== 'function') {
    throw new InvalidArgumentError(`routeUpgrade() needs the Hono app, got ${honoApp === null ? 'null' : typeof honoApp}`)
  }
  return (req, socket, head) => {
    const upgrade = routeThroughHost(req, socket, head)
    const headers = new Headers()
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { headers })
    Promise.resolve()
      .then(() => honoApp.fetch(request, { incoming: req, outgoing: upgrade.res }))
      .then(async (response) => {
        if (upgrade.taken || upgrade.res.headersSent) return
        const body = Buffer.from(await response.arrayBuffer())
        upgrade.res.writeHead(response.status, [...response.headers].flat())
        upgrade.res.end(body)
      })
      .catch((error: unknown) => notFound(upgrade, error))
  }
}
