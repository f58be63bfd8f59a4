// How many of something (sessions, GET streams) each client address holds. The address is
// `scope.client`'s, which behind `trustProxy` is the forwarded one: the proxy's own address
// would put every client in one bucket. An IPv6 client counts by its /64 (see clientGroup). A
// request with no address shares the '' bucket.

import { clientGroup } from '../node/client-group.ts'
import type { HttpScope } from '../protocol/types.ts'

export function clientOf(scope: HttpScope): string {
  const address = scope.client?.[0]
  return address === undefined ? '' : clientGroup(address)
}

export class ClientCounts {
  readonly #counts = new Map<string, number>()
  readonly #limit: number

  constructor(limit: number) {
    this.#limit = limit
  }

  held(client: string): number {
    return this.#counts.get(client) ?? 0
  }

  atLimit(client: string): boolean {
    return this.held(client) >= this.#limit
  }

  /** Counts one more for `client` unless it is at the limit; false then. */
  take(client: string): boolean {
    const held = this.held(client)
    if (held >= this.#limit) return false
    this.#counts.set(client, held + 1)
    return true
  }

  add(client: string): void {
    this.#counts.set(client, this.held(client) + 1)
  }

  /** One fewer; an address that holds nothing is forgotten, so the map stays as small as the live set. */
  release(client: string): void {
    const held = this.held(client) - 1
    if (held > 0) this.#counts.set(client, held)
    else this.#counts.delete(client)
  }
}
