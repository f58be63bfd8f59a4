// HTTP answers on an upgrade request's socket: the app's denial response, its refusal (403),
// a failure (500). node:http's ServerResponse writes them, assigned to the socket the upgrade
// took over, so headers are checked and bodies framed exactly as for any other response.

import { type IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Socket } from 'node:net'

import { untilDrained } from '../node/response.ts'

export class Denial {
  readonly #res: ServerResponse
  readonly #socket: Duplex

  constructor(req: IncomingMessage, socket: Duplex) {
    this.#socket = socket
    this.#res = new ServerResponse(req)
    this.#res.assignSocket(socket as Socket)
    // The connection ends with this answer: it was asked to become a websocket, not to carry more requests.
    this.#res.shouldKeepAlive = false
    this.#res.once('finish', () => socket.end())
  }

  /** Throws (nothing written) when Node refuses a header or the status. */
  start(status: number, headers: Array<[string, string]>): void {
    const flat: string[] = []
    for (const [name, value] of headers) flat.push(name, value)
    this.#res.writeHead(status, flat)
  }

  write(body: Uint8Array | string | undefined, moreBody: boolean): Promise<void> {
    const res = this.#res
    if (res.destroyed || this.#socket.destroyed) return Promise.resolve()
    if (!moreBody) {
      if (body === undefined) res.end()
      else res.end(body)
      return Promise.resolve()
    }
    if (body === undefined || body.length === 0 || res.write(body)) return Promise.resolve()
    return untilDrained(res)
  }

  /** A short plain-text answer; nothing when the head already went out. */
  plain(status: number, text: string): void {
    if (this.#res.headersSent || this.#socket.destroyed) return
    this.start(status, [
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', String(Buffer.byteLength(text))],
    ])
    this.#res.end(text)
  }

  /** The app failed halfway through its own answer: the client must not take a cut body as whole. */
  cut(): void {
    this.#socket.destroy()
  }

  get started(): boolean {
    return this.#res.headersSent
  }
}
