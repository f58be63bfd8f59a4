// embed(): a tsgi app, its composed lifespan included, inside a server someone else runs. The
// lifecycle is LifecycleRunner's, the same one serve() drives; the host here (host.ts) opens a
// gate instead of a port and drains only tsgi's own exchanges. No framework is imported: the
// adapters (express.ts, fastify.ts, hono.ts) map their host's hooks onto startup() and close().

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { respondMounted } from '../fetch/handler.ts'
import { LifecycleRunner } from '../lifecycle/runner.ts'
import type { Phase } from '../lifecycle/table.ts'
import { hostViewOf, mountedBridge, type MountedBridge, type MountedBridgeConfig } from '../node/handler.ts'
import type { ConsumedBodyPolicy } from '../node/consumed-body.ts'
import type { HostView } from '../node/mounted.ts'
import { InvalidArgumentError, ServerClosedError } from '../protocol/errors.ts'
import type { App, AppState, Logger } from '../protocol/types.ts'
import type { Timings } from '../lifespan/timings.ts'
import { EmbedHost } from './host.ts'
import { answerNodeRequest } from './node-answer.ts'
import { readEmbedOptions, type EmbedOptions } from './options.ts'
import { takeUpgrade } from './upgrade.ts'
import { Denial } from '../websocket/denial.ts'
import { WebSocketHost } from '../websocket/host.ts'

export type { EmbedOptions } from './options.ts'

/** A tsgi app living in another server: its lifecycle to drive, and its request handlers. */
export interface Embedded extends AsyncDisposable {
  readonly phase: Phase
  /** The lifespan state; each request sees a shallow copy. */
  readonly state: AppState
  /** Aborted when close() begins: long-lived responses (SSE) should end then. */
  readonly draining: AbortSignal
  /** How long each part of startup() (and of close(), once it ran) took, as serve()'s Server shows. */
  readonly timings: Timings
  /** The app's lifespan, the `lifespan` setups, the onStartup hooks; rejects with LifespanStartupError. */
  startup(): Promise<void>
  /**
   * Drains tsgi's own exchanges (Connection: close, cut after drainTimeoutMs), then onShutdown,
   * teardowns reversed, the app's shutdown. Idempotent; rejects with LifespanShutdownError.
   */
  close(): Promise<void>
  /** A node:http handler; under Express, rootPath is the mount (`baseUrl`) and rawPath `originalUrl`. */
  readonly node: (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void
  /** A fetch handler, for hosts that speak Request and Response. */
  readonly fetch: (request: Request) => Promise<Response>
  /**
   * A node:http 'upgrade' listener: websocket scopes reach the app with the full path
   * (rootPath ''), as `node` gives HTTP ones. Under a host that routes (Express, Fastify, Hono),
   * attach the adapter's `routeUpgrade(host)` instead, so the host's prefix applies. Before
   * startup() completed and once close() began, upgrades get 503; close() tells every open
   * websocket 1001 and waits for them within drainTimeoutMs.
   */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
}

/** What the adapters use beyond the public face: handlers told the host's prefix. */
export interface EmbeddedCore extends Embedded {
  /** `view.root` is the raw prefix the host matched; `view.body` what it read, if it did. */
  serveNode(req: IncomingMessage, res: ServerResponse, view: HostView | undefined): void
  serveFetch(request: Request, root: string): Promise<Response>
  /**
   * A node request answered with a Response the host writes (@hono/node-server): its middleware
   * sees the answer. `handedOver` tells the host a fromNodeHandler() child wrote `res` itself.
   */
  answerNode(req: IncomingMessage, res: ServerResponse, view: HostView, handedOver: () => Response): Promise<Response>
  /** What to do with a body the host already read. */
  readonly consumedBody: ConsumedBodyPolicy
  /** One log line naming why a consumed body cannot reach the app, and the 500 that answers it. */
  refuseConsumed(method: string, target: string, why: string): Response
  /** Resolves once close() has drained tsgi's exchanges (Fastify's preClose waits for it). */
  drained(): Promise<void>
}

/** Asked again soon, the same instance (starting) or a sibling (stopping) may answer. */
const RETRY_AFTER_SECONDS = '1'
const UNAVAILABLE = 'Service Unavailable'

/**
 * Runs `app` inside another server. The host calls startup() before it serves and close()
 * when it stops; requests before startup() completed, or after close() began, get 503 with
 * Retry-After and never reach the app.
 * @example
 * const mounted = embed(app, { onStartup: [openPool], onShutdown: [closePool] })
 * await mounted.startup()
 * http.createServer(mounted.node).listen(3000)
 * process.once('SIGTERM', () => mounted.close())
 */
export function embed(app: App, options: EmbedOptions = {}): Embedded {
  return embedCore(app, options, 'embed()')
}

/** embed() for the adapters: the same, with the handlers that know the host's prefix. */
export function embedCore(app: App, options: EmbedOptions, caller: string): EmbeddedCore {
  if (typeof app !== 'function')
    throw new InvalidArgumentError(`${caller} needs an app function, got ${app === null ? 'null' : typeof app}`)
  return new EmbeddedApp(app, options)
}

class EmbeddedApp implements EmbeddedCore {
  readonly #runner: LifecycleRunner
  readonly #host: EmbedHost
  readonly #bridge: MountedBridge
  readonly #websockets: WebSocketHost
  readonly #bridgeConfig: MountedBridgeConfig
  readonly #app: App
  readonly #fetchApp: App
  #starting: Promise<void> | null = null
  #closing: Promise<void> | null = null
  #saidWhyUnavailable = false
  readonly #logger: Logger
  readonly #maxBodyBytes: number
  readonly consumedBody: ConsumedBodyPolicy
  readonly node: Embedded['node']
  readonly fetch: Embedded['fetch']
  readonly upgrade: Embedded['upgrade']

