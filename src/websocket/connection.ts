// One websocket connection as an app conversation: the handshake held open while the app
// decides (ws's asynchronous verifyClient), the frames ws reassembles turned into messages, and
// the app's messages checked against the table in protocol/websocket.ts before anything is
// written. ws speaks the wire protocol; this file only translates and keeps the order.

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

import { ProtocolError, WebSocketClosedError } from '../protocol/errors.ts'
import type { App, Logger, SendMessage, WebSocketReceiveMessage, WebSocketScope } from '../protocol/types.ts'
import { nextWebSocketState, WebSocketConversation } from '../protocol/websocket.ts'
import { readAccept, readClose, readPayload } from './checks.ts'
import { Denial } from './denial.ts'
import { Inbox } from './inbox.ts'
import { closeCodeOf, type PeerSocket, type Verdict, untilDrained } from './load-ws.ts'

const SENT = Promise.resolve()

/** What a connection needs from its host. */
export interface ConnectionHost {
  readonly logger: Logger
  /** Past this many bytes of messages the app has not taken yet, reading from the client pauses. */
  readonly inboxLimitBytes: number
  /** Called once the socket closed and the app returned. */
  finished(connection: WebSocketConnection): void
}

export class WebSocketConnection {
  readonly scope: WebSocketScope
  readonly #req: IncomingMessage
  readonly #socket: Duplex
  readonly #host: ConnectionHost
  readonly #conversation = new WebSocketConversation()
  readonly #inbox: Inbox
  #verdict: Verdict | null = null
  #accept: { subprotocol: string | null; lines: string[] } | null = null
  #peer: PeerSocket | null = null
  #denial: Denial | null = null
  /** The disconnect the app gets (again) once the connection is over; null while it lasts. */
  #gone: WebSocketReceiveMessage | null = null
  #socketClosed = false
  #appReturned = false
  /** The close code ws sent when the client broke the protocol (1002, 1007, 1009). */
  #failedWith: number | null = null
  /** Pings unanswered in a row. */
  missedPings = 0

  constructor(req: IncomingMessage, socket: Duplex, scope: WebSocketScope, host: ConnectionHost) {
    this.#req = req
    this.#socket = socket
    this.scope = scope
    this.#host = host
    this.#inbox = new Inbox(
      host.inboxLimitBytes,
      { pause: () => this.#peer?.pause(), resume: () => this.#peer?.resume() },
      { type: 'websocket.connect' },
    )
    socket.once('close', () => {
      this.#socketClosed = true
      // Before the upgrade completed, nothing else tells the app; after it, ws's 'close' does, with the code.
      if (this.#peer === null) this.#leave(1006, '')
      this.#maybeFinished()
    })
  }

  /** Runs the app; `verdict` completes or refuses the handshake once the app decided. */
  start(app: App, verdict: Verdict): void {
    this.#verdict = verdict
    const receive = (): Promise<WebSocketReceiveMessage> => this.#receive()
    const send = (message: SendMessage): Promise<void> => this.#send(message)
    Promise.resolve()
      .then(() => app(this.scope, receive, send))
      .then(
        () => this.#returned(),
        (error: unknown) => this.#failed(error),
      )
  }

  /** ws took the socket over: frames now come through `peer`. */
  opened(peer: PeerSocket): void {
    this.#peer = peer
    peer.on('message', (data, isBinary) => {
      const bytes = data as Buffer
      this.#push(
        isBinary ? { type: 'websocket.receive', bytes } : { type: 'websocket.receive', text: bytes.toString('utf8') },
        bytes.length,
      )
    })
    peer.on('close', (code, reason) => {
      // ws closed on a bad frame and stopped reading, so no echo came back (1006): the app gets the code ws sent.
      this.#leave(code === 1006 && this.#failedWith !== null ? this.#failedWith : code, reason.toString('utf8'))
      this.#maybeFinished()
    })
    peer.on('pong', () => {
      this.missedPings = 0
    })
    // ws reports bad frames (1002, 1007, 1009) here and then closes; the 'close' event tells the app.
    peer.on('error', (error) => {
      this.#failedWith = closeCodeOf(error)
      this.#host.logger.debug(`tsgi: websocket ${this.scope.rawPath}: ${error.message}`)
    })
  }

  get open(): boolean {
    return this.#peer !== null && this.#gone === null
  }

  /** The keep-alive check: a peer that missed two pings in a row is dropped. */
  heartbeat(): void {
    if (!this.open) return
    if (this.missedPings >= 2) {
      this.#peer!.terminate()
      return
    }
    this.missedPings++
    this.#peer!.ping()
  }

