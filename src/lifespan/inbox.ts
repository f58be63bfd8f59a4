// The app's side of a lifespan conversation's inbound half: what the driver delivers, the
// `receive` the app calls, and what it has taken so far. Whether an app took lifespan.startup
// before it threw is what tells "unsupported" from "failed", so the inbox keeps count.
// A message counts as received when the app takes it, not when the driver queues it: the
// conversation advances then (`onTaken`), so a protocol error names the state the app is in.

import type { LifespanReceiveMessage, ReceiveMessage } from '../protocol/types.ts'

export class LifespanInbox {
  readonly #queued: LifespanReceiveMessage[] = []
  readonly #waiting: Array<(message: LifespanReceiveMessage) => void> = []
  #taken: 'nothing' | LifespanReceiveMessage['type'] = 'nothing'
  readonly #onTaken: (message: LifespanReceiveMessage) => void

  constructor(onTaken: (message: LifespanReceiveMessage) => void = () => {}) {
    this.#onTaken = onTaken
  }

  /** The type of the last message the app received, or 'nothing'. */
  get taken(): 'nothing' | LifespanReceiveMessage['type'] {
    return this.#taken
  }

  deliver(message: LifespanReceiveMessage): void {
    const waiter = this.#waiting.shift()
    if (waiter === undefined) this.#queued.push(message)
    else waiter(message)
  }

  readonly receive = (): Promise<ReceiveMessage> => {
    const next = this.#queued.shift()
    if (next !== undefined) return Promise.resolve(this.#take(next))
    // Nothing more is coming until the driver sends it; an app waiting here after the
    // conversation ended simply waits, as under any ASGI server.
    return new Promise((resolve) => {
      this.#waiting.push((message) => resolve(this.#take(message)))
    })
  }

  #take(message: LifespanReceiveMessage): LifespanReceiveMessage {
    this.#onTaken(message)
    this.#taken = message.type
    return message
  }
}