  constructor(app: App, options: EmbedOptions) {
    const config = readEmbedOptions(options)
    // The runner owns the draining signal; the host reads it once the runner exists.
    this.#host = new EmbedHost(() => this.#runner.draining)
    this.#runner = new LifecycleRunner(app, this.#host, config)
    const { logger, maxBodyBytes, consumedBody } = config
    this.#logger = logger
    this.#maxBodyBytes = maxBodyBytes
    this.consumedBody = consumedBody
    this.#app = app
    this.#bridgeConfig = {
      state: this.#runner.state,
      maxBodyBytes,
      logger,
      draining: this.#runner.draining,
      consumedBody,
      trusted: null, // proxies are the host's to trust
      watch: this.#host,
    }
    this.#bridge = mountedBridge(app, this.#bridgeConfig)
    this.#fetchApp = this.#host.fetchApp(app)
    this.#websockets = new WebSocketHost(app, { state: this.#runner.state, logger, trusted: null, config: config.websocket })
    this.#host.websockets = this.#websockets
    this.node = (req, res) => this.serveNode(req, res, hostViewOf(req))
    this.fetch = (request) => this.serveFetch(request, '')
    this.upgrade = (req, socket, head) => this.#serveUpgrade(req, socket, head, undefined)
  }

  get phase(): Phase {
    // Closed before it ever started: nothing ran, and nothing will.
    if (this.#starting === null && this.#closing !== null) return 'stopped'
    return this.#runner.phase
  }

  get state(): AppState {
    return this.#runner.state
  }

  get draining(): AbortSignal {
    return this.#runner.draining
  }

  get timings(): Timings {
    return this.#runner.timings
  }

  startup(): Promise<void> {
    if (this.#starting === null && this.#closing !== null) {
      return Promise.reject(new ServerClosedError('startup() was called after close(); an embedded app starts once'))
    }
    this.#starting ??= this.#runner.start()
    return this.#starting
  }

  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  serveNode(req: IncomingMessage, res: ServerResponse, view: HostView | undefined): void {
    // An upgrade the host routed here (the adapter's routeUpgrade): the socket becomes a websocket.
    const upgrade = takeUpgrade(req, res)
    if (upgrade !== null) {
      this.#serveUpgrade(req, upgrade.socket, upgrade.head, view)
      return
    }
    if (!this.#host.open) {
      this.#sayWhyUnavailable()
      unavailable(res)
      return
    }
    if (res.getHeaderNames().length > 0) view = { ...(view ?? { target: req.url ?? '/', root: '', body: null }), presetHeaders: true }
    this.#bridge(req, res, view)
  }

  serveFetch(request: Request, root: string): Promise<Response> {
    if (!this.#host.open) return this.#unavailableResponse()
    return respondMounted(this.#fetchApp, request, this.#runner.state, { root, maxBodyBytes: this.#maxBodyBytes })
  }

  answerNode(req: IncomingMessage, res: ServerResponse, view: HostView, handedOver: () => Response): Promise<Response> {
    if (!this.#host.open) return this.#unavailableResponse()
    return answerNodeRequest(this.#app, req, res, this.#bridgeConfig, view, handedOver)
  }

  refuseConsumed(method: string, target: string, why: string): Response {
    this.#logger.error(`tsgi: ${method} ${target}: ${why}; answered 500`)
    return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  }

  drained(): Promise<void> {
    return this.#host.drained
  }

  #serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, view: HostView | undefined): void {
    if (this.#host.open) {
      this.#websockets.upgrade(req, socket, head, view)
      return
    }
    socket.on('error', () => socket.destroy())
    this.#sayWhyUnavailable()
    const denial = new Denial(req, socket)
    denial.start(503, [
      ['content-type', 'text/plain; charset=utf-8'],
      ['retry-after', RETRY_AFTER_SECONDS],
    ])
    void denial.write(UNAVAILABLE, false)
  }

  #unavailableResponse(): Promise<Response> {
    this.#sayWhyUnavailable()
    return Promise.resolve(unavailableResponse())
  }

  /**
   * A 503 before the app ever ran is said once in the log, with the reason: a forgotten
   * startup() would otherwise answer 503 forever in silence. After close() a 503 is expected.
   */
  #sayWhyUnavailable(): void {
    if (this.#saidWhyUnavailable || this.#closing !== null) return
    this.#saidWhyUnavailable = true
    const why =
      this.#starting === null
        ? 'startup() was never called (call `await mounted.startup()` before the host serves)'
        : this.#runner.phase === 'failed'
          ? 'its startup() failed'
          : 'its startup() has not completed yet'
    this.#logger.warn(`tsgi: a request reached the embedded app before it started and got 503: ${why}; said once`)
  }

  async #close(): Promise<void> {
    try {
      if (this.#starting === null) return
      // A close() during startup lets it finish (or fail and roll back), then stops what started.
      await this.#starting.catch(() => undefined)
      if (this.#runner.phase === 'running') await this.#runner.close()
    } finally {
      this.#host.skipDrain()
    }
  }
}

function unavailableResponse(): Response {
  const headers = { 'content-type': 'text/plain; charset=utf-8', 'retry-after': RETRY_AFTER_SECONDS }
  return new Response(UNAVAILABLE, { status: 503, headers })
}

function unavailable(res: ServerResponse): void {
  if (res.headersSent) return
  const headers = [
    'content-type',
    'text/plain; charset=utf-8',
    'content-length',
    String(UNAVAILABLE.length),
    'retry-after',
    RETRY_AFTER_SECONDS,
  ]
  res.writeHead(503, headers)
  res.end(UNAVAILABLE)
}
