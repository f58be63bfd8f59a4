// The node responses whose app is still running under an embedding, so that its drain can
// reach them. A Set did this first and showed in the profile: under a load of pipelined
// requests its table kept responses reachable long enough to be promoted to the old
// generation, so every request paid in mark-compacts. Here each response has a link, held by
// the request's own run until it settles; adding and removing touch two neighbours and
// allocate one small record. The link is not stored on the response: a property added to a
// ServerResponse after Node built it costs a property store that grows the object each time.

import type { ServerResponse } from 'node:http'

/** One response in the list; handed back to remove() by whoever added it. */
export interface Link {
  readonly res: ServerResponse
  prev: Link | null
  next: Link | null
  /** False once removed, so a second remove() leaves the list alone. */
  linked: boolean
}

export class InflightResponses {
  #head: Link | null = null

  add(res: ServerResponse): Link {
    const link: Link = { res, prev: null, next: this.#head, linked: true }
    if (this.#head !== null) this.#head.prev = link
    this.#head = link
    return link
  }

  /** Takes the link's response out; one already taken out is left alone. */
  remove(link: Link): void {
    if (!link.linked) return
    link.linked = false
    if (link.prev === null) this.#head = link.next
    else link.prev.next = link.next
    if (link.next !== null) link.next.prev = link.prev
  }

  /** The responses in the list, newest first: a copy, so the caller may remove while it walks. */
  list(): ServerResponse[] {
    const open: ServerResponse[] = []
    for (let link = this.#head; link !== null; link = link.next) open.push(link.res)
    return open
  }
}
