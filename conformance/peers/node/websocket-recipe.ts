// The websocket endpoint vocabulary (conformance/README.md) for the Node peers, as their users
// write it. Fastify has its plugin (@fastify/websocket, in fastify.ts), which uses converse()
// for the accepted connection; neither Express nor Hono (without @hono/node-ws) routes an upgrade, so the recipe is ws's own README, "Multiple servers sharing
// a single HTTP/S server": a `WebSocketServer({ noServer: true })`, the node server's 'upgrade'
// event, the path matched by hand, `handleUpgrade` for the routes the app has, and the socket
// destroyed for the rest. ws's options stay at their defaults. What the handler
// does (echo, refuse, deny, close, scope, send-after-close) is the vocabulary's; how it is said
// is ws's API. At shutdown the recipe calls `wss.close()`, as the ws docs have it; ws 8 closes
// no open client there (ws#2137), and nothing here adds what the recipe does not do.

import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Recorder } from '../../apps/trace.ts'
import type { AppSpec } from '../../scenarios/types.ts'

/** A websocket route the user wrote: a prefix and the module that answers under it. */
interface Route {
  prefix: string
  name: string
  /** A `route` entry matches its path only; a mount matches everything under it. */
  exact: boolean
}

function routesOf(spec: AppSpec, prefix: string, routes: Route[]): Route[] {
  if (spec.kind === 'app') {
    routes.push({ prefix, name: spec.name, exact: false })
    return routes
  }
  for (const entry of spec.routes) {
    if ('same' in entry) continue
    if ('mount' in entry) routesOf(entry.app, prefix + entry.mount, routes)
    else if (entry.app.kind === 'app') routes.push({ prefix: prefix + entry.route, name: entry.app.name, exact: true })
    else routesOf(entry.app, prefix + entry.route, routes)
  }
  return routes
}

function matching(routes: Route[], pathname: string): Route | undefined {
  return routes.find((route) =>
    route.exact ? pathname === route.prefix : route.prefix === '' || pathname === route.prefix || pathname.startsWith(`${route.prefix}/`),
  )
}

/** An HTTP answer on the raw socket: the handshake is refused before any upgrade. */
function refuse(socket: Duplex, status: number, reason: string, headers: string[] = [], body = ''): void {
  const head = [`HTTP/1.1 ${status} ${reason}`, 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`, ...headers]
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`)
}

/** The accepted connection's side of the vocabulary: echo, close, scope, send-after-close, on ws's API. */
export function converse(name: string, verb: string, ws: WebSocket, shown: Record<string, unknown>, record: Recorder): void {
  if (verb === 'scope') ws.send(JSON.stringify(shown))
  ws.on('message', (data, isBinary) => {
    const size = Array.isArray(data) ? Buffer.concat(data).byteLength : (data as Buffer).byteLength
    record(`${name}.ws.message`, isBinary ? `bytes ${size}` : `text ${String(data).length}`)
    if (verb === 'close') ws.close(4001, 'bye')
    else ws.send(data, { binary: isBinary })
  })
  ws.on('close', (code, reason) => {
    record(`${name}.ws.disconnect`, `${code} ${String(reason)}`.trim())
    if (verb === 'send-after-close') {
      // ws reports a send on a closed socket through the callback only; without one it is dropped.
      ws.send('too late', (error) => record(`${name}.ws.send-after-close`, error === undefined ? 'ok' : 'error'))
    }
  })
  ws.on('error', () => {})
}

/** Attaches the recipe to the node server; returns what its shutdown calls. */
export function attachWebSockets(server: Server, spec: AppSpec, record: Recorder): { close(): void } {
  const routes = routesOf(spec, '', [])
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => [...offered][0] ?? false })
  wss.on('headers', (headers) => headers.push('x-conformance: yes'))
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'ws://localhost')
    const route = matching(routes, url.pathname)
    // ws's README: a path no route takes has its socket destroyed.
    if (route === undefined) return void socket.destroy()
    const verb = url.searchParams.get('do') ?? 'echo'
    record(`${route.name}.ws.connect`, 'websocket.connect')
    if (verb === 'refuse') return refuse(socket, 403, 'Forbidden')
    if (verb === 'deny') return refuse(socket, 401, 'Unauthorized', ['x-denied: yes', 'Content-Type: text/plain'], 'denied')
    const path = route.prefix === '' ? url.pathname : url.pathname.slice(route.prefix.length) || '/'
    wss.handleUpgrade(req, socket, head, (ws) => {
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').flatMap((p) => (p.trim() === '' ? [] : [p.trim()]))
      const shown = { path, rootPath: route.prefix, queryString: url.search.slice(1), scheme: 'ws', subprotocols: offered }
      converse(route.name, verb, ws, shown, record)
    })
  })
  return { close: () => wss.close() }
}
