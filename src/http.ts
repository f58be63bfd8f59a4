// Small helpers for app authors: read a whole body, answer with text or JSON, and keep an
// HTTP-only handler out of the lifespan conversation. Each is a few lines of protocol; they
// exist so that the common case is one call and the edge cases (limits, disconnects) are not
// forgotten.

import { BodyTooLargeError, ClientDisconnectedError, InvalidArgumentError, ProtocolError } from './protocol/errors.ts'
import type { App, HttpScope, Receive, Send } from './protocol/types.ts'

export interface ReadBodyOptions {
  /** Bytes; past it readBody() throws BodyTooLargeError. Default 1 MiB. */
  limit?: number
}

const DEFAULT_LIMIT = 1024 * 1024

/**
 * The whole request body. Throws BodyTooLargeError past `limit` (the node bridge answers 413
 * for it) and ClientDisconnectedError when the client leaves first.
 * @example const body = await readBody(receive, { limit: 64 * 1024 })
 */
export async function readBody(receive: Receive, options: ReadBodyOptions = {}): Promise<Uint8Array> {
  const limit = options.limit ?? DEFAULT_LIMIT
  if (typeof limit !== 'number' || !(limit >= 0)) {
    throw new InvalidArgumentError(`readBody() limit must be a non-negative number of bytes, got ${String(limit)}`)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const message = await receive()
    if (message.type !== 'http.request') {
      throw new ClientDisconnectedError(`the client went away after ${size} bytes of the request body (${message.type})`)
    }
    size += message.body.byteLength
    if (size > limit) throw new BodyTooLargeError(limit)
    if (message.body.byteLength > 0) chunks.push(message.body)
    if (!message.moreBody) break
  }
  if (chunks.length === 1) return chunks[0]!
  return Buffer.concat(chunks, size)
}

/** The whole request body as UTF-8 text; see readBody() for the limit and disconnects. */
export async function readText(receive: Receive, options: ReadBodyOptions = {}): Promise<string> {
  return new TextDecoder().decode(await readBody(receive, options))
}

/**
 * A complete text response; content-type `text/plain; charset=utf-8` unless `headers` has one.
 * @example await sendText(send, 404, 'no such thing')
 */
export async function sendText(send: Send, status: number, text: string, headers: Array<[string, string]> = []): Promise<void> {
  await send({ type: 'http.response.start', status, headers: withType(headers, 'text/plain; charset=utf-8') })
  await send({ type: 'http.response.body', body: text })
}

/**
 * A complete JSON response; content-type `application/json` unless `headers` has one.
 * @example await sendJson(send, 200, { ok: true })
 */
export async function sendJson(send: Send, status: number, value: unknown, headers: Array<[string, string]> = []): Promise<void> {
  const body = JSON.stringify(value)
  if (body === undefined) throw new InvalidArgumentError(`sendJson() cannot serialise ${typeof value} as JSON`)
  await send({ type: 'http.response.start', status, headers: withType(headers, 'application/json') })
  await send({ type: 'http.response.body', body })
}

function withType(headers: Array<[string, string]>, type: string): Array<[string, string]> {
  for (const [name] of headers) if (name.length === 12 && name.toLowerCase() === 'content-type') return headers
  return [['content-type', type], ...headers]
}

export type HttpHandler = (scope: HttpScope, receive: Receive, send: Send) => Promise<void>

/**
 * An app from a handler that only speaks HTTP. On a lifespan scope it returns at once without
 * touching receive or send, which routers and servers read as "nothing to do at startup".
 * @example router([route('GET', '/health', httpOnly(async (_scope, _receive, send) => sendText(send, 200, 'ok')))])
 */
export function httpOnly(handler: HttpHandler): App {
  if (typeof handler !== 'function') throw new InvalidArgumentError(`httpOnly() needs a handler function, got ${typeof handler}`)
  return function httpOnlyApp(scope, receive, send) {
    if (scope.type === 'http') return handler(scope, receive, send)
    if (scope.type === 'lifespan') return Promise.resolve()
    return Promise.reject(new ProtocolError(`httpOnly: unsupported scope type '${String((scope as { type?: unknown }).type)}'`))
  }
}
