// The request half of one exchange: which message the app's `receive()` gets next. A body the
// host already read is replayed as one message; otherwise the stream is read only when the app
// asks, and once the body is over `receive()` waits for the response to end or the client to go.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpReceiveMessage } from '../protocol/types.ts'
import { DISCONNECT, lastMessage, RequestBody, untilDisconnect, type BodyLimitWatch } from './body.ts'

export class Inbound {
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  /** -1 when chunked, else the declared content-length (0 when there is no body). */
  readonly #bodyLength: number
  readonly #limit: number
  readonly #watch: BodyLimitWatch
  #body: RequestBody | null = null
  /** A body the host already read, handed to the app as one message. */
  #replay: Uint8Array | null
  #done = false

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    bodyLength: number,
    replay: Uint8Array | null,
    limit: number,
    watch: BodyLimitWatch,
  ) {
    this.#req = req
    this.#res = res
    this.#bodyLength = bodyLength
    this.#replay = replay
    this.#limit = limit
    this.#watch = watch
  }

  /** True once anything of the body was read, replayed or declared over. */
  get touched(): boolean {
    return this.#body !== null || this.#done || this.#replay !== null
  }

  /** The bridge cut the body (it passed the limit). */
  get cut(): boolean {
    return this.#body?.cut === true
  }

  /** The app's `receive()`: the exchange hands it out bound, once per request. */
  next(): Promise<HttpReceiveMessage> {
    const replay = this.#replay
    if (replay !== null) {
      this.#replay = null
      this.#done = true
      return Promise.resolve({ type: 'http.request', body: replay, moreBody: false })
    }
    const body = this.#body
    if (body !== null) {
      if (!body.finished) return body.next()
      if (body.cut) return Promise.resolve(DISCONNECT)
      return untilDisconnect(this.#res)
    }
    if (this.#done) return untilDisconnect(this.#res)
    if (this.#bodyLength === 0) {
      this.#done = true
      return Promise.resolve(lastMessage())
    }
    this.#body = this.#newBody()
    return this.#body.next()
  }

  /** The response is over: whatever the app left unread is discarded, under the limit. */
  discardRest(): void {
    let body = this.#body
    // A chunked body nobody read has no declared end: discard it under the limit too, rather
    // than leave it to Node, which would read it without bound.
    if (body === null && this.#bodyLength === -1) {
      body = this.#newBody()
      this.#body = body
    }
    body?.discardRest()
  }

  #newBody(): RequestBody {
    return new RequestBody(this.#req, this.#limit, this.#watch)
  }
}
