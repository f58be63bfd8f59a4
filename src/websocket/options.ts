// serve()'s `websocket` options, checked when serve() is called: a typo or a bad number fails
// before anything starts, with a sentence naming the option.

import { optionNames, refuseUnknownOptions, show } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'

export interface WebSocketOptions {
  /** A message (after reassembly and inflation) past this many bytes closes the connection with 1009. Default 1 MiB. */
  maxPayloadBytes?: number
  /** How often each peer is pinged; one that misses two pings in a row is dropped (1006). 0 turns pings off. Default 20 000. */
  pingIntervalMs?: number
  /** Negotiate permessage-deflate with clients that offer it. Default false: compression costs CPU and memory per socket. */
  perMessageDeflate?: boolean
}

export interface WebSocketConfig {
  maxPayloadBytes: number
  pingIntervalMs: number
  perMessageDeflate: boolean
}

export const DEFAULT_WEBSOCKET_CONFIG: Readonly<WebSocketConfig> = Object.freeze({
  maxPayloadBytes: 1024 * 1024,
  pingIntervalMs: 20_000,
  perMessageDeflate: false,
})

const known = optionNames<WebSocketOptions>()(['maxPayloadBytes', 'pingIntervalMs', 'perMessageDeflate'])

/** `where`: the caller named in the errors (serve(), or embed() and its adapters). */
export function readWebSocketOptions(value: unknown, where = 'serve()'): WebSocketConfig {
  function fail(message: string): never {
    throw new InvalidArgumentError(`${where}: ${message}`)
  }
  if (value === undefined) return { ...DEFAULT_WEBSOCKET_CONFIG }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`websocket must be an object, got ${show(value)}`)
  refuseUnknownOptions(
    value,
    known,
    where,
    (message) => {
      throw new InvalidArgumentError(message)
    },
    'websocket',
  )
  const options = value as WebSocketOptions
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_WEBSOCKET_CONFIG.maxPayloadBytes
  if (typeof maxPayloadBytes !== 'number' || !Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
    fail(`websocket.maxPayloadBytes must be a whole number of bytes, 1 or more, got ${show(options.maxPayloadBytes)}`)
  }
  const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_WEBSOCKET_CONFIG.pingIntervalMs
  if (typeof pingIntervalMs !== 'number' || !Number.isFinite(pingIntervalMs) || pingIntervalMs < 0 || pingIntervalMs > 2 ** 31 - 1) {
    fail(`websocket.pingIntervalMs must be a number of milliseconds from 0 (no pings) to 2147483647, got ${show(options.pingIntervalMs)}`)
  }
  const perMessageDeflate = options.perMessageDeflate ?? DEFAULT_WEBSOCKET_CONFIG.perMessageDeflate
  if (typeof perMessageDeflate !== 'boolean') fail(`websocket.perMessageDeflate must be a boolean, got ${show(options.perMessageDeflate)}`)
  return { maxPayloadBytes, pingIntervalMs, perMessageDeflate }
}
