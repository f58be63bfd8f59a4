// Every socket the HTTP server holds, so the drain can tell the ones a request is using from
// the rest. node:http's closeIdleConnections() only knows keep-alive sockets between requests:
// a socket that never sent a byte, or one still trickling its headers (slowloris), counts as
// busy there and held the drain for its whole timeout.

import type { Server, Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

/** node:http sets `_httpMessage` to the response being written on a socket, null between requests. */
export type HttpSocket = Socket & { _httpMessage?: unknown }

export class OpenSockets {
  readonly #open = new Set<HttpSocket>()

  /**
   * `event` announces the sockets HTTP/1.1 is spoken on: 'secureConnection' under TLS (the TLS
   * socket, which node:http writes responses on), null when none are (h2c). A TLS socket that
   * chose h2 by ALPN is an HTTP/2 session's, drained by Http2Sessions.
   */
  constructor(server: Server, event: 'connection' | 'secureConnection' | null = 'connection') {
    if (event === null) return
    server.on(event, (socket: HttpSocket) => {
      if ((socket as unknown as TLSSocket).alpnProtocol === 'h2') return
      this.#open.add(socket)
      socket.once('close', () => this.#open.delete(socket))
    })
  }

  get size(): number {
    return this.#open.size
  }

  [Symbol.iterator](): IterableIterator<HttpSocket> {
    return this.#open.values()
  }

  /**
   * Destroys every socket no app is answering on: idle keep-alive ones, silent ones, ones still
   * sending a request head. A request is in flight from its head's arrival to its response's end.
   */
  closeUnused(): void {
    for (const socket of this.#open) {
      if (socket._httpMessage == null) socket.destroy()
    }
  }

  /** A socket upgraded to a websocket: its owner closes it with a close frame, not the HTTP drain. */
  release(socket: Socket): void {
    this.#open.delete(socket)
  }

  destroyAll(): void {
    for (const socket of this.#open) socket.destroy()
  }
}
