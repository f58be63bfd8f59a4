// The node:http bridge: a tsgi app as a `(req, res)` request listener. Each request becomes one
// Exchange (see exchange.ts); this file owns the options and the app's outcome.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { bodyConsumed, recoverBody, type ConsumedBodyPolicy } from './consumed-body.ts'
import type { AppExchange, BridgeConfig } from './app-exchange.ts'
import { Exchange } from './exchange.ts'
import type { HostView } from './mounted.ts'
import { plainAnswer } from './response.ts'
import { keepTickShapes } from './tick-shapes.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App, Logger } from '../protocol/types.ts'
import { compileTrustProxy, type TrustProxy } from './trust.ts'

export interface NodeHandlerOptions {
  /**
   * The lifespan state. Read at each request, not when the handler is made: every request gets
   * a shallow copy of the object as it is then, so keys a later startup adds are seen.
   */
  state?: object
  /** Bodies past this many bytes get 413; the app never sees the excess. Default 1 MiB. */
  maxBodyBytes?: number
  /**
   * Where an app's errors go, one line naming the method and raw path plus the error; never to
   * the client. Default `console`; `false` for silence.
   */
  logger?: Logger | false
  /**
   * Read before each response head is written: once this signal is aborted, the head says
   * `Connection: close` so no client reuses a socket that is about to go. serve() hands over the
   * signal its drain aborts (the same one apps see as `scope.draining`); one read per response.
   */
  draining?: AbortSignal
  /**
   * Which peers are proxies whose forwarding headers (Forwarded, X-Forwarded-For / -Proto /
   * -Host) may set `scope.client`, `scope.scheme` and the Host header: `true` for any peer, or a
   * list of addresses and CIDRs. Default false: the headers are the client's and are ignored.
   */
  trustProxy?: TrustProxy
  /**
   * A body the host already read (a body parser ran before this handler): `'replay'` (the
   * default) hands the app what the host kept, `'error'` answers 500 with one log line. Where
   * nothing usable was kept the answer is that 500 either way, never an empty body.
   */
  consumedBody?: ConsumedBodyPolicy
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

/** Request bodies past this many bytes get 413 unless `maxBodyBytes` says otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/**
 * Serves `app` on node:http (or anything that hands out IncomingMessage/ServerResponse).
 * @example
 * import { createServer } from 'node:http'
 * createServer(toNodeHandler(router([mount('/api', api)]))).listen(3000)
 */
export function toNodeHandler(app: App, options: NodeHandlerOptions = {}): NodeHandler {
  if (typeof app !== 'function') throw new InvalidArgumentError(`toNodeHandler() needs an app function, got ${describe(app)}`)
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`toNodeHandler() options must be an object, got ${describe(options)}`)
  }
  const { state, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, logger = console, draining, consumedBody = 'replay' } = options
  if (state !== undefined && (state === null || typeof state !== 'object')) {
    throw new InvalidArgumentError(`toNodeHandler() state must be an object, got ${describe(state)}`)
  }
  if (typeof maxBodyBytes !== 'number' || !(maxBodyBytes >= 0) || (!Number.isInteger(maxBodyBytes) && maxBodyBytes !== Infinity)) {
    throw new InvalidArgumentError(`toNodeHandler() maxBodyBytes must be a non-negative integer or Infinity, got ${describe(maxBodyBytes)}`)
  }
  if (logger !== false && (logger === null || typeof logger !== 'object' || typeof logger.error !== 'function')) {
    throw new InvalidArgumentError(`toNodeHandler() logger must be a Logger or false, got ${describe(logger)}`)
  }
  if (draining !== undefined && !(draining instanceof AbortSignal)) {
    throw new InvalidArgumentError(`toNodeHandler() draining must be an AbortSignal, got ${describe(draining)}`)
  }
  if (consumedBody !== 'replay' && consumedBody !== 'error') {
    throw new InvalidArgumentError(`toNodeHandler() consumedBody must be 'replay' or 'error', got ${describe(consumedBody)}`)
  }
  const bridge = mountedBridge(app, {
    state,
    maxBodyBytes,
    logger: logger === false ? null : logger,
    draining: draining ?? null,
    trusted: compileTrustProxy(options.trustProxy, 'toNodeHandler() trustProxy'),
    consumedBody,
  })

  return function tsgiNodeHandler(req: IncomingMessage, res: ServerResponse): void {
    bridge(req, res, hostViewOf(req))
  }
}

/** The bridge's options, checked: what embed() hands over. */
export interface MountedBridgeConfig extends BridgeConfig {
  consumedBody: ConsumedBodyPolicy
  /** Told when an app starts on a response and when it has settled: how embed() drains. */
  watch?: ExchangeWatch
}

/** Sees each app call the bridge makes; no per-request listener or promise is added for it. */
export interface ExchangeWatch<Token = unknown> {
  /** The app is about to run on `res`; what it returns is handed back to settled(). */
  started(res: ServerResponse): Token
  settled(token: Token): void
}

/** Answers one request; `view` is what the host knows (its mount, the body it read). */
export type MountedBridge = (req: IncomingMessage, res: ServerResponse, view: HostView | undefined) => void

/** The bridge for hosts that route before it (embed()); `view.body` is filled in here when the host read the stream. */
export function mountedBridge(app: App, config: MountedBridgeConfig): MountedBridge {
  // Before the process serves: a collection while it idles would otherwise slow every
  // nextTick() of the process for good (tick-shapes.ts).
  keepTickShapes()
  return function tsgiMountedBridge(req, res, view) {
    if (view?.body == null && bodyConsumed(req)) {
      const recovered = recoverBody(req, config.consumedBody)
      if ('refused' in recovered) {
        config.logger?.error(`tsgi: ${req.method} ${view?.target ?? req.url}: ${recovered.refused}; answered 500`)
        if (!res.headersSent) plainAnswer(res, 500, 'Internal Server Error', false)
        return
      }
      view = { target: view?.target ?? req.url ?? '/', root: view?.root ?? '', body: recovered.body }
    }
    const exchange = new Exchange(req, res, config, view)
    // A null scope means the bridge already answered (400, 413): no app runs.
    if (exchange.scope === null) return
    void run(app, exchange, res, config.watch)
  }
}

/** Express and Connect say where they mounted the handler; plain node:http says nothing. */
export function hostViewOf(req: IncomingMessage): HostView | undefined {
  const { originalUrl, baseUrl } = req as IncomingMessage & { originalUrl?: unknown; baseUrl?: unknown }
  if (typeof originalUrl !== 'string') return undefined
  return { target: originalUrl, root: typeof baseUrl === 'string' ? baseUrl : '', body: null }
}

/** One async frame per request (none per message): the app's outcome decides how the response ends. */
export async function run(app: App, exchange: AppExchange, res: ServerResponse, watch: ExchangeWatch | undefined): Promise<void> {
  const watched = watch?.started(res)
  try {
    try {
      await app(exchange.scope!, exchange.receive, exchange.send)
    } catch (error) {
      exchange.failed(error)
      return
    }
    exchange.returned()
  } finally {
    // After the response was ended for the app, so a drain that sees it settle has nothing left of it.
    watch?.settled(watched)
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return `the string '${value}'`
  if (typeof value === 'number') return String(value)
  return typeof value
}
