// serve()'s options, checked once when serve() is called: a bad hook list or port fails
// before anything starts, with a sentence naming the option and the value.

import { constants } from 'node:os'

import { readTimeout } from '../lifespan/deadline.ts'
import type { RunnerConfig } from '../lifecycle/runner.ts'
import { optionNames, readFlag, readFunctions, readLogger, refuseUnknownOptions, show } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { LifespanFn, LifespanHook, Logger } from '../protocol/types.ts'
import { compileTrustProxy, type TrustProxy } from '../node/trust.ts'
import { readHttpLimits, type HttpLimitOptions, type HttpLimits } from './http-options.ts'
import { readGuards, type GuardOptions, type Guards } from './guard-options.ts'
import { readWebSocketOptions, type WebSocketConfig, type WebSocketOptions } from '../websocket/options.ts'
import { readTlsOptions, type TlsConfig, type TlsOptionsPart } from './tls-options.ts'

export interface ServeOptions extends HttpLimitOptions, GuardOptions, TlsOptionsPart {
  /** Default: env PORT, else 3000. 0 picks any free port. */
  port?: number
  /** Default: env HOST, else '127.0.0.1'. */
  host?: string
  /** Run in order after the app's lifespan and the `lifespan` setups, before listening. */
  onStartup?: LifespanHook[]
  /** Run in registration order after the drain, before the `lifespan` teardowns. */
  onShutdown?: LifespanHook[]
  /** Paired setup/teardown: setups in order after the app started, teardowns in reverse. */
  lifespan?: LifespanFn | LifespanFn[]
  /** Per startup step; default 60 000. */
  startupTimeoutMs?: number
  /**
   * Per shutdown step; default 5 000, so that with the drain's 10 000 a plain serve(app) stops
   * within 15 s, inside Kubernetes' default 30 s grace period (see shutdownBudgetMs()).
   */
  shutdownTimeoutMs?: number
  /** For in-flight requests once shutdown began; default 10 000. */
  drainTimeoutMs?: number
  /**
   * Between close() (or the first signal) and the drain: /readyz answers 503, requests are still
   * served, each with `Connection: close`, while load balancers stop routing here. Default env
   * TSGI_SHUTDOWN_DELAY_MS, else 0 (no delay: Ctrl-C stays instant).
   */
  shutdownDelayMs?: number
  /** Default ['SIGINT', 'SIGTERM']; false leaves the process alone. */
  signals?: NodeJS.Signals[] | false
  /** Default console; false for silence. */
  logger?: Logger | false
  /** Print failing hooks' error messages and stacks; off by default since they can hold secrets. */
  logDetails?: boolean
  /** Draw the startup tree (each step, mounted child, hook and its milliseconds) in the log once listening, and the shutdown tree once stopped. Default false. */
  logTimings?: boolean
  /**
   * Answer GET /livez and /readyz (or the given paths) before the app sees the request; with
   * `port`, also on a listener of their own there (same host), which a connection flood on the
   * app's port cannot reach.
   */
  health?: boolean | { live?: string; ready?: string; port?: number }
  /** Request bodies past this size get 413; default 1 MiB (mcpApp's default too). */
  maxBodyBytes?: number
  /**
   * Proxies whose Forwarded / X-Forwarded-* headers set `scope.client`, `scope.scheme` and the
   * Host: `true` for any peer, or their addresses and CIDRs (`['10.0.0.0/8']`). Default false.
   */
  trustProxy?: TrustProxy
  // Scale-out on one machine (node:cluster); src/cluster/ reads and checks these.
  /** Worker processes; 'auto' is os.availableParallelism(). Absent or 1: one process, as without it. */
  workers?: number | 'auto'
  /** Hooks and lifespans run once, in the primary, around the workers' whole life. */
  primary?: PrimaryHooks
  /** How the primary restarts a worker that exited without being asked. */
  restart?: RestartOptions
  /**
   * Websockets (on the optional peer `ws`): message size limit, keep-alive pings, compression.
   * Given, ws is loaded at startup (a missing ws fails it); absent, at the first upgrade request.
   */
  websocket?: WebSocketOptions
  /** How long a worker retired by a reload answers with `Connection: close` before its drain; default 1 000. */
  reloadGraceMs?: number
}

