// writeTimeoutMs: a socket with bytes waiting for its client, and none of them taken for that
// long, is destroyed. One sweep over the open sockets (not a timer per response), reading
// what Node already counts: `bytesWritten` grows when anything is written, buffered or not,
// `writableLength` is what still waits, so their difference grows when a whole write reached
// the kernel; the handle's `writeQueueSize` shrinks as the client takes part of one (a slow
// reader of large chunks progresses, a stalled one does not). An idle SSE stream has nothing
// waiting and is never cut by this.

import type { Socket } from 'node:net'

import type { OpenSockets } from './sockets.ts'

interface Progress {
  taken: number
  queued: number
  since: number
}

/** Bytes libuv still holds of the write in flight (0 where the handle does not say). */
function queued(socket: Socket): number {
  return (socket as Socket & { _handle?: { writeQueueSize?: number } | null })._handle?.writeQueueSize ?? 0
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
      const inFlight = queued(socket)
      const last = seen.get(socket)
      if (last === undefined || last.taken !== taken || inFlight < last.queued) seen.set(socket, { taken, queued: inFlight, since: now })
      else if (now - last.since >= timeoutMs) socket.destroy()
    }
  }
  // As sharp as a quarter of the timeout, at most once a second.
  const timer = setInterval(sweep, Math.max(25, Math.min(1_000, Math.floor(timeoutMs / 4))))
  timer.unref()
  return () => clearInterval(timer)
}
