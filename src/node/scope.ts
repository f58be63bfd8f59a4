// An IncomingMessage read into a scope: built once per request, with nothing an app does not
// need and nothing computed twice.

import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { AppState, HttpScope } from '../protocol/types.ts'
import { TSGI_VERSION } from '../protocol/types.ts'
import type { RequestTarget } from './request-path.ts'

const TSGI = Object.freeze({ version: TSGI_VERSION })

/**
 * The node:http exchange behind an HTTP scope, for fromNodeHandler(). A symbol key: routers'
 * scope copies carry it along, and neither Object.keys nor JSON shows it to apps.
 */
export const NODE_EXCHANGE: unique symbol = Symbol('tsgi.nodeExchange')

/** rawHeaders as lower-cased [name, value] pairs; order and repeats kept. */
export function scopeHeaders(raw: string[]): Array<[string, string]> {
  const headers: Array<[string, string]> = new Array(raw.length >> 1)
  for (let i = 0, j = 0; i < raw.length; i += 2, j++) headers[j] = [raw[i]!.toLowerCase(), raw[i + 1]!]
  return headers
}

/** -1 for a chunked body, else the declared content-length (0 when there is none). */
export function declaredBodyLength(headers: Array<[string, string]>): number {
  let length = 0
  // The parser already refused malformed or conflicting framing headers.
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i]![0]
    if (name.length === 17 && name === 'transfer-encoding') return -1
    if (name.length === 14 && name === 'content-length') length = Number(headers[i]![1])
  }
  return length
}

/** Built once per request, in one literal so every scope shares one hidden class. */
export function requestScope(
  req: IncomingMessage,
  target: RequestTarget & { path: string; rootPath?: string },
  headers: Array<[string, string]>,
  state: object | undefined,
  exchange: object,
): HttpScope {
  const socket = req.socket
  const seen = connectionOf(socket)
  const scope: HttpScope & { [NODE_EXCHANGE]: object } = {
    type: 'http',
    tsgi: TSGI,
    // '2' as ASGI spells it; node's compatibility API says '2.0'.
    httpVersion: req.httpVersionMajor === 2 ? '2' : req.httpVersion,
    method: req.method ?? 'GET',
    scheme: (socket as TLSSocket).encrypted === true ? 'https' : 'http',
    path: target.path,
    rawPath: target.rawPath,
    queryString: target.queryString,
    rootPath: target.rootPath ?? '',
    headers,
    client: address(seen.remoteAddress, seen.remotePort),
    server: address(seen.localAddress, seen.localPort),
    // Copied at request time: serve() hands over the live lifespan state, filled by startup.
    state: { ...state } as AppState,
    // Present from the start, so that a router's scope copy overrides them instead of adding
    // properties: adding one to a spread copy gave every copy a new hidden class (60x slower).
    pathParams: undefined,
    routeTemplate: undefined,
    [NODE_EXCHANGE]: exchange,
  }
  return scope
}

/** One connection: its socket, and the four addresses that socket's getters gave. */
interface Connection {
  socket: Socket
  remoteAddress: string | undefined
  remotePort: number | undefined
  localAddress: string | undefined
  localPort: number | undefined
}

// The connection whose request came last. Pipelined requests arrive in batches on one
// connection, so most requests skip the four getters, which each walk net.Socket's handle
// accessors and showed in the per-request profile. Nothing is stored on the socket: a property
// added there would give every socket a second shape, which Node's own hot path (parsing,
// writing, closing) would then have to handle. One socket is held here at a time.
let last: Connection | null = null

function connectionOf(socket: Socket): Connection {
  if (last?.socket === socket) return last
  last = {
    socket,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
  }
  return last
}

// Each scope gets its own pair of tuples: an app may change the ones it was given.
function address(host: string | undefined, port: number | undefined): [string, number] | null {
  return host === undefined ? null : [host, port ?? 0]
}
