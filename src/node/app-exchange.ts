// What every exchange over a node:http request shares, however its answer leaves: written on
// the node response by the bridge (exchange.ts), or handed to the host as a fetch Response
// (embed/node-answer.ts). Here: the order in which the protocol lets the app send its
// messages, and how the app's outcome (returned, threw, the body passed the limit, the client
// left) ends the exchange. How a head, a body or an answer goes out is each subclass's own.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { BodyTooLargeError, ClientDisconnectedError, ProtocolError } from '../protocol/errors.ts'
import type { HttpReceiveMessage, HttpScope, Logger, SendMessage } from '../protocol/types.ts'
import type { BodyLimitWatch } from './body.ts'
import { Inbound } from './inbound.ts'
import { responseDestroyed } from './http2-exchange.ts'
import type { RequestHead } from './mounted.ts'
import type { RequestTarget } from './request-path.ts'
import { Phase, bodySize, logAppError, misplaced, statusError } from './response.ts'
import { requestScope } from './scope.ts'
import type { TrustCheck } from './trust.ts'

/** What every exchange of one handler shares, built once by toNodeHandler() or embed(). */
export interface BridgeConfig {
  state: object | undefined
  maxBodyBytes: number
  logger: Logger | null
  draining: AbortSignal | null
  /** The trustProxy option compiled; null when forwarding headers are ignored. */
  trusted: TrustCheck | null
}

export const SENT: Promise<void> = Promise.resolve()

export abstract class AppExchange implements BodyLimitWatch {
  /** Null when the bridge answered before any app could run (400, 413). Set by the subclass's constructor. */
  scope: HttpScope | null = null
  readonly receive: () => Promise<HttpReceiveMessage>
  readonly send: (message: SendMessage) => Promise<void>
  protected readonly req: IncomingMessage
  protected readonly res: ServerResponse
  protected readonly config: BridgeConfig
  /** Made when the app first calls receive(): most requests (GET) never read a body. */
  #inbound: Inbound | null = null
  readonly #head: RequestHead
  protected phase = Phase.Idle
  /** The held `http.response.start`. */
  protected status = 0
  protected headers: Array<[string, string]> | undefined = undefined

  constructor(req: IncomingMessage, res: ServerResponse, config: BridgeConfig, head: RequestHead) {
    this.req = req
    this.res = res
    this.config = config
    this.#head = head
    // Methods bound here, not arrow fields: under tsx (esbuild's keepNames) every arrow field
    // is renamed with a defineProperty per instance, which showed in the per-request profile.
    this.send = this.#send.bind(this)
    this.receive = this.#receive.bind(this)
  }

