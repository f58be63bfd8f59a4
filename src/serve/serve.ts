// serve(): an app tree on node:http. The composed lifecycle (hooks, lifespans, timeouts,
// signals) is LifecycleRunner's; this file is the HTTP host it drives: listen, the drain, the
// health probes, and the Server face.

import type { AddressInfo, Socket } from 'node:net'

import { warnPastGracePeriod } from './budget.ts'
import { Listener } from './drain.ts'
import { OpenSockets } from './sockets.ts'
import { withHealth } from './health.ts'
import { limitConnectionsPerClient } from './client-connections.ts'
import { ProbeListener } from './probe-listener.ts'
import { cutStalledWrites } from './stalled-writes.ts'
import { compileTrustProxy } from '../node/trust.ts'
import type { Phase } from '../lifecycle/table.ts'
import { LifecycleRunner, type Host } from '../lifecycle/runner.ts'
import { WebSocketHost } from '../websocket/host.ts'
import { DEFAULT_MAX_BODY_BYTES, toNodeHandler } from '../node/handler.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App, AppState } from '../protocol/types.ts'
import type { Timings } from '../lifespan/timings.ts'
import { readServeOptions, type ServeConfig, type ServeOptions } from './options.ts'
import { createNodeServer, type NodeServer } from './node-server.ts'
import { Http2Sessions } from './http2-sessions.ts'
import { loadTls } from './tls-files.ts'
import { reloadCertificateOnHangup } from './certificate-reload.ts'

export type { ServeOptions } from './options.ts'
export type { Phase } from '../lifecycle/table.ts'
export type { TimingNode, Timings } from '../lifespan/timings.ts'

export interface Server extends AsyncDisposable {
  /** Where it listens, e.g. `http://127.0.0.1:3000` (`https://` with `tls`). */
  readonly url: string
  readonly phase: Phase
  /** The lifespan state; each request sees a shallow copy. */
  readonly state: AppState
  /**
   * How long each part took: the startup tree (the app with a node per mounted child, nested as
   * the routers nest; each `lifespan` setup; each hook; listen), and once a shutdown ran, its tree
   * (the drain, hooks, teardowns, the app's children in reverse); null before.
   */
  readonly timings: Timings
  /** Graceful shutdown. Idempotent: later callers join the running one. Rejects with LifespanShutdownError. */
  close(): Promise<void>
  /** Resolves when the server stopped, however it stopped; never rejects. */
  readonly closed: Promise<void>
}

/**
 * Starts `app` and listens once every startup step completed; rejects with
 * LifespanStartupError (nothing listening) when one fails.
 * @example
 * const server = await serve(app, {
 *   onStartup: [async ({ state }) => { state.scheduler = startScheduler() }],
 *   onShutdown: [async ({ state }) => { await state.scheduler.stop() }],
 * })
 */
export async function serve(app: App, options: ServeOptions = {}): Promise<Server> {
  const since = performance.now()
  if (typeof app !== 'function') throw new InvalidArgumentError(`serve() needs an app function, got ${typeof app}`)
  const config = readServeOptions(options)
  warnPastGracePeriod(config)
  const host = new HttpHost(config)
  const runner = new LifecycleRunner(app, host, config, since)
  host.handle(app, runner)
  await runner.start()
  config.logger.info(`tsgi: listening on ${host.url}`)
  const server = new RunningServer(runner, host)
  runners.set(server, runner)
  return server
}

/** The runner behind each Server serve() returned, for the internal ways of closing it. */
const runners = new WeakMap<Server, LifecycleRunner>()

export function runnerOf(server: Server): LifecycleRunner | undefined {
  return runners.get(server)
}

class HttpHost implements Host {
  readonly listenName = 'listen'
  readonly #config: ServeConfig
  #server: NodeServer | null = null
  #secure = false
  #listener: Listener | null = null
  #sockets: OpenSockets | null = null
  #sessions: Http2Sessions | null = null
  #probes: ProbeListener | null = null
  #websockets: WebSocketHost | null = null
  /** The close code open websockets get at the drain: 1001 going away, 1012 when a reload retires this process. */
  #goingAwayCode = 1001
  #stopSweep: (() => void) | null = null
  #url = ''

  constructor(config: ServeConfig) {
    this.#config = config
  }

  get url(): string {
    return this.#url
  }

  get listening(): boolean {
    return this.#server?.listening === true
  }

