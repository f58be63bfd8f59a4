// The request half of the fetch bridge: a scope becomes a Request (URL, headers), and
// `receive()` becomes the Request's body stream and the abort of its signal.

import type { HttpScope, Receive, ReceiveMessage } from '../protocol/types.ts'

/**
 * Owns `receive()` for one request: first the body (pulled on demand, never read ahead), then
 * a watch for `http.disconnect` that aborts the Request's signal. The two never overlap, so
 * `receive()` is never called twice at once.
 */
export class Inbound {
  readonly #receive: Receive
  readonly #abort = new AbortController()
  #pending: Promise<unknown> = Promise.resolve()
  #watching = false
  #answered = false

  constructor(receive: Receive) {
    this.#receive = receive
  }

  get signal(): AbortSignal {
    return this.#abort.signal
  }

  body(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          const next = this.#receive().then((message) => this.#feed(controller, message))
          this.#pending = next.catch(() => undefined)
          return next
        },
        cancel: () => this.watch(),
      },
      // Zero: pull only when the handler actually reads.
      { highWaterMark: 0 },
    )
  }

  #feed(controller: ReadableStreamDefaultController<Uint8Array>, message: ReceiveMessage): void {
    if (message.type === 'http.request') {
      if (message.body.byteLength > 0) controller.enqueue(message.body)
      if (message.moreBody) return
      controller.close()
      this.watch()
      return
    }
    if (message.type === 'http.disconnect') this.#abort.abort()
    controller.error(new Error(`the client went away before the request body ended (${message.type})`))
  }

  /** The response is complete: a later http.disconnect no longer means the client left early. */
  answered(): void {
    this.#answered = true
  }

  /** Waits for the client to go; starts once the body is done with. */
  watch(): void {
    if (this.#watching) return
    this.#watching = true
    void this.#pending
      .then(async () => {
        for (;;) {
          const message = await this.#receive()
          // After a complete answer a server reports the exchange over the same way; nothing
          // is left to cancel then, and an abort per request is not free.
          if (message.type === 'http.disconnect') return this.#answered ? undefined : this.#abort.abort()
        }
      })
      .catch(() => undefined)
  }
}

// A Host header is a host name or bracketed IPv6 address and an optional port: anything else
// (a '/', '@' or '?') would let the client rewrite the URL the handler sees.
const validHost = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_~%]+)(?::\d{0,5})?$/
// Characters a decoded path may carry into a URL as they are.
const plainPath = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/

export function requestUrl(scope: HttpScope): string {
  let host: string | undefined
  for (const [name, value] of scope.headers) {
    if (name === 'host') {
      host = value
      break
    }
  }
  if (host === undefined || host === '') host = scope.server !== null ? hostOf(scope.server) : 'localhost'
  if (!validHost.test(host)) throw new TypeError('invalid Host header')
  const path = scope.rootPath + scope.path
  const encoded = plainPath.test(path) ? path : encodeURI(path).replace(/[?#]/g, (c) => (c === '?' ? '%3F' : '%23'))
  return `${scope.scheme}://${host}${encoded}${scope.queryString === '' ? '' : `?${scope.queryString}`}`
}

function hostOf([address, port]: [string, number]): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}

export function requestHeaders(pairs: Array<[string, string]>): Headers {
  const headers = new Headers()
  for (const [name, value] of pairs) {
    // HTTP/2 pseudo-headers and values fetch refuses are left out rather than failing the request.
    if (name.charCodeAt(0) === 58 /* ':' */) continue
    try {
      headers.append(name, value)
    } catch {}
  }
  return headers
}