/** Every name ServeOptions has: serve() refuses any other (a typo such as `onstartup`). Add new options here. */
export const serveOptionNames = optionNames<ServeOptions>()([
  'logTimings',
  'port',
  'host',
  'onStartup',
  'onShutdown',
  'lifespan',
  'startupTimeoutMs',
  'shutdownTimeoutMs',
  'drainTimeoutMs',
  'shutdownDelayMs',
  'signals',
  'logger',
  'logDetails',
  'health',
  'maxBodyBytes',
  'trustProxy',
  'workers',
  'primary',
  'restart',
  'reloadGraceMs',
  'websocket',
  'headersTimeoutMs',
  'requestTimeoutMs',
  'keepAliveTimeoutMs',
  'maxConnections',
  'maxConnectionsPerClient',
  'writeTimeoutMs',
  'tls',
  'http2',
  'maxConcurrentStreams',
])

/** The primary's own lifecycle, run once per machine (not once per worker). */
export interface PrimaryHooks {
  onStartup?: LifespanHook[]
  onShutdown?: LifespanHook[]
  lifespan?: LifespanFn | LifespanFn[]
}

export interface RestartOptions {
  /** Wait before the first restart; doubles after each crash up to maxDelayMs. Default 100. */
  initialDelayMs?: number
  /** Default 15 000. */
  maxDelayMs?: number
  /** More crashes than this within windowMs shut the whole server down (exit 1). Default 5. */
  maxCrashes?: number
  /** The crash window; a worker up this long resets its delay. Default 60 000. */
  windowMs?: number
}

/** serve()'s options, read: the runner's part (hooks, timeouts, signals, logging) plus HTTP's. */
export interface ServeConfig extends RunnerConfig {
  port: number
  host: string
  health: { live: string; ready: string; port: number | null } | null
  maxBodyBytes: number | undefined
  http: HttpLimits
  guards: Guards
  trustProxy: TrustProxy
  websocket: WebSocketConfig
  /** `websocket` options were given: ws is loaded before listening. */
  websocketEager: boolean
  /** TLS and HTTP/2: what the listener speaks. */
  transport: TlsConfig
}

function fail(message: string): never {
  throw new InvalidArgumentError(`serve(): ${message}`)
}

/** For refuseUnknownOptions(), whose message names serve() itself. */
function refuse(message: string): never {
  throw new InvalidArgumentError(message)
}

type HealthPaths = Exclude<NonNullable<ServeOptions['health']>, boolean>

const healthOptionNames = optionNames<HealthPaths>()(['live', 'ready', 'port'])

/** A pause that may be zero: a finite number of milliseconds, at least 0. */
function readDelay(value: unknown, env: NodeJS.ProcessEnv): number {
  const fromEnv = value === undefined && env.TSGI_SHUTDOWN_DELAY_MS !== undefined && env.TSGI_SHUTDOWN_DELAY_MS !== ''
  const raw = fromEnv ? Number(env.TSGI_SHUTDOWN_DELAY_MS) : (value ?? 0)
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0) {
    const source = fromEnv ? `env TSGI_SHUTDOWN_DELAY_MS ('${env.TSGI_SHUTDOWN_DELAY_MS}')` : 'shutdownDelayMs'
    fail(`${source} must be a finite number of milliseconds, 0 or more, got ${fromEnv ? String(raw) : show(value)}`)
  }
  return raw
}

function readTrustProxy(value: unknown): TrustProxy {
  compileTrustProxy(value, 'serve(): trustProxy')
  return value === undefined ? false : Array.isArray(value) ? [...(value as string[])] : (value as boolean)
}

