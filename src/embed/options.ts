// embed()'s options, checked once when embed() is called: the lifecycle half of serve()'s
// options (no port, no signals: the host owns both) plus the bridge's body handling.

import { readTimeout } from '../lifespan/deadline.ts'
import type { RunnerConfig } from '../lifecycle/runner.ts'
import { optionNames, readFlag, readFunctions, readLogger, refuseUnknownOptions, show } from '../lifecycle/option-reader.ts'
import type { ConsumedBodyPolicy } from '../node/consumed-body.ts'
import { DEFAULT_MAX_BODY_BYTES } from '../node/handler.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { LifespanFn, LifespanHook, Logger } from '../protocol/types.ts'
import { readWebSocketOptions, type WebSocketConfig, type WebSocketOptions } from '../websocket/options.ts'

export interface EmbedOptions {
  /** Run in order after the app's lifespan and the `lifespan` setups, when startup() is called. */
  onStartup?: LifespanHook[]
  /** Run in registration order after the drain, when close() is called. */
  onShutdown?: LifespanHook[]
  /** Paired setup/teardown: setups in order after the app started, teardowns in reverse. */
  lifespan?: LifespanFn | LifespanFn[]
  /** Per startup step; default 60 000. */
  startupTimeoutMs?: number
  /** Per shutdown step; default 5 000, as serve(). */
  shutdownTimeoutMs?: number
  /** For tsgi's own in-flight requests once close() began; default 10 000. */
  drainTimeoutMs?: number
  /** Request bodies past this size get 413; default 1 MiB. */
  maxBodyBytes?: number
  /** Default console; false for silence. */
  logger?: Logger | false
  /** Print failing hooks' error messages and stacks; off by default since they can hold secrets. */
  logDetails?: boolean
  /** Draw the startup tree in the log once startup() finished, and the shutdown tree once close() did. Default false. */
  logTimings?: boolean
  /**
   * A body the host already read: `'replay'` (default) hands the app what the host kept,
   * `'error'` answers 500 with one log line. Never an empty body.
   */
  consumedBody?: ConsumedBodyPolicy
  /** The websocket limits, as serve()'s `websocket` option: maxPayloadBytes, pingIntervalMs, perMessageDeflate. */
  websocket?: WebSocketOptions
}

/** Every name EmbedOptions has: embed() refuses any other. Add new options here. */
export const embedOptionNames = optionNames<EmbedOptions>()([
  'onStartup',
  'onShutdown',
  'lifespan',
  'startupTimeoutMs',
  'shutdownTimeoutMs',
  'drainTimeoutMs',
  'maxBodyBytes',
  'logger',
  'logDetails',
  'logTimings',
  'consumedBody',
  'websocket',
])

export interface EmbedConfig extends RunnerConfig {
  maxBodyBytes: number
  consumedBody: ConsumedBodyPolicy
  websocket: WebSocketConfig
}

function fail(message: string): never {
  throw new InvalidArgumentError(`embed(): ${message}`)
}

function refuse(message: string): never {
  throw new InvalidArgumentError(message)
}

const hostOptionNames: ReadonlySet<string> = new Set(['port', 'host', 'signals', 'health', 'shutdownDelayMs', 'workers'])

export function readEmbedOptions(options: EmbedOptions): EmbedConfig {
  if (options === null || typeof options !== 'object') fail(`options must be an object, got ${show(options)}`)
  // A port, signals and probes are the host's: serve()'s names get a sentence that says so.
  const hostOwned = Object.keys(options).find(
    (name) => !(embedOptionNames as readonly string[]).includes(name) && hostOptionNames.has(name),
  )
  if (hostOwned !== undefined) refuse(`embed() has no option '${hostOwned}': the host owns the port, the signals and the probes`)
  refuseUnknownOptions(options, embedOptionNames, 'embed()', refuse)
  const { maxBodyBytes = DEFAULT_MAX_BODY_BYTES, consumedBody = 'replay' } = options
  if (typeof maxBodyBytes !== 'number' || !(maxBodyBytes >= 0) || (!Number.isInteger(maxBodyBytes) && maxBodyBytes !== Infinity)) {
    fail(`maxBodyBytes must be a non-negative integer or Infinity, got ${show(maxBodyBytes)}`)
  }
  if (consumedBody !== 'replay' && consumedBody !== 'error') fail(`consumedBody must be 'replay' or 'error', got ${show(consumedBody)}`)
  return {
    onStartup: readFunctions<LifespanHook>(options.onStartup, 'onStartup', fail),
    onShutdown: readFunctions<LifespanHook>(options.onShutdown, 'onShutdown', fail),
    lifespan: readFunctions<LifespanFn>(options.lifespan, 'lifespan', fail),
    startupTimeoutMs: readTimeout(options.startupTimeoutMs, 'embed(): startupTimeoutMs', 60_000),
    // serve()'s default, so one hook's worst case fits a pod's 30 s grace period the same way.
    shutdownTimeoutMs: readTimeout(options.shutdownTimeoutMs, 'embed(): shutdownTimeoutMs', 5_000),
    drainTimeoutMs: readTimeout(options.drainTimeoutMs, 'embed(): drainTimeoutMs', 10_000),
    signals: [],
    // The host owns the listener and the readiness it reports, so the delay before the drain is its own.
    shutdownDelayMs: 0,
    logger: readLogger(options.logger, fail),
    logDetails: options.logDetails === true,
    logTimings: readFlag(options.logTimings, 'logTimings', fail),
    maxBodyBytes,
    consumedBody,
    websocket: readWebSocketOptions(options.websocket, 'embed()'),
  }
}
