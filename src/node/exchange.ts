// One request/response on node:http, seen through the protocol. This is the hot path, so the
// shape is deliberate: one instance per request holds req and res, `receive` and `send` are
// bound once, the scope is built once, `http.response.start` is held until the first body
// chunk so both leave in one writeHead + write/end, and `send` hands back one shared resolved
// promise unless the socket pushes back.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { BodyTooLargeError, ClientDisconnectedError, ProtocolError } from '../protocol/errors.ts'
import type { HttpReceiveMessage, HttpScope, Logger, SendMessage } from '../protocol/types.ts'
import { applyForwarded } from './forwarded.ts'
import { Inbound } from './inbound.ts'
import { readRequestHead, type HostView } from './mounted.ts'
import type { RequestTarget } from './request-path.ts'
import {
  Phase,
  appendHead,
  bodySize,
  flatHead,
  logAppError,
  mayHaveBody,
  misplaced,
  plainAnswer,
  statusError,
  untilDrained,
} from './response.ts'
import { requestScope } from './scope.ts'
import type { TrustCheck } from './trust.ts'

/** What every exchange of one handler shares, built once by toNodeHandler(). */
export interface BridgeConfig {
  state: object | undefined
  maxBodyBytes: number
  logger: Logger | null
  draining: AbortSignal | null
  /** The trustProxy option compiled; null when forwarding headers are ignored. */
  trusted: TrustCheck | null
}

const SENT: Promise<void> = Promise.resolve()

export class Exchange {
  readonly scope: HttpScope | null
  readonly receive: () => Promise<HttpReceiveMessage>
  readonly send: (message: SendMessage) => Promise<void>
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  readonly #config: BridgeConfig
  readonly #inbound: Inbound
  readonly #presetHeaders: boolean
  #phase = Phase.Idle
  #status = 0
  #headers: Array<[string, string]> | undefined = undefined

  constructor(req: IncomingMessage, res: ServerResponse, config: BridgeConfig, view?: HostView) {
    this.#req = req
    this.#res = res
    this.#config = config
    this.send = this.#send.bind(this)

    const head = readRequestHead(req, view)
    const { headers, bodyLength, target } = head
    this.#inbound = new Inbound(req, res, bodyLength, head.replay, config.maxBodyBytes, () => this.#tooLarge())
    // A method bound here, not an arrow field: under tsx (esbuild's keepNames) every arrow field
    // is renamed with a defineProperty per instance, which showed in the per-request profile.
    this.receive = this.#inbound.next.bind(this.#inbound)
    this.#presetHeaders = view?.presetHeaders === true
    if (target.path === null) {
      this.scope = null
      this.#answer(400, 'Bad Request', false)
    } else if (bodyLength > config.maxBodyBytes) {
      this.scope = null
      this.#answer(413, 'Payload Too Large', true)
    } else {
      this.scope = requestScope(req, target as RequestTarget & { path: string }, headers, config.state, this)
      if (config.trusted !== null) applyForwarded(this.scope, config.trusted)
    }
  }

