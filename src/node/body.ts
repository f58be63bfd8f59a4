// A request body read on demand: nothing is read until the app asks, one chunk per ask, so the
// socket's own flow control (Node pauses it when the request buffer is full) is the body's
// back-pressure. The limit is checked as bytes arrive; the chunk that crosses it is never
// delivered.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { HttpDisconnect, HttpReceiveMessage, HttpRequest } from '../protocol/types.ts'
import { cancelStream, isHttp2 } from './http2-exchange.ts'

export const EMPTY_BODY: Uint8Array = Object.freeze(new Uint8Array(0)) as Uint8Array

/** One shared value: the message carries no data, and apps only read its `type`. */
export const DISCONNECT: HttpDisconnect = Object.freeze({ type: 'http.disconnect' })

const enum State {
  Reading,
  Done,
  Gone,
  TooLarge,
}

/**
 * Told when the body passes its limit: the exchange itself, so that no closure is built for a
 * call most requests never make.
 */
export interface BodyLimitWatch {
  bodyTooLarge(): void
}

export class RequestBody {
  readonly #req: IncomingMessage
  readonly #limit: number
  readonly #watch: BodyLimitWatch
  #state = State.Reading
  #received = 0
  #waiter: ((message: HttpReceiveMessage) => void) | null = null
  #listening = false

  constructor(req: IncomingMessage, limit: number, watch: BodyLimitWatch) {
    this.#req = req
    this.#limit = limit
    this.#watch = watch
  }

  /** Whether the last http.request went out (or never will: the client left, the limit hit). */
  get finished(): boolean {
    return this.#state !== State.Reading
  }

  /** Whether the request ended without its whole body: the client left or the limit was hit. */
  get cut(): boolean {
    return this.#state === State.Gone || this.#state === State.TooLarge
  }

  /** The next http.request while the body lasts; http.disconnect once it was cut. */
  next(): Promise<HttpReceiveMessage> {
    if (this.#state !== State.Reading) return Promise.resolve(this.#state === State.Done ? lastMessage() : DISCONNECT)
    const req = this.#req
    if (req.destroyed && !req.complete) {
      this.#state = State.Gone
      return Promise.resolve(DISCONNECT)
    }
    const chunk = req.read() as Buffer | null
    if (chunk !== null) return Promise.resolve(this.#deliver(chunk))
    if (this.#ended()) {
      this.#state = State.Done
      return Promise.resolve(lastMessage())
    }
    this.#listen()
    return new Promise((resolve) => {
      this.#waiter = resolve
    })
  }

  /**
   * The response is over but the body is not: read the rest into the void so the connection
   * can carry the next request (Node only does this itself for bodies nobody started reading).
   * The limit still holds: past it the connection is closed once the response has flushed.
   * A receive() still waiting learns that the exchange is over.
   */
  discardRest(): void {
    if (this.#state !== State.Reading) return
    this.#state = State.Done
    this.#settle(DISCONNECT)
    const req = this.#req
    // A 'readable' listener keeps the stream paused; resume() only flows without one.
    req.removeAllListeners('readable')
    req.on('data', (chunk: Buffer) => {
      this.#received += chunk.byteLength
      if (this.#received <= this.#limit) return
      req.pause()
      if (isHttp2(req)) cancelStream(req)
      else req.socket.destroySoon()
    })
    req.on('error', ignore)
    req.resume()
  }

  #ended(): boolean {
    // `complete` is set when the parser saw the end of the message, before the stream emits
    // 'end'; with nothing left in the buffer, the chunk just read was the last one.
    return this.#req.complete && this.#req.readableLength === 0
  }

  #deliver(chunk: Buffer): HttpReceiveMessage {
    this.#received += chunk.byteLength
    if (this.#received > this.#limit) {
      this.#state = State.TooLarge
      this.#req.removeAllListeners('readable')
      this.#req.pause()
      this.#watch.bodyTooLarge()
      return DISCONNECT
    }
    const moreBody = !this.#ended()
    if (!moreBody) this.#state = State.Done
    const message: HttpRequest = { type: 'http.request', body: chunk, moreBody }
    return message
  }

  #settle(message: HttpReceiveMessage): void {
    const waiter = this.#waiter
    if (waiter === null) return
    this.#waiter = null
    waiter(message)
  }

  #listen(): void {
    if (this.#listening) return
    this.#listening = true
    const req = this.#req
    req.on('readable', () => {
      if (this.#waiter === null || this.#state !== State.Reading) return
      const chunk = req.read() as Buffer | null
      if (chunk !== null) this.#settle(this.#deliver(chunk))
      else if (this.#ended()) this.#finish()
    })
    req.on('end', () => {
      if (this.#state === State.Reading && this.#waiter !== null) this.#finish()
    })
    // 'close' without the whole body means the client went away mid-request.
    req.on('close', () => {
      if (this.#state !== State.Reading || req.complete) return
      this.#state = State.Gone
      this.#settle(DISCONNECT)
    })
    // An aborted request is destroyed with an error; the 'close' above reports it to the app.
    req.on('error', ignore)
  }

  #finish(): void {
    this.#state = State.Done
    this.#settle(lastMessage())
  }
}

/** The message that closes a body: no bytes, nothing more. */
/**
 * After the body: resolves with http.disconnect once the response is over or the client left.
 * A response queued behind another on a pipelined socket gets no 'close' of its own when the
 * socket goes (Node only closes the one at the head), so the socket's 'close' counts too.
 */
export function untilDisconnect(res: ServerResponse): Promise<HttpDisconnect> {
  // Hosts that inject requests (light-my-request) may give a response without a real socket.
  const socket = (res.req as IncomingMessage | undefined)?.socket as Socket | null | undefined
  if (res.closed || res.writableFinished || socket?.destroyed === true) return Promise.resolve(DISCONNECT)
  const watched = socket != null && typeof socket.once === 'function' ? socket : null
  return new Promise((resolve) => {
    const gone = (): void => {
      res.off('close', gone)
      if (watched !== null) waitersOf(watched).delete(gone)
      resolve(DISCONNECT)
    }
    res.once('close', gone)
    if (watched !== null) waitersOf(watched).add(gone)
  })
}

/** One 'close' listener per socket, however many pipelined requests wait on it. */
const socketWaiters = new WeakMap<Socket, Set<() => void>>()

function waitersOf(socket: Socket): Set<() => void> {
  let waiters = socketWaiters.get(socket)
  if (waiters === undefined) {
    const created = new Set<() => void>()
    waiters = created
    socketWaiters.set(socket, created)
    socket.once('close', () => {
      for (const gone of [...created]) gone()
    })
  }
  return waiters
}

export function lastMessage(): HttpRequest {
  return { type: 'http.request', body: EMPTY_BODY, moreBody: false }
}

function ignore(): void {}
