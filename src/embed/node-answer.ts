// A request a host hands over as node:http's pair but wants answered with a fetch Response
// (@hono/node-server under Hono). The request side is the node bridge's: the scope read off the
// IncomingMessage, the body pulled from the socket on demand, the client's leaving seen on the
// response. The answer is a Response the host writes, so the host's middleware still sees it
// and adds to it (Hono's cors() and secureHeaders() set their headers after the handler).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { PushStream, toBytes } from '../fetch/body.ts'
import { run, type AppCall, type MountedBridgeConfig } from '../node/handler.ts'
import { Inbound } from '../node/inbound.ts'
import { readRequestHead, type HostView } from '../node/mounted.ts'
import type { RequestTarget } from '../node/request-path.ts'
import { bodySize, logAppError, mayHaveBody, misplaced, Phase, statusError } from '../node/response.ts'
import { requestScope } from '../node/scope.ts'
import { BodyTooLargeError, ClientDisconnectedError, ProtocolError } from '../protocol/errors.ts'
import type { App, HttpReceiveMessage, HttpScope, SendMessage } from '../protocol/types.ts'
import { responseHeaders } from './response-headers.ts'

/**
 * Runs `app` on one request and resolves with its answer: as soon as the head and the first
 * body chunk are known, the rest streaming. `handedOver` is the Response that tells the host
 * the answer was written on `res` already (a fromNodeHandler() child took the request over).
 */
export function answerNodeRequest(
  app: App,
  req: IncomingMessage,
  res: ServerResponse,
  config: MountedBridgeConfig,
  view: HostView,
  handedOver: () => Response,
): Promise<Response> {
  const exchange = new AnsweredExchange(req, res, config, view, handedOver)
  // A null scope means the bridge already answered (400, 413): no app runs.
  if (exchange.scope !== null) {
    config.watch?.started(res)
    void run(app, exchange, res, config.watch)
  }
  return exchange.response
}

const SENT: Promise<void> = Promise.resolve()
const PLAIN_TEXT = 'text/plain; charset=utf-8'
/** How long a failed stream waits for a client that stopped reading before its connection is cut. */
const CUT_WAIT_MS = 1_000

class AnsweredExchange implements AppCall {
  readonly scope: HttpScope | null
  readonly receive: () => Promise<HttpReceiveMessage>
  readonly send: (message: SendMessage) => Promise<void>
  readonly response: Promise<Response>
  #resolve!: (response: Response) => void
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  readonly #config: MountedBridgeConfig
  readonly #inbound: Inbound
  readonly #handedOver: () => Response
  #phase = Phase.Idle
  #status = 0
  #headers: Array<[string, string]> | undefined = undefined
  #pipe: PushStream | null = null

