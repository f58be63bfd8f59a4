// An upgrade request read into a websocket scope, the way node/scope.ts reads an HTTP one: the
// same target parsing (decoding, dot-segments), the same headers, the same trust in proxies.

import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'

import { applyForwarded } from '../node/forwarded.ts'
import { type HostView, mountedTarget } from '../node/mounted.ts'
import { parseTarget } from '../node/request-path.ts'
import { scopeHeaders } from '../node/scope.ts'
import type { TrustCheck } from '../node/trust.ts'
import { type HttpScope, TSGI_VERSION, type WebSocketScope } from '../protocol/types.ts'

const TSGI = Object.freeze({ version: TSGI_VERSION })

/**
 * The scope for `req`, or null when its target cannot be decoded (answer 400). `view`: an
 * embedding host routed the upgrade and matched a prefix, which becomes the rootPath.
 */
export function websocketScope(
  req: IncomingMessage,
  state: object,
  trusted: TrustCheck | null,
  view?: Pick<HostView, 'target' | 'root'>,
): WebSocketScope | null {
  const target = view === undefined ? { ...parseTarget(req.url ?? '/'), rootPath: '' } : mountedTarget(view.target, view.root)
  if (target.path === null) return null
  const socket = req.socket
  const headers = scopeHeaders(req.rawHeaders)
  const seen = {
    client: address(socket.remoteAddress, socket.remotePort),
    headers,
    scheme: (socket as TLSSocket).encrypted === true ? 'https' : 'http',
  }
  // Forwarding headers speak of http and https; a websocket behind the proxy is ws or wss.
  if (trusted !== null) applyForwarded(seen as HttpScope, trusted)
  return {
    type: 'websocket',
    tsgi: TSGI,
    httpVersion: req.httpVersion,
    scheme: seen.scheme === 'https' ? 'wss' : 'ws',
    path: target.path,
    rawPath: target.rawPath,
    queryString: target.queryString,
    rootPath: target.rootPath,
    headers,
    client: seen.client,
    server: address(socket.localAddress, socket.localPort),
    subprotocols: offeredSubprotocols(headers),
    state: { ...state },
    extensions: { 'websocket.http.response': {} },
    // Present from the start, as on HTTP scopes, so a router's copies keep one shape.
    pathParams: undefined,
    routeTemplate: undefined,
  }
}

/** Sec-WebSocket-Protocol, every occurrence, split at commas, in the client's order. */
function offeredSubprotocols(headers: Array<[string, string]>): string[] {
  const offered: string[] = []
  for (const [name, value] of headers) {
    if (name !== 'sec-websocket-protocol') continue
    for (const token of value.split(',')) {
      const trimmed = token.trim()
      if (trimmed !== '') offered.push(trimmed)
    }
  }
  return offered
}

function address(host: string | undefined, port: number | undefined): [string, number] | null {
  return host === undefined ? null : [host, port ?? 0]
}
