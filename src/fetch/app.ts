// The fetch bridge, app side: a `(Request) => Promise<Response>` handler (Hono, the MCP SDK's
// web-standard transport, any WinterCG code) runs as a tsgi App. Both bodies stream: the
// Request's body pulls `receive()` only when the handler reads it, and the Response's body
// reaches `send()` chunk by chunk, each awaited, so a slow client slows the producer down
// instead of filling memory. A client that goes away aborts `request.signal`.

import { EMPTY, toBytes } from './body.ts'
import { Inbound, requestHeaders, requestUrl } from './request.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App, HttpScope, Receive, Send } from '../protocol/types.ts'
import { sendPlain } from '../protocol/plain-response.ts'

export { toFetchHandler, type ToFetchHandlerOptions } from './handler.ts'

export type FetchHandler = (request: Request) => Promise<Response> | Response

export interface RespondOptions {
  /**
   * The caller already read the request body through `receive()`: the Request gets no body,
   * and `receive()` is watched for `http.disconnect` from the start.
   */
  bodyConsumed?: boolean
}

/**
 * Runs a fetch handler as an App. On a lifespan scope it returns at once: a fetch handler
 * has no startup or shutdown of its own.
 * @example
 * const hono = new Hono().get('/hi', (c) => c.text('hi'))
 * const app = router([mount('/hono', fromFetch(hono.fetch))])
 */
export function fromFetch(handler: FetchHandler): App {
  if (typeof handler !== 'function') {
    throw new InvalidArgumentError(`fromFetch needs a function (request) => Response, got ${handler === null ? 'null' : typeof handler}`)
  }
  return function fetchApp(scope, receive, send) {
    if (scope.type !== 'http') return Promise.resolve()
    return respondWithFetch(scope, receive, send, handler)
  }
}

/** Answers one HTTP scope with `handler`. Exported for apps that read the body themselves first. */
export async function respondWithFetch(
  scope: HttpScope,
  receive: Receive,
  send: Send,
  handler: FetchHandler,
  options: RespondOptions = {},
): Promise<void> {
  const inbound = new Inbound(receive)
  const hasBody = options.bodyConsumed !== true && scope.method !== 'GET' && scope.method !== 'HEAD'
  let request: Request
  try {
    request = new Request(requestUrl(scope), {
      method: scope.method,
      headers: requestHeaders(scope.headers),
      body: hasBody ? inbound.body() : null,
      signal: inbound.signal,
      // Node's fetch requires this for a streamed request body.
      duplex: 'half',
    } as RequestInit)
  } catch {
    // A Host header that makes no URL, or a method fetch forbids (CONNECT, TRACE).
    return sendPlain(send, 400, 'Bad Request')
  }
  if (!hasBody) inbound.watch()

  const response = await handler(request)
  if (!(response instanceof Response)) {
    throw new TypeError(`the fetch handler must resolve to a Response, got ${response === null ? 'null' : typeof response}`)
  }
  await sendResponse(response, send, inbound.signal)
  inbound.answered()
}

async function sendResponse(response: Response, send: Send, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    // The client left while the handler worked: release the body, and close the exchange
    // with an empty answer (a server drops it) so it is not taken for an app that never answered.
    await response.body?.cancel().catch(() => undefined)
    await send({ type: 'http.response.start', status: response.status })
    return send({ type: 'http.response.body', body: EMPTY, moreBody: false })
  }
  const headers: Array<[string, string]> = []
  // Iteration yields each set-cookie on its own and lower-cased names, as the protocol wants.
  for (const [name, value] of response.headers) headers.push([name, value])
  await send({ type: 'http.response.start', status: response.status, headers })
  const body = response.body
  if (body === null) return send({ type: 'http.response.body', body: EMPTY, moreBody: false })

  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  const reader = body.getReader()
  const stop = (): void => void reader.cancel().catch(() => undefined)
  signal.addEventListener('abort', stop, { once: true })
  // The client may have left while start was being sent; a listener added now would never fire.
  if (signal.aborted) stop()
  try {
    let sent = 0
    const read = reader.read()
    // A body that has nothing to say yet (an SSE stream before its first event) must not keep
    // the head back: servers may hold http.response.start until the first chunk, and an
    // empty chunk is the protocol's way to get the head out now.
    if (!(await settlesThisTurn(read))) await send({ type: 'http.response.body', body: EMPTY, moreBody: true })
    let result = await read
    while (result.done !== true) {
      if (signal.aborted) return
      const chunk = toBytes(result.value)
      sent += chunk.byteLength
      // A body of known length ends with its last byte: one message less, and the server
      // can write start, body and end together.
      if (sent === declared) {
        await send({ type: 'http.response.body', body: chunk, moreBody: false })
        stop()
        return
      }
      // Peek one read ahead, within this turn only: a stream that ends right after this
      // chunk (an SSE answer to one request) goes out as one final message, one write.
      const next = reader.read()
      const ready = await settlesThisTurn(next)
      const after = ready ? await next : null
      if (signal.aborted) return
      if (after !== null && after.done === true) return send({ type: 'http.response.body', body: chunk, moreBody: false })
      await send({ type: 'http.response.body', body: chunk, moreBody: true })
      result = after ?? (await next)
    }
    if (signal.aborted) return
    await send({ type: 'http.response.body', body: EMPTY, moreBody: false })
  } finally {
    signal.removeEventListener('abort', stop)
  }
}

/** Whether `promise` settles before the event loop turns once more. */
function settlesThisTurn(promise: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const immediate = setImmediate(resolve, false)
    promise.then(
      () => {
        clearImmediate(immediate)
        resolve(true)
      },
      () => {
        clearImmediate(immediate)
        resolve(true)
      },
    )
  })
}