  /**
   * The server is going away: the app gets `websocket.disconnect` with `code` at once and the
   * client a close frame with it; a handshake still waiting for the app is refused with 503.
   */
  goAway(code: number): void {
    if (this.#gone !== null) return
    if (this.#peer !== null) this.#peer.close(code, '')
    else if (this.#denial === null) this.#refuse(503)
    this.#leave(code, '')
  }

  /** The drain ran out of time: the socket goes now, without a closing handshake. */
  terminate(): void {
    if (this.#peer !== null) this.#peer.terminate()
    else this.#socket.destroy()
  }

  /** The subprotocol the app accepted, for ws's handleProtocols. */
  get subprotocol(): string | false {
    return this.#accept?.subprotocol ?? false
  }

  /** The app's extra handshake headers, for ws's 'headers' event. */
  get headerLines(): string[] {
    return this.#accept?.lines ?? []
  }

  #push(message: WebSocketReceiveMessage, size: number): void {
    this.#inbox.push(message, size)
  }

  #receive(): Promise<WebSocketReceiveMessage> {
    const message = this.#inbox.take()
    if (message !== undefined) {
      this.#conversation.advance(message)
      return Promise.resolve(message)
    }
    // Asked again after the disconnect: the same answer, never a hang.
    if (this.#gone !== null && this.#conversation.state === 'closed') return Promise.resolve(this.#gone)
    return this.#inbox.next().then((next) => {
      this.#conversation.advance(next)
      return next
    })
  }

  #leave(code: number, reason: string): void {
    if (this.#gone !== null) return
    this.#gone = { type: 'websocket.disconnect', code, reason }
    this.#push(this.#gone, 0)
  }

  async #send(message: SendMessage): Promise<void> {
    // Whatever the app sends once the connection is over rejects, even before it read the disconnect.
    if (
      this.#gone !== null &&
      this.#conversation.state !== 'closed' &&
      typeof message?.type === 'string' &&
      message.type.startsWith('websocket.')
    ) {
      throw new WebSocketClosedError(`websocket: '${message.type}' after the connection closed`)
    }
    const before = this.#conversation.state
    // The table first, then the message's own fields: a refused message changes nothing.
    nextWebSocketState(before, message?.type)
    switch (message.type) {
      case 'websocket.send': {
        const { data, binary } = readPayload(message)
        this.#conversation.advance(message)
        this.#peer!.send(data, { binary })
        return this.#socket.writableNeedDrain ? untilDrained(this.#socket) : SENT
      }
      case 'websocket.accept': {
        const accept = readAccept(message, this.scope.subprotocols)
        this.#conversation.advance(message)
        return this.#accepted(accept)
      }
      case 'websocket.close': {
        if (before === 'open') {
          const { code, reason } = readClose(message.code, message.reason)
          this.#conversation.advance(message)
          this.#peer!.close(code, reason)
          return SENT
        }
        this.#conversation.advance(message)
        this.#refuse(403)
        this.#leave(1006, '')
        return SENT
      }
      case 'websocket.http.response.start': {
        const denial = new Denial(this.#req, this.#socket)
        this.#conversation.advance(message)
        this.#denial = denial
        this.#verdict = null
        denial.start(message.status, message.headers ?? [])
        return SENT
      }
      case 'websocket.http.response.body':
        this.#conversation.advance(message)
        return this.#denial!.write(message.body, message.moreBody === true)
      default:
        throw new ProtocolError(`websocket: cannot send '${String((message as { type?: unknown }).type)}'`)
    }
  }

  #accepted(accept: { subprotocol: string | null; lines: string[] }): Promise<void> {
    this.#accept = accept
    const verdict = this.#verdict!
    this.#verdict = null
    // ws completes the upgrade synchronously: the 101 is written and opened() ran, unless the
    // client left in the meantime (ws then destroys the socket and calls nothing).
    verdict(true)
    if (this.#peer !== null) return SENT
    this.#conversation.end()
    return Promise.reject(new WebSocketClosedError('websocket.accept: the client left during the handshake'))
  }

  /** Before accept, ws answers the handshake with a plain HTTP status and closes. */
  #refuse(status: number): void {
    const verdict = this.#verdict
    this.#verdict = null
    verdict?.(false, status)
  }

  #returned(): void {
    const state = this.#conversation.state
    if (state === 'connecting' || state === 'handshake') this.#refuse(403)
    else if (state === 'open' && this.#gone === null) this.#peer!.close(1000, '')
    else if (state === 'responding') this.#endDenial()
    this.#appDone()
  }

  /** A denial response the app left unfinished: cut when its head went out, else a 500 in its place. */
  #endDenial(): void {
    if (this.#denial!.started) this.#denial!.cut()
    else this.#denial!.plain(500, 'Internal Server Error')
  }

  #failed(error: unknown): void {
    if (!(error instanceof WebSocketClosedError)) {
      this.#host.logger.error(`tsgi: websocket ${this.scope.rawPath}: the app failed`, error)
    }
    const state = this.#conversation.state
    if (state === 'connecting' || state === 'handshake') this.#refuse(500)
    else if (state === 'open' && this.#gone === null) this.#peer!.close(1011, '')
    else if (state === 'responding') this.#endDenial()
    this.#appDone()
  }

  #appDone(): void {
    this.#appReturned = true
    this.#maybeFinished()
  }

  #maybeFinished(): void {
    if (this.#appReturned && this.#socketClosed) this.#host.finished(this)
  }
}
