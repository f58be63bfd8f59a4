// At most so many open connections per client address. node:http's maxConnections bounds
// them all together, so one address could take every slot with silent sockets until
// headersTimeout, and reconnect: health probes and every other client refused meanwhile.
// Counted per peer address (the only one known before a request), an IPv6 peer by its /64 (see
// clientGroup); a trusted proxy is exempt.
// Counted on the raw TCP socket, so an HTTP/2 session (or a TLS handshake) is one connection too.

import type { Server, Socket } from 'node:net'

import { clientGroup } from '../node/client-group.ts'
import { plainAddress, type TrustCheck } from '../node/trust.ts'

export function limitConnectionsPerClient(server: Server, limit: number, trusted: TrustCheck | null): void {
  if (limit === Infinity) return
  const open = new Map<string, number>()
  server.on('connection', (socket: Socket) => {
    const peer = plainAddress(socket.remoteAddress ?? '')
    if (trusted?.(peer) === true) return
    const address = clientGroup(peer)
    const held = open.get(address) ?? 0
    if (held >= limit) {
      socket.destroy()
      return
    }
    open.set(address, held + 1)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left > 0) open.set(address, left)
      else open.delete(address)
    })
  })
}
