// writeTimeoutMs: a socket with bytes waiting for its client, and none of them taken for that
// long, is destroyed. One sweep over the open sockets (not a timer per response), reading
// what net.Socket already counts: `bytesWritten` grows when anything is written, buffered or
// not, `writableLength` is what still waits, so their difference grows only when the client
// takes bytes. An idle SSE stream has nothing waiting and is never cut by this.

import type { Socket } from 'node:net'

import type { OpenSockets } from './sockets.ts'

interface Progress {
  taken: number
  since: number
}

/** Starts the sweep; the returned function stops it. */
export function cutStalledWrites(sockets: OpenSockets, timeoutMs: number): () => void {
  const seen = new WeakMap<Socket, Progress>()
  const sweep = (): void => {
    const now = performance.now()
    for (const socket of sockets) {
      if (socket.writableLength === 0) {
        seen.delete(socket)
        continue
      }
      const taken = socket.bytesWritten - socket.writableLength
      const last = seen.get(socket)
      if (last === undefined || last.taken !== taken) seen.set(socket, { taken, since: now })
      else if (now - last.since >= timeoutMs) socket.destroy()
    }
  }
  // As sharp as a quarter of the timeout, at most once a second.
  const timer = setInterval(sweep, Math.max(25, Math.min(1_000, Math.floor(timeoutMs / 4))))
  timer.unref()
  return () => clearInterval(timer)
}
