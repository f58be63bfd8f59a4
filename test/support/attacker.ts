// A client that plays the attacker on loopback: its sockets are bound to another local address
// (127.0.0.2) so that the server sees a different client than the test's own 127.0.0.1 one, and
// it writes raw HTTP/1.1, pipelined, the way no well-behaved client library does.

import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'

export const ATTACKER = '127.0.0.2'

/** A connected socket from `from` (an address of the loopback interface); its input is collected in `received()`. */
export async function socketFrom(port: number, from = ATTACKER): Promise<Socket & { received(): string }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: from })
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    text += chunk
  })
  socket.on('error', () => undefined)
  await once(socket, 'connect')
  return Object.assign(socket, { received: () => text })
}

/** `count` silent connections from `from`; those the server refuses at once are destroyed and left out. */
export async function silentSockets(port: number, count: number, from = ATTACKER): Promise<Socket[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, async () => {
      try {
        return await socketFrom(port, from)
      } catch {
        return null
      }
    }),
  )
  return sockets.filter((s): s is NonNullable<typeof s> => s !== null)
}

/** Resolves once `test` holds for the socket's input so far; rejects after `ms`. */
export async function until(socket: Socket & { received(): string }, test: (text: string) => boolean, ms: number): Promise<string> {
  const deadline = Date.now() + ms
  while (!test(socket.received())) {
    if (Date.now() > deadline || socket.destroyed) {
      throw new Error(`gave up waiting after ${ms} ms; ${socket.received().length} bytes received`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return socket.received()
}

/** One raw MCP POST of `body` on `path`, in session `session` if given. */
export function mcpPost(path: string, body: unknown, session?: string): string {
  const text = JSON.stringify(body)
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    'Accept: application/json, text/event-stream\r\n' +
    (session === undefined ? '' : `Mcp-Session-Id: ${session}\r\nMcp-Protocol-Version: ${LATEST_PROTOCOL_VERSION}\r\n`) +
    `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
  )
}

/** A raw GET that opens the session's standalone SSE stream. */
export function mcpStream(path: string, session: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n` +
    `Mcp-Session-Id: ${session}\r\nMcp-Protocol-Version: ${LATEST_PROTOCOL_VERSION}\r\n\r\n`
  )
}

export function initializeMessage(id: number, clientInfo: unknown = { name: 'raw', version: '1' }, capabilities: unknown = {}) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities, clientInfo },
  }
}

/** The session ids the server handed out in the answers received so far. */
export function sessionIds(text: string): string[] {
  return [...text.matchAll(/mcp-session-id: ([0-9a-f-]{36})/gi)].map((m) => m[1]!)
}
