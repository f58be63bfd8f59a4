// serve()'s HTTP timeouts and limits, read once when serve() is called. The defaults keep a
// slow-drip or slowloris client from holding a socket for longer than 30 s (node:http alone
// allows 300 s for a request and checks only every 30 s).

import { InvalidArgumentError } from '../protocol/errors.ts'

export interface HttpLimitOptions {
  /** Time to receive a request's head; default 10 000. */
  headersTimeoutMs?: number
  /**
   * Time to receive a whole request, head and body (not to answer it: a long SSE response is
   * not cut); past it the client gets 408 and the socket closes. Default 30 000.
   */
  requestTimeoutMs?: number
  /** How long an idle keep-alive socket stays open; default 5 000. */
  keepAliveTimeoutMs?: number
  /** Connections past this many are refused at once; default 10 000. */
  maxConnections?: number
}

export interface HttpLimits {
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  maxConnections: number
  /** How often node:http looks for requests past their timeouts. */
  checkEveryMs: number
}

export const DEFAULT_HTTP_LIMITS = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
})

function milliseconds(value: unknown, option: keyof typeof DEFAULT_HTTP_LIMITS): number {
  if (value === undefined) return DEFAULT_HTTP_LIMITS[option]
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`serve(): ${option} must be a positive, finite number of milliseconds, got ${String(value)}`)
  }
  return value
}

export function readHttpLimits(options: HttpLimitOptions): HttpLimits {
  const headersTimeoutMs = milliseconds(options.headersTimeoutMs, 'headersTimeoutMs')
  const requestTimeoutMs = milliseconds(options.requestTimeoutMs, 'requestTimeoutMs')
  const keepAliveTimeoutMs = milliseconds(options.keepAliveTimeoutMs, 'keepAliveTimeoutMs')
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new InvalidArgumentError(
      `serve(): headersTimeoutMs (${headersTimeoutMs}) must not exceed requestTimeoutMs (${requestTimeoutMs}): the head is part of the request`,
    )
  }
  const maxConnections = options.maxConnections ?? DEFAULT_HTTP_LIMITS.maxConnections
  if (typeof maxConnections !== 'number' || !(maxConnections >= 1) || (!Number.isInteger(maxConnections) && maxConnections !== Infinity)) {
    throw new InvalidArgumentError(`serve(): maxConnections must be a positive integer or Infinity, got ${String(options.maxConnections)}`)
  }
  // node:http checks for expired requests on a timer (30 s by default), so a timeout is only as
  // sharp as that timer: check at a quarter of the shorter timeout, at most once a second.
  const checkEveryMs = Math.max(25, Math.min(1_000, Math.floor(headersTimeoutMs / 4)))
  return { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, maxConnections, checkEveryMs }
}
