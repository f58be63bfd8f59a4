// One request/response on node:http, written by the bridge itself. This is the hot path, so
// the shape is deliberate: one instance per request holds req and res, `receive` and `send`
// are bound once, the scope is built once, `http.response.start` is held until the first body
// chunk so both leave in one writeHead + write/end, and `send` hands back one shared resolved
// promise unless the socket pushes back. The order of messages and the app's outcome are
// AppExchange's (app-exchange.ts).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { AppExchange, SENT, type BridgeConfig } from './app-exchange.ts'
import { applyForwarded } from './forwarded.ts'
import { readRequestHead, type HostView } from './mounted.ts'
import { Phase, appendHead, flatHead, mayHaveBody, plainAnswer, untilDrained } from './response.ts'
import { isHttp2, responseDestroyed, withoutConnectionHeaders } from './http2-exchange.ts'

export class Exchange extends AppExchange {
  readonly #presetHeaders: boolean

  constructor(req: IncomingMessage, res: ServerResponse, config: BridgeConfig, view?: HostView) {
    const head = readRequestHead(req, view)
    super(req, res, config, head)
    this.#presetHeaders = view?.presetHeaders === true
    this.scope = this.open(head)
    if (this.scope !== null && config.trusted !== null) applyForwarded(this.scope, config.trusted)
  }

  protected writeBody(body: Uint8Array | string | undefined, moreBody: boolean, size: number): Promise<void> {
    const res = this.res
    // Ended by the host (a drain answered an unfinished upload with 503): nothing more goes out.
    if (responseDestroyed(res) || res.writableEnded) {
      this.phase = Phase.Gone
      return SENT
    }
    const fresh = this.phase === Phase.Started
    if (fresh) {
      try {
        this.#writeHead(moreBody ? -1 : size)
      } catch (error) {
        return Promise.reject(error)
      }
    }
    if (!moreBody) {
      this.phase = Phase.Done
      if (size === 0 || !mayHaveBody(this.status, this.req.method)) res.end()
      else res.end(body)
      this.discardRest()
      return SENT
    }
    this.phase = Phase.Streaming
    if (size === 0 || !mayHaveBody(this.status, this.req.method)) {
      // An empty chunk before any data is how an app gets its headers out early (SSE, long polls).
      if (fresh) res.flushHeaders()
      return SENT
    }
    if (res.write(body!)) return SENT
    return untilDrained(res)
  }

  /** One writeHead with a flat array: no per-header calls. */
  #writeHead(contentLength: number): void {
    this.#closeIfDraining()
    try {
      const flat = flatHead(this.headers, this.status, contentLength, this.req.method === 'HEAD')
      // An SDK's `Connection: keep-alive` on an SSE answer is fine on HTTP/1.1, an error on h2.
      const head = isHttp2(this.req) ? withoutConnectionHeaders(flat) : flat
      if (this.#presetHeaders) appendHead(this.res, head)
      this.res.writeHead(this.status, this.#presetHeaders ? undefined : head)
    } catch (error) {
      // Nothing reached the wire (Node refused a header), so an error answer is still possible.
      this.phase = Phase.Idle
      throw error
    }
  }

  #closeIfDraining(): void {
    if (this.config.draining?.aborted) this.res.shouldKeepAlive = false
  }

  protected finish(): void {
    if (this.res.writableEnded) {
      this.phase = Phase.Gone
      return
    }
    if (this.phase === Phase.Started) {
      try {
        this.#writeHead(0)
      } catch (error) {
        this.failed(error)
        return
      }
    }
    this.phase = Phase.Done
    this.res.end()
    this.discardRest()
  }

  protected cut(): void {
    this.phase = Phase.Gone
    // Node corks the response for the rest of the tick in which it first writes: an app that
    // fails in that same tick would have its head and first chunk thrown away with the socket.
    // Uncorked first, what the app sent goes out before the cut. The response itself is
    // uncorked before its socket: from Node 24 on, a corked chunked response holds its chunks
    // in its own buffer (joined into one chunk on uncork), which the socket never sees.
    const res = this.res
    while (res.writableCorked > 0) res.uncork()
    // Over HTTP/2 the socket is the session's, shared by every stream: only the stream is reset.
    const socket = isHttp2(this.req) ? null : res.socket
    if (socket != null) while (socket.writableCorked > 0) socket.uncork()
    res.destroy()
  }

  protected leave(): void {
    this.phase = Phase.Gone
  }

  protected answer(status: number, text: string, close: boolean): void {
    this.phase = Phase.Gone
    const res = this.res
    if (responseDestroyed(res) || res.headersSent) return
    if (!close) this.#closeIfDraining()
    plainAnswer(res, status, text, close)
    if (!close) this.discardRest()
  }
}
