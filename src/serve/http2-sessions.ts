// The HTTP/2 sessions of serve()'s listener, and what node:http does for HTTP/1.1 sockets done
// here for them: node:http2 enforces none of serve()'s timeouts and its server's close() waits
// for open sessions without end (node#57611). One session is one connection: it counts against
// maxConnections and the per-client cap (both on the raw socket), and one sweep, not a timer per
// stream, enforces the rest:
// - a session that opened no stream within headersTimeoutMs, or has had none open for
//   keepAliveTimeoutMs, is closed with GOAWAY, as an idle keep-alive socket is;
// - a request whose body has not all arrived within requestTimeoutMs is answered 408;
// - a response with bytes waiting that none have left for writeTimeoutMs has its stream reset.
// At the drain every session gets GOAWAY (streams in flight finish, idle sessions close at once,
// new streams are refused) and whatever remains at the deadline is destroyed. A session that is
// over has its socket destroyed once node has written its last byte, without waiting on the client.

import type { Http2ServerRequest, Http2ServerResponse, Http2Session, ServerHttp2Stream } from 'node:http2'
import { constants } from 'node:http2'
import type { Server as NetServer, Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

import { plainAnswer } from '../node/response.ts'

export interface Http2Limits {
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  writeTimeoutMs: number
  checkEveryMs: number
}

interface SessionWatch {
  open: number
  /** When the session last had no stream open (its start, at first). */
  idleSince: number
  used: boolean
}

interface RequestWatch {
  req: Http2ServerRequest
  since: number
  /** Its body is known to have arrived whole: no more request timeout to check. */
  arrived: boolean
  waiting: number
  waitingSince: number
}

/**
 * The client sent its whole request (END_STREAM seen), whether or not the app read it: what
 * node:http's parser reports as `complete`; the compatibility request's own `complete` waits
 * until the app consumed the body.
 */
function bodyArrived(req: Http2ServerRequest): boolean {
  if (req.complete) return true
  const stream = req.stream
  return stream.endAfterHeaders || stream.destroyed || stream.state.remoteClose === 1
}

export class Http2Sessions {
  readonly #sessions = new Map<Http2Session, SessionWatch>()
  readonly #requests = new Map<Http2ServerResponse, RequestWatch>()
  /**
   * The sockets under the sessions. A session closed gracefully (GOAWAY, streams done) only
   * ends its socket and waits for the client to close its side: a client that never does would
   * hold the server's close() for good, and the session hands out no way to destroy it.
   */
  readonly #sockets = new Set<Socket>()
  readonly #limits: Http2Limits
  #draining = false
  #timer: NodeJS.Timeout | null = null

  /** Sessions run on TLS sockets when `secure` (the ones that chose h2 by ALPN), else on every TCP socket. */
  constructor(server: NetServer, limits: Http2Limits, secure: boolean) {
    this.#limits = limits
    const socketEvent = secure ? 'secureConnection' : 'connection'
    // After the app's own 'request' listener: it has started, the response is watched from now.
    const watch = (req: Http2ServerRequest, res: Http2ServerResponse): void => {
      if (req.httpVersionMajor === 2) this.#track(req, res)
    }
    server.on('request', watch)
    server.on('checkContinue', watch)
    server.on(socketEvent, (socket: Socket) => {
      if (socketEvent === 'secureConnection' && (socket as TLSSocket).alpnProtocol !== 'h2') return
      this.#sockets.add(socket)
      socket.once('close', () => this.#sockets.delete(socket))
    })
    server.on('session', (session: Http2Session) => {
      const watch: SessionWatch = { open: 0, idleSince: performance.now(), used: false }
      this.#sessions.set(session, watch)
      session.on('stream', (stream: ServerHttp2Stream) => {
        watch.open++
        watch.used = true
        stream.once('close', () => {
          if (--watch.open === 0) watch.idleSince = performance.now()
        })
      })
      // A session's errors (a client that vanished mid-frame) are its own; they end it, nothing more.
      session.on('error', () => undefined)
      session.once('close', () => this.#sessions.delete(session))
      // A session that opens after the drain began is told at once to go elsewhere.
      if (this.#draining) session.close()
    })
  }

  /** Open sessions, for tests and logs. */
  get size(): number {
    return this.#sessions.size
  }

  /** Watches one HTTP/2 request until its response closes. */
  #track(req: Http2ServerRequest, res: Http2ServerResponse): void {
    const now = performance.now()
    this.#requests.set(res, { req, since: now, arrived: false, waiting: 0, waitingSince: now })
    res.once('close', () => this.#requests.delete(res))
  }

  start(): void {
    this.#timer = setInterval(() => this.#sweep(), this.#limits.checkEveryMs)
    this.#timer.unref()
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }

  /**
   * GOAWAY to every session, and to every one that opens from now on: clients open their next
   * streams elsewhere, the ones in flight finish. HTTP/2's `Connection: close`.
   */
  closeSessions(): void {
    this.#draining = true
    for (const session of this.#sessions.keys()) session.close()
  }

  /** The drain: GOAWAY to every session; a request still uploading is answered 503, as on HTTP/1.1. */
  goAway(): void {
    this.closeSessions()
    for (const [res, { req }] of this.#requests) {
      if (!bodyArrived(req) && !res.headersSent && !res.writableEnded) {
        res.setHeader('retry-after', '1')
        plainAnswer(res as never, 503, 'Service Unavailable', true)
      }
    }
  }

  /**
   * Destroys the sockets of sessions that are over: node ended them (everything written, FIN
   * sent) and waits for the client's FIN, which a client may never send.
   */
  closeEnded(): void {
    for (const socket of this.#sockets) if (socket.writableFinished) socket.destroy()
  }

  destroyAll(): void {
    for (const session of this.#sessions.keys()) session.destroy()
    for (const socket of this.#sockets) socket.destroy()
  }

  #sweep(): void {
    this.closeEnded()
    const now = performance.now()
    const { headersTimeoutMs, keepAliveTimeoutMs, requestTimeoutMs, writeTimeoutMs } = this.#limits
    for (const [session, watch] of this.#sessions) {
      if (watch.open > 0 || session.closed) continue
      if (now - watch.idleSince >= (watch.used ? keepAliveTimeoutMs : headersTimeoutMs)) session.close()
    }
    for (const [res, watch] of this.#requests) {
      if (!watch.arrived && now - watch.since >= requestTimeoutMs) watch.arrived = bodyArrived(watch.req)
      if (!watch.arrived && now - watch.since >= requestTimeoutMs) {
        this.#requests.delete(res)
        // Answered, the stream is reset once the answer is out (plainAnswer's `close`): the
        // client stops uploading, the session goes on. Mid-response, it is cut.
        if (res.headersSent) res.stream.close(constants.NGHTTP2_CANCEL)
        else plainAnswer(res as never, 408, 'Request Timeout', true)
        continue
      }
      const waiting = res.writableLength
      if (waiting === 0 || waiting < watch.waiting) {
        watch.waiting = waiting
        watch.waitingSince = now
      } else if (now - watch.waitingSince >= writeTimeoutMs) {
        this.#requests.delete(res)
        res.stream.close(constants.NGHTTP2_CANCEL)
      } else watch.waiting = waiting
    }
  }
}
