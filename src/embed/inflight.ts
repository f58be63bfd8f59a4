// The node responses an embedding has in flight, so that its drain can reach them. A Set did
// this first and showed in the profile: under a load of pipelined requests its table kept
// responses reachable long enough to be promoted to the old generation, so every request paid
// in mark-compacts. Here each response carries its own link, under a symbol, and unlinks
// itself on 'close' through one listener shared by all.

import type { ServerResponse } from 'node:http'

const LINK = Symbol('tsgi.inflight')

interface Link {
  readonly res: ServerResponse
  prev: Link | null
  next: Link | null
}

type Linked = ServerResponse & { [LINK]?: Link }

export class InflightResponses {
  #head: Link | null = null
  /** Node calls 'close' listeners with the response as `this`. */
  readonly #onClose = unlinkFrom(this)

  add(res: ServerResponse): void {
    const link: Link = { res, prev: null, next: this.#head }
    if (this.#head !== null) this.#head.prev = link
    this.#head = link
    ;(res as Linked)[LINK] = link
    res.on('close', this.#onClose)
  }

  /** The responses still open, newest first; safe to call while they close. */
  list(): ServerResponse[] {
    const open: ServerResponse[] = []
    for (let link = this.#head; link !== null; link = link.next) open.push(link.res)
    return open
  }

  /** What the shared close listener does for one response. */
  unlink(res: ServerResponse): void {
    const link = (res as Linked)[LINK]
    if (link === undefined) return
    ;(res as Linked)[LINK] = undefined
    if (link.prev === null) this.#head = link.next
    else link.prev.next = link.next
    if (link.next !== null) link.next.prev = link.prev
  }
}

function unlinkFrom(responses: InflightResponses): (this: ServerResponse) => void {
  return function unlinkClosed(this: ServerResponse) {
    responses.unlink(this)
  }
}