  constructor(req: IncomingMessage, res: ServerResponse, config: MountedBridgeConfig, view: HostView, handedOver: () => Response) {
    this.#req = req
    this.#res = res
    this.#config = config
    this.#handedOver = handedOver
    this.response = new Promise((resolve) => (this.#resolve = resolve))
    this.send = this.#send.bind(this)
    const head = readRequestHead(req, view)
    this.#inbound = new Inbound(req, res, head.bodyLength, head.replay, config.maxBodyBytes, () => this.#tooLarge())
    this.receive = this.#inbound.next.bind(this.#inbound)
    if (head.target.path === null) {
      this.scope = null
      this.#answer(400, 'Bad Request', false)
    } else if (head.bodyLength > config.maxBodyBytes) {
      this.scope = null
      this.#answer(413, 'Payload Too Large', true)
    } else {
      this.scope = requestScope(req, head.target as RequestTarget & { path: string }, head.headers, config.state, this)
    }
  }

  /**
   * fromNodeHandler() takes the request over and writes `res` itself; the host is told it has
   * nothing to write. Not for HEAD: Hono answers HEAD with a copy of the GET answer, which the
   * host would then write over what the handler sent.
   */
  handOver(): { req: IncomingMessage; res: ServerResponse } | null {
    if (this.#phase !== Phase.Idle || this.#inbound.touched || this.#req.method === 'HEAD') return null
    this.#phase = Phase.Gone
    this.#resolve(this.#handedOver())
    return { req: this.#req, res: this.#res }
  }

  #send(message: SendMessage): Promise<void> {
    const phase = this.#phase
    if (phase === Phase.Gone) return SENT
    if (message.type === 'http.response.body') {
      if (phase === Phase.Started || phase === Phase.Streaming) return this.#body(message.body, message.moreBody === true)
      return Promise.reject(misplaced(message.type, phase))
    }
    if (message.type === 'http.response.start') {
      if (phase !== Phase.Idle) return Promise.reject(misplaced(message.type, phase))
      const refused = statusError(message.status)
      if (refused !== null) return Promise.reject(refused)
      this.#status = message.status
      this.#headers = message.headers
      this.#phase = Phase.Started
      return SENT
    }
    return Promise.reject(misplaced(String((message as { type?: unknown }).type), phase))
  }

  #body(body: Uint8Array | string | undefined, moreBody: boolean): Promise<void> {
    const size = bodySize(body, this.#phase)
    if (size instanceof ProtocolError) return Promise.reject(size)
    if (this.#res.destroyed) {
      this.#leave()
      return SENT
    }
    const carries = size > 0 && mayHaveBody(this.#status, this.#req.method)
    if (this.#phase === Phase.Started) {
      let pipe: PushStream | null = null
      if (moreBody) pipe = new PushStream(() => this.#leave())
      try {
        this.#respond(pipe !== null ? pipe.stream : carries ? body! : '')
      } catch (error) {
        // A header Node refuses: nothing was answered, so an error answer is still possible.
        this.#phase = Phase.Idle
        return Promise.reject(error)
      }
      this.#pipe = pipe
      this.#phase = moreBody ? Phase.Streaming : Phase.Done
    }
    const pipe = this.#pipe
    if (!moreBody) {
      this.#phase = Phase.Done
      if (pipe !== null) {
        if (carries) void pipe.write(toBytes(body))
        pipe.close()
      }
      this.#inbound.discardRest()
      return SENT
    }
    return carries ? pipe!.write(toBytes(body)) : SENT
  }

  /** The answer, from the held head and its body; a drain in progress closes the connection after it. */
  #respond(body: string | Uint8Array | ReadableStream<Uint8Array>): void {
    const headers = responseHeaders(this.#headers)
    if (this.#config.draining?.aborted) this.#res.shouldKeepAlive = false
    this.#resolve(new Response(mayHaveBody(this.#status, this.#req.method) ? body : null, { status: this.#status, headers }))
  }

  /** The client left (or the host stopped reading): later sends go nowhere. */
  #leave(): void {
    if (this.#phase === Phase.Idle || this.#phase === Phase.Started) this.#resolve(new Response(null))
    this.#phase = Phase.Gone
  }

  returned(): void {
    const phase = this.#phase
    if (phase === Phase.Done || phase === Phase.Gone) return
    // A client that left has nobody to answer: an app giving up on it is not a bug to log.
    if (this.#res.destroyed) {
      this.#leave()
      return
    }
    if (phase === Phase.Idle) {
      logAppError(this.#config.logger, this.#req, this.scope, 'returned without sending http.response.start; answered 500', undefined)
      this.#answer(500, 'Internal Server Error', false)
      return
    }
    this.#config.logger?.warn(
      `tsgi: ${this.#req.method} ${this.scope?.rawPath}: the app returned before the final body; the response was ended`,
    )
    void this.#body(undefined, false).catch((error: unknown) => this.failed(error))
  }

  failed(error: unknown): void {
    const phase = this.#phase
    // Failures that follow from a client leaving, or from a body the bridge cut, are expected.
    if (error instanceof ClientDisconnectedError || (phase === Phase.Gone && this.#inbound.cut)) {
      this.#leave()
      return
    }
    if (error instanceof BodyTooLargeError && phase === Phase.Idle) {
      this.#answer(413, 'Payload Too Large', true)
      return
    }
    logAppError(this.#config.logger, this.#req, this.scope, 'the app threw', error)
    if (phase === Phase.Idle) this.#answer(500, 'Internal Server Error', false)
    else if (phase === Phase.Started || phase === Phase.Streaming) {
      // Once the app has started its response, a failure cuts the connection (as ASGI servers
      // do): a client must never take a truncated response for a whole one. The socket is cut
      // rather than the stream failed, since node-server would log a failed stream's error and
      // write its message into the body; what the app sent before it failed goes out first.
      this.#leave()
      void this.#cutAfter(this.#pipe)
    }
  }

  /** Cuts the connection once node-server took what the app sent, or after a second of a client not reading. */
  async #cutAfter(pipe: PushStream | null): Promise<void> {
    if (pipe !== null) {
      let timer: NodeJS.Timeout | undefined
      const stalled = new Promise<void>((resolve) => (timer = setTimeout(resolve, CUT_WAIT_MS).unref()))
      await Promise.race([pipe.taken(), stalled])
      clearTimeout(timer)
      // node-server writes a chunk a few promise steps after it took it: let them run.
      await new Promise((resolve) => setImmediate(resolve))
    }
    this.#res.destroy()
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

  /** A plain-text answer from the bridge itself, in the app's stead; `close` ends the connection after it. */
  #answer(status: number, text: string, close: boolean): void {
    this.#phase = Phase.Gone
    const headers: Record<string, string> = { 'content-type': PLAIN_TEXT }
    if (close || this.#config.draining?.aborted) headers.connection = 'close'
    this.#resolve(new Response(text, { status, headers }))
    if (!close) this.#inbound.discardRest()
  }
}
