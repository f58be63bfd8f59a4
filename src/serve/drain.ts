// The listener and the drain. Stopping the listener and draining are two moves, because a
// retiring cluster worker stops taking connections first and keeps serving its open ones for a
// while; a plain shutdown makes both moves at once.

import { Server as NetServer } from 'node:net'

import type { Http2Sessions } from './http2-sessions.ts'
import type { OpenSockets } from './sockets.ts'
import { refuseUnfinishedUploads } from './unfinished-uploads.ts'

/** How often sockets whose response just finished are swept while the drain waits. */
const SWEEP_MS = 20

export class Listener {
  readonly #server: NetServer
  readonly #sockets: OpenSockets
  readonly #sessions: Http2Sessions | null
  /** Resolves once the listener is closed and the last socket is gone. */
  #allClosed: Promise<void> | null = null

  constructor(server: NetServer, sockets: OpenSockets, sessions: Http2Sessions | null = null) {
    this.#server = server
    this.#sockets = sockets
    this.#sessions = sessions
  }

  /**
   * Takes no new connections; the open ones are left alone. http.Server's own close() would also
   * close the idle keep-alive sockets, under clients that may be sending on them right now.
   */
  stopAccepting(): void {
    if (this.#allClosed !== null || !this.#server.listening) return
    const server = this.#server
    this.#allClosed = new Promise((resolve) => NetServer.prototype.close.call(server, () => resolve()))
  }

  /**
   * Closes every socket without a request in flight at once, lets in-flight requests finish
   * until `timeoutMs`, then destroys what remains. 'timeout' when something was cut.
   */
  async drain(timeoutMs: number): Promise<'ok' | 'timeout'> {
    const wasOpen = this.#allClosed !== null || this.#server.listening
    this.stopAccepting()
    if (!wasOpen) return 'ok'
    const closed = this.#allClosed!.then(() => 'ok' as const)
    // HTTP/2 has no `Connection: close` to send during the delay: its sessions learn of the
    // drain here, by GOAWAY; their streams in flight finish, idle sessions close at once.
    this.#sessions?.goAway()
    this.#sockets.closeUnused()
    refuseUnfinishedUploads(this.#sockets)
    // A response whose head went out before the drain promised keep-alive: once it ends, its
    // socket is unused, and only a sweep notices that without hooking every request.
    const sweep = setInterval(() => {
      this.#sessions?.closeEnded()
      this.#sockets.closeUnused()
      refuseUnfinishedUploads(this.#sockets)
    }, SWEEP_MS)
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    const outcome = await Promise.race([closed, expired])
    clearInterval(sweep)
    clearTimeout(timer)
    if (outcome === 'timeout') {
      this.#sockets.destroyAll()
      // An HTTP/2 server's own close() would wait on these for good (node#57611).
      this.#sessions?.destroyAll()
      await closed
    }
    // http.Server's close() also stops its timer that enforces the request timeouts; the
    // listener is closed by now, so the error it reports (not running) is expected.
    this.#server.close(() => undefined)
    return outcome
  }
}
