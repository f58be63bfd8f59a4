// The node responses whose app is still running under an embedding, so that its drain can
// reach them. A Set did this first and showed in the profile: under a load of pipelined
// requests its table kept responses reachable long enough to be promoted to the old
// generation, so every request paid in mark-compacts. Here each response carries its own link,
// under a symbol; adding and removing touch two neighbours and allocate one small record.

import type { ServerResponse } from 'node:http'

const LINK = Symbol('tsgi.inflight')

interface Link {
  readonly res: ServerResponse
  prev: Link | null
  next: Link | null
}

type Linked = ServerResponse & { [LINK]?: Link | undefined }

export class InflightResponses {
  #head: Link | null = null

  add(res: ServerResponse): void {
    const link: Link = { res, prev: null, next: this.#head }
    if (this.#head !== null) this.#head.prev = link
    this.#head = link
    ;(res as Linked)[LINK] = link
  }

  /** Takes `res` out; a response that is not in the list is left alone. */
  remove(res: ServerResponse): void {
    const link = (res as Linked)[LINK]
    if (link === undefined) return
    ;(res as Linked)[LINK] = undefined
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
