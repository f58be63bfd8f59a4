// Messages from the client that the app has not received yet. Past `limitBytes` of them,
// reading from the client pauses (TCP pushes back on it) until the app catches up: memory per
// connection stays bounded however slowly the app receives.

import { ProtocolError } from '../protocol/errors.ts'
import type { WebSocketReceiveMessage } from '../protocol/types.ts'

export interface Flow {
  pause(): void
  resume(): void
}

export class Inbox {
  readonly #queue: WebSocketReceiveMessage[] = []
  readonly #limitBytes: number
  readonly #flow: Flow
  #bytes = 0
  #paused = false
  #waiting: ((message: WebSocketReceiveMessage) => void) | null = null

  constructor(limitBytes: number, flow: Flow, first: WebSocketReceiveMessage) {
    this.#limitBytes = limitBytes
    this.#flow = flow
    this.#queue.push(first)
  }

  push(message: WebSocketReceiveMessage, size: number): void {
    if (this.#waiting !== null) {
      const waiting = this.#waiting
      this.#waiting = null
      waiting(message)
      return
    }
    this.#queue.push(message)
    this.#bytes += size
    if (!this.#paused && this.#bytes > this.#limitBytes) {
      this.#paused = true
      this.#flow.pause()
    }
  }

  /** The oldest message, or undefined when none waits. */
  take(): WebSocketReceiveMessage | undefined {
    const message = this.#queue.shift()
    if (message?.type === 'websocket.receive') this.#bytes -= message.bytes?.length ?? Buffer.byteLength(message.text!)
    if (this.#paused && this.#bytes <= this.#limitBytes) {
      this.#paused = false
      this.#flow.resume()
    }
    return message
  }

  /** The next message pushed; one receive() at a time. */
  next(): Promise<WebSocketReceiveMessage> {
    if (this.#waiting !== null) return Promise.reject(new ProtocolError('websocket: receive() called again before the last call resolved'))
    return new Promise((resolve) => {
      this.#waiting = resolve
    })
  }
}