function readPort(value: unknown, env: NodeJS.ProcessEnv): number {
  const [raw, source] =
    value !== undefined
      ? [value, 'port']
      : env.PORT !== undefined && env.PORT !== ''
        ? [Number(env.PORT), `env PORT ('${env.PORT}')`]
        : [3000, 'port']
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 65535) {
    fail(`${source} must be an integer from 0 to 65535, got ${show(value ?? env.PORT)}`)
  }
  return raw
}

/** The probe paths `health: true` answers. */
export const DEFAULT_HEALTH_PATHS = Object.freeze({ live: '/livez', ready: '/readyz' })

function readHealth(value: ServeOptions['health']): ServeConfig['health'] {
  if (value === undefined || value === false) return null
  const paths = value === true ? {} : value
  if (paths === null || typeof paths !== 'object') fail(`health must be a boolean or { live, ready, port }, got ${show(value)}`)
  refuseUnknownOptions(paths, healthOptionNames, 'serve()', refuse, 'health')
  const port = paths.port ?? null
  if (port !== null && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
    fail(`health.port must be an integer from 0 to 65535, got ${show(port)}`)
  }
  const live = paths.live ?? DEFAULT_HEALTH_PATHS.live
  const ready = paths.ready ?? DEFAULT_HEALTH_PATHS.ready
  for (const [key, path] of [
    ['live', live],
    ['ready', ready],
  ] as const) {
    if (typeof path !== 'string' || !path.startsWith('/')) fail(`health.${key} must be a path starting with '/', got ${show(path)}`)
  }
  return { live, ready, port }
}

function readSignals(value: unknown): NodeJS.Signals[] {
  if (value === false) return []
  if (value === undefined) return ['SIGINT', 'SIGTERM']
  if (!Array.isArray(value)) fail(`signals must be an array of signal names or false, got ${show(value)}`)
  for (const signal of value) {
    if (typeof signal !== 'string' || !(signal in constants.signals)) fail(`signals holds ${show(signal)}, which is not a signal name`)
  }
  return [...new Set(value as NodeJS.Signals[])]
}

export function readServeOptions(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  if (options === null || typeof options !== 'object') fail(`options must be an object, got ${show(options)}`)
  refuseUnknownOptions(options, serveOptionNames, 'serve()', refuse)
  const host = options.host ?? (env.HOST !== undefined && env.HOST !== '' ? env.HOST : '127.0.0.1')
  if (typeof host !== 'string' || host === '') fail(`host must be a non-empty string, got ${show(host)}`)
  if (options.maxBodyBytes !== undefined && (typeof options.maxBodyBytes !== 'number' || !(options.maxBodyBytes >= 0))) {
    fail(`maxBodyBytes must be a non-negative number, got ${show(options.maxBodyBytes)}`)
  }
  return {
    port: readPort(options.port, env),
    host,
    onStartup: readFunctions<LifespanHook>(options.onStartup, 'onStartup', fail),
    onShutdown: readFunctions<LifespanHook>(options.onShutdown, 'onShutdown', fail),
    lifespan: readFunctions<LifespanFn>(options.lifespan, 'lifespan', fail),
    startupTimeoutMs: readTimeout(options.startupTimeoutMs, 'serve(): startupTimeoutMs', 60_000),
    shutdownTimeoutMs: readTimeout(options.shutdownTimeoutMs, 'serve(): shutdownTimeoutMs', 5_000),
    drainTimeoutMs: readTimeout(options.drainTimeoutMs, 'serve(): drainTimeoutMs', 10_000),
    shutdownDelayMs: readDelay(options.shutdownDelayMs, env),
    signals: readSignals(options.signals),
    logger: readLogger(options.logger, fail),
    logDetails: options.logDetails === true,
    logTimings: readFlag(options.logTimings, 'logTimings', fail),
    health: readHealth(options.health),
    maxBodyBytes: options.maxBodyBytes,
    http: readHttpLimits(options),
    guards: readGuards(options, fail),
    trustProxy: readTrustProxy(options.trustProxy),
    websocket: readWebSocketOptions(options.websocket),
    websocketEager: options.websocket !== undefined,
    transport: readTlsOptions(options, fail),
  }
}
