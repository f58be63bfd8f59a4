// A request a host hands over as node:http's pair but wants answered with a fetch Response
// (@hono/node-server under Hono). The request side is the node bridge's: the scope read off the
// IncomingMessage, the body pulled from the socket on demand, the client's leaving seen on the
// response. The answer is a Response the host writes, so the host's middleware still sees it
// and adds to it (Hono's cors() and secureHeaders() set their headers after the handler). The
// order of messages and the app's outcome are AppExchange's, as for the bridge's own exchange.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { PushStream, toBytes } from '../fetch/body.ts'
import { AppExchange, SENT } from '../node/app-exchange.ts'
import { run, type MountedBridgeConfig } from '../node/handler.ts'
import { readRequestHead, type HostView } from '../node/mounted.ts'
import { mayHaveBody, Phase } from '../node/response.ts'
import type { App } from '../protocol/types.ts'
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
  if (exchange.scope !== null) void run(app, exchange, res, config.watch)
  return exchange.response
}

/**
 * Tells the host of a handover once the child's answer is over (finished, or the client left),
 * and from then on the host's own writes on the response go nowhere. A host may write the
 * Response it is handed after all: under Hono, a middleware that read `c.res` before next()
 * (cors() does) or called `c.header()` after it has the marker copied into a new Response,
 * which node-server writes without looking for the marker. Over a child's answer still
 * streaming that cut the stream and put node-server's error text in its body; after it, a
 * second head would throw, and node-server would log that and destroy a keep-alive connection.
 */
function afterTheChild(res: ServerResponse, tell: () => void): void {
  const over = (): void => {
    ignoreLateWrites(res)
    tell()
  }
  if (res.destroyed) over()
  else res.once('close', over)
}

/** What a host writes on a response the child already answered: nothing reaches the socket. */
function ignoreLateWrites(res: ServerResponse): void {
  const ignored = { value: (): ServerResponse => res, configurable: true, writable: true }
  // Accepted, as a socket that needs no drain: a host that waited for 'drain' would wait forever.
  const swallowed = { value: (): boolean => true, configurable: true, writable: true }
  Object.defineProperties(res, { writeHead: ignored, end: ignored, write: swallowed, flushHeaders: ignored })
}

const PLAIN_TEXT = 'text/plain; charset=utf-8'
/** How long a failed stream waits for a client that stopped reading before its connection is cut. */
const CUT_WAIT_MS = 1_000

class AnsweredExchange extends AppExchange {
  readonly response: Promise<Response>
  #resolve!: (response: Response) => void
  readonly #handedOver: () => Response
  #pipe: PushStream | null = null

  constructor(req: IncomingMessage, res: ServerResponse, config: MountedBridgeConfig, view: HostView, handedOver: () => Response) {
    const head = readRequestHead(req, view)
    super(req, res, config, head)
    this.#handedOver = handedOver
    this.response = new Promise((resolve) => (this.#resolve = resolve))
    this.scope = this.open(head)
  }

  /**
   * The host is told it has nothing to write, once the child's answer is over. Not for HEAD:
   * Hono answers HEAD with a copy of the GET answer, which the host would then write over what
   * the handler sent.
   */
  override handOver(): { req: IncomingMessage; res: ServerResponse } | null {
    if (this.req.method === 'HEAD') return null
    const taken = super.handOver()
    if (taken !== null) afterTheChild(taken.res, () => this.#resolve(this.#handedOver()))
    return taken
  }

  protected writeBody(body: Uint8Array | string | undefined, moreBody: boolean, size: number): Promise<void> {
    if (this.res.destroyed) {
      this.leave()
      return SENT
    }
    const carries = size > 0 && mayHaveBody(this.status, this.req.method)
    if (this.phase === Phase.Started) {
      let pipe: PushStream | null = null
      if (moreBody) pipe = new PushStream(() => this.leave())
      try {
        this.#respond(pipe !== null ? pipe.stream : carries ? body! : '')
      } catch (error) {
        // A header Node refuses: nothing was answered, so an error answer is still possible.
        this.phase = Phase.Idle
        return Promise.reject(error)
      }
      this.#pipe = pipe
      this.phase = moreBody ? Phase.Streaming : Phase.Done
    }
    const pipe = this.#pipe
    if (!moreBody) {
      this.phase = Phase.Done
      if (pipe !== null) {
        if (carries) void pipe.write(toBytes(body))
        pipe.close()
      }
      this.discardRest()
      return SENT
    }
    return carries ? pipe!.write(toBytes(body)) : SENT
  }

  /** The answer, from the held head and its body; a drain in progress closes the connection after it. */
  #respond(body: string | Uint8Array | ReadableStream<Uint8Array>): void {
    const headers = responseHeaders(this.headers)
    if (this.config.draining?.aborted) this.res.shouldKeepAlive = false
    this.#resolve(new Response(mayHaveBody(this.status, this.req.method) ? body : null, { status: this.status, headers }))
  }

  protected finish(): void {
    void this.writeBody(undefined, false, 0).catch((error: unknown) => this.failed(error))
  }

  /**
   * The socket is cut rather than the stream failed: node-server would log a failed stream's
   * error and write its message into the body. What the app sent before it failed goes out first.
   */
  protected cut(): void {
    const pipe = this.#pipe
    this.leave()
    void this.#cutAfter(pipe)
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
    this.res.destroy()
  }

  /** The client left (or the host stopped reading): the host still needs an answer to let go of. */
  protected leave(): void {
    if (this.phase === Phase.Idle || this.phase === Phase.Started) this.#resolve(new Response(null))
    this.phase = Phase.Gone
  }

  protected answer(status: number, text: string, close: boolean): void {
    this.phase = Phase.Gone
    const headers: Record<string, string> = { 'content-type': PLAIN_TEXT }
    if (close || this.config.draining?.aborted) headers.connection = 'close'
    this.#resolve(new Response(text, { status, headers }))
    if (!close) this.discardRest()
  }
}
