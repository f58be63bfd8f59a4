// The response side of the node:http bridge as plain functions: the phases a response goes
// through, the flat head of one writeHead call, the bridge's own plain-text answers, and the
// wait for a socket that pushed back.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { ProtocolError } from '../protocol/errors.ts'
import { endStreamAfterAnswer } from './http2-exchange.ts'
import type { HttpScope, Logger } from '../protocol/types.ts'

export const enum Phase {
  /** Nothing sent yet. */
  Idle,
  /** `http.response.start` accepted and held. */
  Started,
  /** Head written, more body to come. */
  Streaming,
  /** The final body went out. */
  Done,
  /** The client left or the bridge answered in the app's stead: later sends are no-ops. */
  Gone,
}

const PHASE_NAMES = ['idle', 'started', 'streaming', 'done', 'gone'] as const

export function phaseName(phase: Phase): string {
  return PHASE_NAMES[phase]
}

/** A message the response's current phase does not allow, named with both. */
export function misplaced(type: string, phase: Phase): ProtocolError {
  const name = phaseName(phase)
  return new ProtocolError(`'${type}' cannot be sent on an http scope in the response phase '${name}'`, name, type)
}

/**
 * The app's header pairs as a flat [name, value, ...] array (repeated names stay, in order),
 * plus content-length when the whole body is known (`contentLength` >= 0), the app gave no
 * framing header, and the status may carry a body. A HEAD answer with no body says nothing
 * rather than claim zero.
 */
export function flatHead(headers: Array<[string, string]> | undefined, status: number, contentLength: number, isHead: boolean): string[] {
  const flat: string[] = []
  let framed = false
  if (headers !== undefined) {
    for (let i = 0; i < headers.length; i++) {
      const [name, value] = headers[i]!
      flat.push(name, value)
      if ((name.length === 14 || name.length === 17) && isFraming(name)) framed = true
    }
  }
  if (!framed && contentLength >= 0 && status >= 200 && status !== 204 && status !== 304 && (contentLength > 0 || !isHead)) {
    flat.push('content-length', String(contentLength))
  }
  return flat
}

/** Why a status cannot start a response: a 1xx head here would leave the client waiting for the real one. */
export function statusError(status: number): ProtocolError | null {
  if (Number.isInteger(status) && status >= 200 && status <= 999) return null
  return new ProtocolError(
    `http.response.start needs an integer status from 200 to 999, got ${String(status)}`,
    'idle',
    'http.response.start',
  )
}

/** A body's size in bytes, or the error for a body that is neither a string nor bytes. */
export function bodySize(body: unknown, phase: Phase): number | ProtocolError {
  if (body === undefined) return 0
  if (typeof body === 'string') return Buffer.byteLength(body)
  if (body instanceof Uint8Array) return body.byteLength
  return new ProtocolError(
    `http.response.body needs a string or Uint8Array body, got ${typeof body}`,
    phaseName(phase),
    'http.response.body',
  )
}

/** Adds a flat head to headers a host already set: the app's names replace the host's, its repeats stay. */
export function appendHead(res: ServerResponse, head: string[]): void {
  for (let i = 0; i < head.length; i += 2) res.removeHeader(head[i]!)
  for (let i = 0; i < head.length; i += 2) res.appendHeader(head[i]!, head[i + 1]!)
}

function isFraming(name: string): boolean {
  const lower = name.toLowerCase()
  return lower === 'content-length' || lower === 'transfer-encoding'
}

/** HEAD, 204 and 304 carry no body, whatever the app sends. */
export function mayHaveBody(status: number, method: string | undefined): boolean {
  return status !== 204 && status !== 304 && method !== 'HEAD'
}

/** One line naming the request (method and raw path, never the client) and what went wrong. */
export function logAppError(logger: Logger | null, req: IncomingMessage, scope: HttpScope | null, what: string, error: unknown): void {
  if (logger === null) return
  const line = `tsgi: ${req.method} ${scope?.rawPath ?? req.url}: ${what}`
  if (error === undefined) logger.error(line)
  else logger.error(line, error)
}

/** A plain-text answer from the bridge itself (400, 413, 500); `close` ends the connection after it. */
export function plainAnswer(res: ServerResponse, status: number, text: string, close: boolean): void {
  const headers = ['content-type', 'text/plain; charset=utf-8', 'content-length', String(Buffer.byteLength(text))]
  // Closing tells the client to stop sending a body we will not read.
  // HTTP/2 has no such header (node would warn): the stream is reset once the answer is out.
  const http2 = res.req?.httpVersionMajor === 2
  if (close && !http2) headers.push('connection', 'close')
  res.writeHead(status, headers)
  res.end(text)
  if (close && http2) endStreamAfterAnswer(res)
}

/** Resolves on 'drain', or on 'close' when the client leaves first; never leaves a listener behind. */
export function untilDrained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
