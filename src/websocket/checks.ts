// What the bridge checks in the app's websocket messages before anything reaches ws or the
// wire: ws writes the handshake's extra headers as raw text, so a header Node would refuse must
// never get there, and the protocol's own headers are the server's to write.

import { validateHeaderName, validateHeaderValue } from 'node:http'

import { ProtocolError } from '../protocol/errors.ts'
import type { WebSocketAccept, WebSocketSend } from '../protocol/types.ts'

/** Handshake headers the server writes itself; a subprotocol goes in `subprotocol`, not here. */
const reserved = new Set(['sec-websocket-protocol', 'sec-websocket-accept', 'sec-websocket-extensions', 'upgrade', 'connection'])

/** The accept's subprotocol (null for none) and extra header lines, or a ProtocolError naming the fault. */
export function readAccept(message: WebSocketAccept, offered: readonly string[]): { subprotocol: string | null; lines: string[] } {
  const subprotocol = message.subprotocol ?? null
  if (subprotocol !== null && (typeof subprotocol !== 'string' || !offered.includes(subprotocol))) {
    throw new ProtocolError(
      `websocket.accept: subprotocol ${JSON.stringify(subprotocol)} is not one the client offered (${offered.join(', ') || 'none'})`,
      'handshake',
      'websocket.accept',
    )
  }
  const lines: string[] = []
  const headers = message.headers ?? []
  if (!Array.isArray(headers)) throw new ProtocolError('websocket.accept: headers must be an array of [name, value] pairs')
  for (const pair of headers) {
    const [name, value] = Array.isArray(pair) ? pair : []
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw new ProtocolError('websocket.accept: headers must be an array of [name, value] string pairs')
    }
    if (reserved.has(name.toLowerCase())) {
      throw new ProtocolError(`websocket.accept: the header '${name}' is the server's to write (use 'subprotocol' to pick a protocol)`)
    }
    try {
      validateHeaderName(name)
      validateHeaderValue(name, value)
    } catch (error) {
      throw new ProtocolError(`websocket.accept: ${(error as Error).message}`)
    }
    lines.push(`${name}: ${value}`)
  }
  return { subprotocol, lines }
}

/** The one payload of a websocket.send, and whether it goes as a binary frame. */
export function readPayload(message: WebSocketSend): { data: Uint8Array | string; binary: boolean } {
  const { bytes, text } = message
  const hasBytes = bytes !== undefined && bytes !== null
  const hasText = text !== undefined && text !== null
  if (hasBytes === hasText) {
    throw new ProtocolError(`websocket.send needs exactly one of 'bytes' and 'text', got ${hasBytes ? 'both' : 'neither'}`)
  }
  if (hasBytes) {
    if (!(bytes instanceof Uint8Array)) throw new ProtocolError(`websocket.send: 'bytes' must be a Uint8Array, got ${typeof bytes}`)
    return { data: bytes, binary: true }
  }
  if (typeof text !== 'string') throw new ProtocolError(`websocket.send: 'text' must be a string, got ${typeof text}`)
  return { data: text, binary: false }
}

/** A close frame's code and reason as ws takes them, or a ProtocolError (ws would throw a bare TypeError). */
export function readClose(code: unknown, reason: unknown): { code: number; reason: string } {
  const closeCode = code ?? 1000
  const text = reason ?? ''
  const valid =
    typeof closeCode === 'number' &&
    Number.isInteger(closeCode) &&
    ((closeCode >= 1000 && closeCode <= 1014 && ![1004, 1005, 1006].includes(closeCode)) || (closeCode >= 3000 && closeCode <= 4999))
  if (!valid) throw new ProtocolError(`websocket.close: ${String(code)} is not a close code an endpoint may send`)
  if (typeof text !== 'string' || Buffer.byteLength(text) > 123) {
    throw new ProtocolError('websocket.close: reason must be a string of at most 123 bytes')
  }
  return { code: closeCode, reason: text }
}
