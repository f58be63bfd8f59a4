// The host side of embed(): the server is someone else's (Express, Fastify, Hono), so "listen"
// only opens a gate and "drain" only waits for tsgi's own exchanges. The host's sockets, its
// other routes and its keep-alive connections stay the host's to close.

import type { ServerResponse } from 'node:http'
import type { Host } from '../lifecycle/runner.ts'
import type { ExchangeWatch } from '../node/handler.ts'
import { InflightResponses, type Link } from './inflight.ts'
import { ClientDisconnectedError } from '../protocol/errors.ts'
import type { App, HttpReceiveMessage, Receive, Send } from '../protocol/types.ts'

const DISCONNECT: HttpReceiveMessage = Object.freeze({ type: 'http.disconnect' })

/** What the drain asks of the embedded app's websockets (websocket/host.ts). */
export interface WebSocketDrain {
  goAway(code: number, timeoutMs: number): Promise<'ok' | 'timeout'>
}

/** Going away: the embedded app stops; its host may well keep running. */
const GOING_AWAY = 1001

export class EmbedHost implements Host, ExchangeWatch<Link> {
  readonly listenName = 'open'
  #open = false
  #inflight = 0
  #idle: (() => void) | null = null
  /** Node responses whose app still runs: the drain cuts what is left of them when its time runs out. */
  readonly #responses = new InflightResponses()
  #cut = false
  #onCut: Array<() => void> = []
  readonly #draining: () => AbortSignal
  /** The embedded app's websockets, drained beside its HTTP exchanges within the same time. */
  websockets: WebSocketDrain | null = null

  constructor(draining: () => AbortSignal) {
    this.#draining = draining
  }
  #markDrained!: () => void
  /** Resolves when the drain is over, or at once when close() finds nothing to drain. */
  readonly drained = new Promise<void>((resolve) => (this.#markDrained = resolve))

  /** Whether requests reach the app: after startup() completed, before close() began. */
  get open(): boolean {
    return this.#open
  }

  get listening(): boolean {
    return this.#open
  }

  listen(): Promise<void> {
    this.#open = true
    return Promise.resolve()
  }

  /** The bridge's watch: a node request's app starts; its response is reachable by the drain. */
  started(res: ServerResponse): Link {
    this.#inflight++
    return this.#responses.add(res)
  }

  /** That app has settled: the bridge ended its response (or the client left), so the drain has nothing to cut. */
  settled(link: Link): void {
    this.#responses.remove(link)
    this.#settled()
  }

  /**
   * The app as fetch requests run it: counted; there is no socket here to destroy, so once the
   * drain is cut its receive() says http.disconnect and its send() throws.
   */
  fetchApp(app: App): App {
    return (scope, receive, send) => {
      if (this.#cut) return Promise.reject(new ClientDisconnectedError('the embedded app was closed'))
      return this.#count(app(scope, this.#cutReceive(receive), this.#cutSend(send)))
    }
  }

  async drain(timeoutMs: number): Promise<'ok' | 'timeout'> {
    try {
      const [http, websockets] = await Promise.all([this.#drain(timeoutMs), this.websockets?.goAway(GOING_AWAY, timeoutMs) ?? 'ok'])
      return http === 'ok' && websockets === 'ok' ? 'ok' : 'timeout'
    } finally {
      this.#markDrained()
    }
  }

  /** No drain will come (the app never started, or its startup failed). */
  skipDrain(): void {
    this.#markDrained()
  }

  async #drain(timeoutMs: number): Promise<'ok' | 'timeout'> {
    this.#open = false
    // Responses whose head is out promised keep-alive; their sockets must not carry another
    // request into an app that is stopping.
    for (const res of this.#responses.list()) {
      if (res.headersSent) res.once('finish', () => res.socket?.destroySoon())
      else res.shouldKeepAlive = false
    }
    if (this.#inflight === 0) return 'ok'
    let timer: NodeJS.Timeout | undefined
    const idle = new Promise<'ok'>((resolve) => (this.#idle = () => resolve('ok')))
    const expired = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')))
    const outcome = await Promise.race([idle, expired])
    clearTimeout(timer)
    if (outcome === 'timeout') this.#cutAll()
    return outcome
  }

  #count(running: Promise<void>): Promise<void> {
    this.#inflight++
    return running.then(this.#settled, this.#failed)
  }

  // Shared by every request (no closure each): the count drops however the app ended.
  readonly #settled = (): void => {
    if (--this.#inflight === 0) this.#idle?.()
  }

  readonly #failed = (error: unknown): never => {
    this.#settled()
    throw error
  }

  #cutAll(): void {
    this.#cut = true
    for (const res of this.#responses.list()) res.destroy()
    for (const wake of this.#onCut.splice(0)) wake()
  }

  #cutReceive(receive: Receive): Receive {
    return () => {
      if (this.#cut) return Promise.resolve(DISCONNECT)
      const message = receive()
      return new Promise((resolve, reject) => {
        const wake = (): void => resolve(DISCONNECT)
        this.#onCut.push(wake)
        message.then(resolve, reject).finally(() => {
          const i = this.#onCut.indexOf(wake)
          if (i !== -1) this.#onCut.splice(i, 1)
        })
      })
    }
  }

  #cutSend(send: Send): Send {
    return (message) => {
      if (this.#cut) return Promise.reject(new ClientDisconnectedError('the embedded app was closed'))
      // A head that leaves during the drain says so, so no client reuses the connection.
      if (message.type === 'http.response.start' && this.#draining().aborted) {
        return send({ ...message, headers: [...(message.headers ?? []), ['connection', 'close']] })
      }
      return send(message)
    }
  }
}
