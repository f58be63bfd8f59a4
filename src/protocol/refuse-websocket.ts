// How an app that speaks only HTTP (MCP, A2A, a host's handler) answers a websocket scope: it
// refuses the handshake, which the server turns into HTTP 403, as ASGI servers do for an app
// that closes before accepting. A message shape only, no I/O.

import type { Send } from './types.ts'

export function refuseWebSocket(send: Send): Promise<void> {
  return send({ type: 'websocket.close' })
}