  /** The request half: which message receive() gives next. */
  #reader(): Inbound {
    this.#inbound ??= new Inbound(this.req, this.res, this.#head.bodyLength, this.#head.replay, this.config.maxBodyBytes, this)
    return this.#inbound
  }

  #receive(): Promise<HttpReceiveMessage> {
    return this.#reader().next()
  }

  /** The response is over: the body the app left unread is discarded, under the limit. */
  protected discardRest(): void {
    // Nothing read and nothing chunked: Node itself discards a declared body nobody read.
    if (this.#inbound === null && this.#head.bodyLength !== -1) return
    this.#reader().discardRest()
  }

  /** The scope for `head`, or null once the bridge answered a target it cannot serve (400) or a declared body past the limit (413). */
  protected open(head: RequestHead): HttpScope | null {
    if (head.target.path === null) {
      this.answer(400, 'Bad Request', false)
      return null
    }
    if (head.bodyLength > this.config.maxBodyBytes) {
      this.answer(413, 'Payload Too Large', true)
      return null
    }
    return requestScope(this.req, head.target as RequestTarget & { path: string }, head.headers, this.config.state, this)
  }

  /**
   * fromNodeHandler() takes the request over: its handler reads `req` and writes `res` itself,
   * so the bridge neither answers for the app nor reads the rest of the body.
   */
  handOver(): { req: IncomingMessage; res: ServerResponse } | null {
    if (this.phase !== Phase.Idle || this.#reader().touched) return null
    this.phase = Phase.Gone
    return { req: this.req, res: this.res }
  }

  #send(message: SendMessage): Promise<void> {
    const phase = this.phase
    if (phase === Phase.Gone) return SENT
    if (message.type === 'http.response.body') {
      if (phase !== Phase.Started && phase !== Phase.Streaming) return Promise.reject(misplaced(message.type, phase))
      const size = bodySize(message.body, phase)
      if (size instanceof ProtocolError) return Promise.reject(size)
      return this.writeBody(message.body, message.moreBody === true, size)
    }
    if (message.type === 'http.response.start') {
      if (phase !== Phase.Idle) return Promise.reject(misplaced(message.type, phase))
      const status = message.status
      const refused = statusError(status)
      if (refused !== null) return Promise.reject(refused)
      this.status = status
      this.headers = message.headers
      this.phase = Phase.Started
      return SENT
    }
    return Promise.reject(misplaced(String((message as { type?: unknown }).type), phase))
  }

  /** The app returned. */
  returned(): void {
    const phase = this.phase
    if (phase === Phase.Done || phase === Phase.Gone) return
    // A client that left has nobody to answer: an app giving up on it is not a bug to log.
    if (responseDestroyed(this.res) || this.res.writableEnded) {
      this.leave()
      return
    }
    if (phase === Phase.Idle) {
      logAppError(this.config.logger, this.req, this.scope, 'returned without sending http.response.start; answered 500', undefined)
      this.answer(500, 'Internal Server Error', false)
      return
    }
    this.config.logger?.warn(
      `tsgi: ${this.req.method} ${this.scope?.rawPath}: the app returned before the final body; the response was ended`,
    )
    this.finish()
  }

  /** The app threw (or its promise rejected). */
  failed(error: unknown): void {
    const phase = this.phase
    // Failures that follow from a client leaving, or from a body the bridge cut, are expected.
    if (error instanceof ClientDisconnectedError || (phase === Phase.Gone && this.#inbound?.cut === true)) {
      this.leave()
      return
    }
    // readBody()'s own limit: the same answer as the bridge's, and not a bug worth a log line.
    if (error instanceof BodyTooLargeError && phase === Phase.Idle) {
      this.answer(413, 'Payload Too Large', true)
      return
    }
    logAppError(this.config.logger, this.req, this.scope, 'the app threw', error)
    if (phase === Phase.Idle) this.answer(500, 'Internal Server Error', false)
    // Once the app has started its response, a failure cuts the connection (as ASGI servers
    // do): a client must never take a truncated or half-announced response for a whole one.
    else if (phase === Phase.Started || phase === Phase.Streaming) this.cut()
  }

  /** The body passed the limit while being read (the Inbound tells its exchange). */
  bodyTooLarge(): void {
    const phase = this.phase
    if (phase === Phase.Idle || phase === Phase.Started) this.answer(413, 'Payload Too Large', true)
    else {
      // The answer is already (partly) out; the rest of the body must not be read.
      this.phase = Phase.Gone
      this.req.socket.destroy()
    }
  }

  /** An `http.response.body` the phase allows; `size` is its length in bytes, checked. */
  protected abstract writeBody(body: Uint8Array | string | undefined, moreBody: boolean, size: number): Promise<void>

  /** A plain-text answer from the bridge itself, in the app's stead; `close` ends the connection after it. */
  protected abstract answer(status: number, text: string, close: boolean): void

  /** The app returned with its head held or its body unfinished: end what it started. */
  protected abstract finish(): void

  /** The app failed once its response had started: cut the connection. */
  protected abstract cut(): void

  /** The client left: nothing more goes out. */
  protected abstract leave(): void
}
