// Small HTTP pieces the SDK child apps (tsgi/mcp, tsgi/a2a) share: a bounded body read, a
// JSON answer, header lookup, the Host check and their shared lifespan. Kept out of the core:
// only those apps use it.

import { InvalidArgumentError, describeError } from '../protocol/errors.ts'
import type { HttpScope, LifespanScope, Receive, Send } from '../protocol/types.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The first value of a header, by lower-case name. */
export function header(scope: HttpScope, name: string): string | undefined {
  const headers = scope.headers
  for (let i = 0; i < headers.length; i++) {
    const pair = headers[i]!
    if (pair[0] === name) return pair[1]
  }
  return undefined
}

export type BodyRead = { kind: 'body'; text: string } | { kind: 'too-large' } | { kind: 'disconnect' }

/**
 * Reads the whole request body as UTF-8, refusing it past `limit` bytes: at once when the
 * declared Content-Length says so, else as soon as the running count passes the limit.
 */
export async function readBody(scope: HttpScope, receive: Receive, limit: number): Promise<BodyRead> {
  const declared = header(scope, 'content-length')
  if (declared !== undefined && Number(declared) > limit) return { kind: 'too-large' }
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const message = await receive()
    if (message.type !== 'http.request') return { kind: 'disconnect' }
    if (message.body.byteLength > 0) {
      size += message.body.byteLength
      if (size > limit) return { kind: 'too-large' }
      chunks.push(message.body)
    }
    if (!message.moreBody) break
  }
  if (chunks.length === 1) return { kind: 'body', text: decoder.decode(chunks[0]) }
  const whole = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    whole.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { kind: 'body', text: decoder.decode(whole) }
}

/** Answers with a JSON body in one message. */
export async function sendJson(send: Send, status: number, value: unknown, extra: Array<[string, string]> = []): Promise<void> {
  const body = encoder.encode(JSON.stringify(value))
  await send({
    type: 'http.response.start',
    status,
    headers: [['content-type', 'application/json'], ['content-length', String(body.byteLength)], ...extra],
  })
  await send({ type: 'http.response.body', body })
}

/**
 * Closes the exchange of a client that left before any answer: the server drops what is sent,
 * and the exchange is not taken for an app that returned without answering.
 */
export function answerGone(send: Send): Promise<void> {
  return sendJson(send, 400, rpcError(-32000, 'the client disconnected'))
}

/** A JSON-RPC error envelope with no request id, as both SDKs answer transport-level failures. */
export function rpcError(code: number, message: string): { jsonrpc: '2.0'; error: { code: number; message: string }; id: null } {
  return { jsonrpc: '2.0', error: { code, message }, id: null }
}

/**
 * Checks the Host header's name (port ignored) against `allowed`, the DNS-rebinding defence a
 * local server needs. Returns null when allowed, else the sentence to answer with.
 */
export function hostProblem(scope: HttpScope, allowed: ReadonlySet<string>): string | null {
  const host = header(scope, 'host')
  if (host === undefined || host === '') return 'Missing Host header'
  let hostname: string
  try {
    hostname = new URL(`http://${host}`).hostname
  } catch {
    return `Invalid Host header: ${JSON.stringify(host)}`
  }
  return allowed.has(hostname) ? null : `Host '${hostname}' is not allowed; allowed: ${[...allowed].join(', ')}`
}

/** Checks a byte limit option once, when the app is built. */
export function readLimit(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${option} must be a positive integer number of bytes, got ${String(value)}`)
  }
  return value
}

/** A positive integer option (a count, or milliseconds), checked once when the app is built. */
export function readCount(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${option} must be a positive integer, got ${String(value)}`)
  }
  return value
}

/**
 * The lifespan of an SDK-backed app: `onDraining` when the server begins to drain (end what
 * would hold the drain open); `close` at lifespan.shutdown, its failure reported upward under
 * `name`. `onStartup` sees the scope first (to take its logger) and may open resources; its
 * failure fails the startup, under `name`.
 */
export function serviceLifespan(
  name: string,
  onDraining: () => void,
  close: () => Promise<void>,
  onStartup: (scope: LifespanScope) => void | Promise<void> = () => {},
) {
  return async function lifespan(scope: LifespanScope, receive: Receive, send: Send): Promise<void> {
    await receive()
    try {
      await onStartup(scope)
    } catch (error) {
      await send({ type: 'lifespan.startup.failed', message: `${name}: ${describeError(error)}`, error })
      return
    }
    scope.draining?.addEventListener('abort', onDraining, { once: true })
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    scope.draining?.removeEventListener('abort', onDraining)
    try {
      await close()
    } catch (error) {
      await send({ type: 'lifespan.shutdown.failed', message: `${name}: ${describeError(error)}`, error })
      return
    }
    await send({ type: 'lifespan.shutdown.complete' })
  }
}