  /**
   * fromNodeHandler() takes the request over: its handler reads `req` and writes `res` itself,
   * so the bridge neither answers for the app nor reads the rest of the body.
   */
  handOver(): { req: IncomingMessage; res: ServerResponse } | null {
    if (this.#phase !== Phase.Idle || this.#inbound.touched) return null
    this.#phase = Phase.Gone
    return { req: this.#req, res: this.#res }
  }

  #send(message: SendMessage): Promise<void> {
    const phase = this.#phase
    if (phase === Phase.Gone) return SENT
    if (message.type === 'http.response.body') {
      if (phase === Phase.Started || phase === Phase.Streaming) return this.#writeBody(message.body, message.moreBody === true)
      return Promise.reject(misplaced(message.type, phase))
    }
    if (message.type === 'http.response.start') {
      if (phase !== Phase.Idle) return Promise.reject(misplaced(message.type, phase))
      const status = message.status
      const refused = statusError(status)
      if (refused !== null) return Promise.reject(refused)
      this.#status = status
      this.#headers = message.headers
      this.#phase = Phase.Started
      return SENT
    }
    return Promise.reject(misplaced(String((message as { type?: unknown }).type), phase))
  }

  #writeBody(body: Uint8Array | string | undefined, moreBody: boolean): Promise<void> {
    const size = bodySize(body, this.#phase)
    if (size instanceof ProtocolError) return Promise.reject(size)
    const res = this.#res
    if (res.destroyed) {
      this.#phase = Phase.Gone
      return SENT
    }
    const fresh = this.#phase === Phase.Started
    if (fresh) {
      try {
        this.#writeHead(moreBody ? -1 : size)
      } catch (error) {
        return Promise.reject(error)
      }
    }
    if (!moreBody) {
      this.#phase = Phase.Done
      if (size === 0 || !mayHaveBody(this.#status, this.#req.method)) res.end()
      else res.end(body)
      this.#afterResponse()
      return SENT
    }
    this.#phase = Phase.Streaming
    if (size === 0 || !mayHaveBody(this.#status, this.#req.method)) {
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
      const head = flatHead(this.#headers, this.#status, contentLength, this.#req.method === 'HEAD')
      if (this.#presetHeaders) appendHead(this.#res, head)
      this.#res.writeHead(this.#status, this.#presetHeaders ? undefined : head)
    } catch (error) {
      // Nothing reached the wire (Node refused a header), so an error answer is still possible.
      this.#phase = Phase.Idle
      throw error
    }
  }

  #closeIfDraining(): void {
    const draining = this.#config.draining
    if (draining?.aborted) this.#res.shouldKeepAlive = false
  }

  /** The app returned. */
  returned(): void {
    const phase = this.#phase
    if (phase === Phase.Done || phase === Phase.Gone) return
    // A client that left has nobody to answer: an app giving up on it is not a bug to log.
    if (this.#res.destroyed) return
    if (phase === Phase.Idle) {
      logAppError(this.#config.logger, this.#req, this.scope, 'returned without sending http.response.start; answered 500', undefined)
      this.#answer(500, 'Internal Server Error', false)
      return
    }
    this.#config.logger?.warn(
      `tsgi: ${this.#req.method} ${this.scope?.rawPath}: the app returned before the final body; the response was ended`,
    )
    if (phase === Phase.Started) {
      try {
        this.#writeHead(0)
      } catch (error) {
        this.failed(error)
        return
      }
    }
    this.#phase = Phase.Done
    this.#res.end()
    this.#afterResponse()
  }

  /** The app threw (or its promise rejected). */
  failed(error: unknown): void {
    const phase = this.#phase
    // Failures that follow from a client leaving, or from a body the bridge cut, are expected.
    if (error instanceof ClientDisconnectedError || (phase === Phase.Gone && this.#inbound.cut)) return
    // readBody()'s own limit: the same answer as the bridge's, and not a bug worth a log line.
    if (error instanceof BodyTooLargeError && phase === Phase.Idle) {
      this.#answer(413, 'Payload Too Large', true)
      return
    }
    logAppError(this.#config.logger, this.#req, this.scope, 'the app threw', error)
    if (phase === Phase.Idle) this.#answer(500, 'Internal Server Error', false)
    else if (phase !== Phase.Done && phase !== Phase.Gone) {
      // Once the app has started its response, a failure cuts the connection (as ASGI servers
      // do): a client must never take a truncated or half-announced response for a whole one.
      this.#phase = Phase.Gone
      this.#res.destroy()
    }
  }

  /** The body passed the limit while being read. */
  #tooLarge(): void {
    const phase = this.#phase
    if (phase === Phase.Idle || phase === Phase.Started) this.#answer(413, 'Payload Too Large', true)
    else {
      // The answer is already (partly) out; the rest of the body must not be read.
      this.#phase = Phase.Gone
      this.#req.socket.destroy()
    }
  }

  /** A plain-text answer from the bridge itself, in the app's stead. */
  #answer(status: number, text: string, close: boolean): void {
    this.#phase = Phase.Gone
    const res = this.#res
    if (res.destroyed || res.headersSent) return
    if (!close) this.#closeIfDraining()
    plainAnswer(res, status, text, close)
    if (!close) this.#afterResponse()
  }

  #afterResponse(): void {
    this.#inbound.discardRest()
  }
}