  /** Builds the request listener: the bridge, behind the probes when asked for. */
  handle(app: App, runner: LifecycleRunner): void {
    const { logger, maxBodyBytes, health, http, trustProxy } = this.#config
    // Answers say `Connection: close` from the moment the shutdown begins (its delay included),
    // while apps see `scope.draining` only when the drain does.
    const closing = runner.retiring
    const handler = toNodeHandler(app, {
      state: runner.state,
      logger,
      draining: closing,
      trustProxy,
      ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    })
    const isReady = () => runner.phase === 'running'
    const listener = health === null ? handler : withHealth(handler, health, closing, isReady)
    if (health?.port != null) {
      const probes = new ProbeListener(health, health.port, this.#config.host, closing, isReady)
      this.#probes = probes
      void runner.closed.then(() => probes.close())
    }
    // Read now, so an unreadable certificate fails serve() before any startup step runs.
    const { transport } = this.#config
    const secure = transport.tls === null ? null : loadTls(transport.tls)
    const kind = createNodeServer(transport, secure, http, listener)
    const server = kind.server
    const sessions = kind.http2 ? new Http2Sessions(server, { ...http, ...this.#config.guards }, kind.secure) : null
    this.#secure = kind.secure
    server.maxConnections = http.maxConnections
    limitConnectionsPerClient(server, this.#config.guards.maxConnectionsPerClient, compileTrustProxy(trustProxy, 'serve(): trustProxy'))
    // A client that sends `Expect: 100-continue` waits for our go-ahead before its body. Node
    // would give it at once; a body we will refuse gets its 413 instead, unsent.
    const limit = maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    server.on('checkContinue', (req, res) => {
      if (!(Number(req.headers['content-length']) > limit)) res.writeContinue()
      listener(req, res)
    })
    const sockets = new OpenSockets(server, kind.http1Event)
    const websockets = new WebSocketHost(app, {
      state: runner.state,
      logger,
      trusted: compileTrustProxy(trustProxy, 'serve(): trustProxy'),
      config: this.#config.websocket,
    })
    // An upgraded socket leaves the HTTP drain's care (and its stalled-write sweep): the
    // websocket host closes it with a close frame and has its own back-pressure.
    server.on('upgrade', (req, socket, head) => {
      sockets.release(socket as Socket)
      websockets.upgrade(req, socket, head)
    })
    this.#server = server
    this.#sockets = sockets
    this.#sessions = sessions
    this.#listener = new Listener(server, sockets, sessions)
    this.#websockets = websockets
    const stopReloading = reloadCertificateOnHangup(server, transport.tls, this.#config.signals, logger)
    void runner.closed.then(stopReloading)
  }

  async listen(): Promise<void> {
    if (this.#config.websocketEager) await this.#websockets!.prepare()
    const server = this.#server!
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#config.port, this.#config.host, () => {
        server.off('error', reject)
        server.on('error', (error) => this.#config.logger.error('tsgi: the HTTP server reported an error', error))
        const { port } = server.address() as AddressInfo
        const host = this.#config.host.includes(':') ? `[${this.#config.host}]` : this.#config.host
        this.#url = `${this.#secure ? 'https' : 'http'}://${host}:${port}`
        const stopSweep = cutStalledWrites(this.#sockets!, this.#config.guards.writeTimeoutMs)
        this.#sessions?.start()
        this.#stopSweep = () => {
          stopSweep()
          this.#sessions?.stop()
        }
        // Once the app's port is open: a probe port that cannot be bound fails the startup, and
        // the runner then drains the port that did open.
        resolve(this.#probes?.listen())
      })
    })
  }

  /** Only a cluster worker retiring for a reload closes its listener before the drain: its websockets get 1012. */
  stopAccepting(): void {
    this.#goingAwayCode = 1012
    this.#listener!.stopAccepting()
    // What `Connection: close` does for HTTP/1.1 during the grace: h2 clients take their next
    // streams to the workers that stay.
    this.#sessions?.closeSessions()
  }

  /** HTTP and websockets drain side by side, within the same time. */
  async drain(timeoutMs: number): Promise<'ok' | 'timeout'> {
    try {
      const [http, websockets] = await Promise.all([
        this.#listener!.drain(timeoutMs),
        this.#websockets!.goAway(this.#goingAwayCode, timeoutMs),
      ])
      return http === 'ok' && websockets === 'ok' ? 'ok' : 'timeout'
    } finally {
      this.#stopSweep?.()
    }
  }
}

class RunningServer implements Server {
  readonly #runner: LifecycleRunner
  readonly #host: HttpHost

  constructor(runner: LifecycleRunner, host: HttpHost) {
    this.#runner = runner
    this.#host = host
  }

  get url(): string {
    return this.#host.url
  }

  get phase(): Phase {
    return this.#runner.phase
  }

  get state(): AppState {
    return this.#runner.state
  }

  get timings(): Timings {
    return this.#runner.timings
  }

  get closed(): Promise<void> {
    return this.#runner.closed
  }

  close(): Promise<void> {
    return this.#runner.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
