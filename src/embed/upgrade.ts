// Websockets through an embedding host. Express, Fastify and Hono route requests, not
// upgrades: node:http hands an upgrade request to the server's 'upgrade' listeners and to no
// request handler. So the adapters' `routeUpgrade(host)` sends the upgrade request through the
// host's own routing (as express-ws and @fastify/websocket do), on a response tied to the
// socket: where a mounted tsgi app matches, its handler takes the socket back and tsgi's
// websocket host upgrades it, under the prefix the host matched; anywhere else the host's
// answer (its 404, a middleware's 401) goes out on the socket as an HTTP response, and the
// connection ends there.

import { type IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

const PENDING = Symbol('tsgi.upgrade')

interface PendingUpgrade {
  socket: Duplex
  head: Buffer
  taken: boolean
}

type Marked = IncomingMessage & { [PENDING]?: PendingUpgrade }

/** An upgrade on its way through the host: the response its routing writes if no tsgi app takes it. */
export interface RoutedUpgrade {
  res: ServerResponse
  /** Whether a mounted tsgi app took the socket. */
  readonly taken: boolean
}

/**
 * Marks `req` as an upgrade and ties a response to its socket. The response never keeps the
 * connection alive: it was asked to become a websocket, not to carry another request.
 */
export function routeThroughHost(req: IncomingMessage, socket: Duplex, head: Buffer): RoutedUpgrade {
  socket.on('error', () => socket.destroy())
  const pending: PendingUpgrade = { socket, head, taken: false }
  ;(req as Marked)[PENDING] = pending
  const res = new ServerResponse(req)
  res.assignSocket(socket as Socket)
  res.shouldKeepAlive = false
  res.once('finish', () => socket.end())
  return {
    res,
    get taken() {
      return pending.taken
    },
  }
}

/** The socket of a routed upgrade, detached from the host's response so the host writes nothing on it; null for a plain request. */
export function takeUpgrade(req: IncomingMessage, res: ServerResponse): { socket: Duplex; head: Buffer } | null {
  const pending = (req as Marked)[PENDING]
  if (pending === undefined || pending.taken) return null
  pending.taken = true
  res.detachSocket(pending.socket as Socket)
  return pending
}

/** True for an upgrade request on its way through the host's routing. */
export function isRoutedUpgrade(req: IncomingMessage): boolean {
  return (req as Marked)[PENDING] !== undefined
}

/** The host's routing ended and nothing answered (Express's final `next`): 404, as a host would. */
export function notFound(upgrade: RoutedUpgrade, error?: unknown): void {
  if (upgrade.taken || upgrade.res.headersSent) return
  const status = error === undefined ? 404 : 500
  const body = status === 404 ? 'Not Found' : 'Internal Server Error'
  upgrade.res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) })
  upgrade.res.end(body)
}
