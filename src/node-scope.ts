// The pure halves of the node:http bridge: an IncomingMessage read into a scope, and an
// `http.response.start` turned into the flat header array of one writeHead call.

import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { HttpScope } from './protocol/types.ts'
import { TSGI_VERSION } from './protocol/types.ts'
import type { RequestTarget } from './request-path.ts'

const TSGI = Object.freeze({ version: TSGI_VERSION })

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
  target: RequestTarget & { path: string },
  headers: Array<[string, string]>,
  state: object | undefined,
): HttpScope {
  const socket = req.socket
  return {
    type: 'http',
    tsgi: TSGI,
    httpVersion: req.httpVersion,
    method: req.method ?? 'GET',
    scheme: (socket as TLSSocket).encrypted === true ? 'https' : 'http',
    path: target.path,
    rawPath: target.rawPath,
    queryString: target.queryString,
    rootPath: '',
    headers,
    client: peer(socket),
    server: local(socket),
    // Copied at request time: serve() hands over the live lifespan state, filled by startup.
    state: { ...state },
  }
}

// A keep-alive socket carries many requests; its two addresses are read once (each getter is
// a native call) and shared, frozen, by the scopes of all its requests.
const kPeer = Symbol('tsgi.peer')
const kLocal = Symbol('tsgi.local')
type AddressedSocket = Socket & { [kPeer]?: [string, number] | null; [kLocal]?: [string, number] | null }

function peer(socket: AddressedSocket): [string, number] | null {
  let address = socket[kPeer]
  if (address === undefined) {
    const host = socket.remoteAddress
    address = host === undefined ? null : (Object.freeze([host, socket.remotePort ?? 0]) as [string, number])
    // Not known yet (a socket already gone): ask again next time rather than remember null.
    if (address !== null) socket[kPeer] = address
  }
  return address
}

function local(socket: AddressedSocket): [string, number] | null {
  let address = socket[kLocal]
  if (address === undefined) {
    const host = socket.localAddress
    address = host === undefined ? null : (Object.freeze([host, socket.localPort ?? 0]) as [string, number])
    if (address !== null) socket[kLocal] = address
  }
  return address
}

/**
 * The app's header pairs as a flat [name, value, ...] array (repeated names stay, in order),
 * plus content-length when the whole body is known (`contentLength` >= 0), the app gave no
 * framing header, and the status may carry a body. A HEAD answer with no body says nothing
 * rather than claim zero.
 */
export function flatHead(headers: Array<[string, string]> | undefined, status: number, contentLength: number, isHead: boolean): string[] {
  const flat: string[] = []
  let framed = false
  if (headers !== undefined) {
    for (let i = 0; i < headers.length; i++) {
      const [name, value] = headers[i]!
      flat.push(name, value)
      if ((name.length === 14 || name.length === 17) && isFraming(name)) framed = true
    }
  }
  if (!framed && contentLength >= 0 && status >= 200 && status !== 204 && status !== 304 && (contentLength > 0 || !isHead)) {
    flat.push('content-length', String(contentLength))
  }
  return flat
}

function isFraming(name: string): boolean {
  const lower = name.toLowerCase()
  return lower === 'content-length' || lower === 'transfer-encoding'
}
