// The websocket side of serve(): node:http's 'upgrade' requests handed to ws in noServer mode,
// every connection tracked here (ws's server.close() closes none of them), one ping timer for
// all, and the drain: each open websocket's app gets websocket.disconnect and its client a close
// frame with the same code (1001 going away, 1012 on a reload), then the host waits for them.

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

import type { HostView } from '../node/mounted.ts'
import type { TrustCheck } from '../node/trust.ts'
import type { App, Logger } from '../protocol/types.ts'
import { type ConnectionHost, WebSocketConnection } from './connection.ts'
import { Denial } from './denial.ts'
import { loadWs, type PeerServer, type PeerServerOptions } from './load-ws.ts'
import type { WebSocketConfig } from './options.ts'
import { websocketScope } from './scope.ts'

export interface WebSocketHostOptions {
  /** The lifespan state; each connection's scope gets a shallow copy made when it arrives. */
  state: Record<string, unknown>
  logger: Logger
  trusted: TrustCheck | null
  config: WebSocketConfig
}

export class WebSocketHost implements ConnectionHost {
  readonly logger: Logger
  readonly inboxLimitBytes: number
  readonly #app: App
  readonly #options: WebSocketHostOptions
  readonly #open = new Set<WebSocketConnection>()
  /** Connections whose handshake ws is checking, found again by ws's verifyClient. */
  readonly #pending = new WeakMap<IncomingMessage, WebSocketConnection>()
  #loading: Promise<PeerServer> | null = null
  #refusing = false
  #ping: NodeJS.Timeout | null = null
  #allFinished: (() => void) | null = null

  constructor(app: App, options: WebSocketHostOptions) {
    this.#app = app
    this.#options = options
    this.logger = options.logger
    this.inboxLimitBytes = options.config.maxPayloadBytes
  }

  /** Open websockets, handshakes included. */
  get size(): number {
    return this.#open.size
  }

  /** Loads ws now rather than at the first upgrade (serve() given `websocket` options): a missing ws fails startup. */
  async prepare(): Promise<void> {
    await this.#peerServer()
  }

  /** node:http's 'upgrade' listener; `view` when an embedding host routed it under a prefix. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, view?: Pick<HostView, 'target' | 'root'>): void {
    socket.on('error', () => socket.destroy())
    if (this.#refusing) {
      new Denial(req, socket).plain(503, 'Service Unavailable')
      return
    }
    const scope = websocketScope(req, this.#options.state, this.#options.trusted, view)
    if (scope === null) {
      new Denial(req, socket).plain(400, 'Bad Request')
      return
    }
    this.#peerServer().then(
      (server) => {
        if (socket.destroyed) return
        if (this.#refusing) {
          new Denial(req, socket).plain(503, 'Service Unavailable')
          return
        }
        this.#pending.set(req, new WebSocketConnection(req, socket, scope, this))
        server.handleUpgrade(req, socket, head, (peer) => this.#pending.get(req)?.opened(peer))
      },
      (error: unknown) => {
        this.logger.error(`tsgi: websocket ${scope.rawPath}: ${(error as Error).message}`)
        new Denial(req, socket).plain(501, 'Not Implemented')
      },
    )
  }

  finished(connection: WebSocketConnection): void {
    this.#open.delete(connection)
    if (this.#open.size === 0) {
      this.#allFinished?.()
      this.#stopPinging()
    }
  }

  /**
   * Refuses new websockets (503), tells every open one `code`, and waits until each socket
   * closed and each app returned, or `timeoutMs` passed (then the rest are cut: 'timeout').
   */
  async goAway(code: number, timeoutMs: number): Promise<'ok' | 'timeout'> {
    this.#refusing = true
    if (this.#open.size === 0) return 'ok'
    const all = new Promise<'ok'>((resolve) => {
      this.#allFinished = () => resolve('ok')
    })
    for (const connection of this.#open) connection.goAway(code)
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    const outcome = await Promise.race([all, expired])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      for (const connection of this.#open) connection.terminate()
      this.#open.clear()
      this.#stopPinging()
    }
    return outcome
  }

  #peerServer(): Promise<PeerServer> {
    this.#loading ??= loadWs().then((PeerServerClass) => {
      const options: PeerServerOptions = {
        noServer: true,
        clientTracking: false,
        maxPayload: this.#options.config.maxPayloadBytes,
        perMessageDeflate: this.#options.config.perMessageDeflate,
        handleProtocols: (_offered, req) => this.#pending.get(req)?.subprotocol ?? false,
        // ws checked the handshake request; the app decides the rest, taking as long as it needs.
        verifyClient: ({ req }, verdict) => {
          const connection = this.#pending.get(req)
          if (connection === undefined) return verdict(false, 500)
          this.#open.add(connection)
          this.#startPinging()
          connection.start(this.#app, verdict)
        },
      }
      const server = new PeerServerClass(options)
      server.on('headers', (headers, req) => {
        const lines = this.#pending.get(req)?.headerLines
        if (lines !== undefined) headers.push(...lines)
      })
      return server
    })
    this.#loading.catch(() => {
      this.#loading = null
    })
    return this.#loading
  }

  #startPinging(): void {
    const every = this.#options.config.pingIntervalMs
    if (this.#ping !== null || every === 0) return
    this.#ping = setInterval(() => {
      for (const connection of this.#open) connection.heartbeat()
    }, every)
    // Pings alone must not keep a process alive.
    this.#ping.unref()
  }

  #stopPinging(): void {
    if (this.#ping !== null) clearInterval(this.#ping)
    this.#ping = null
  }
}
