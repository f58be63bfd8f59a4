// What the session table may hold: a count, bytes, and a share per client address. A session
// is charged from the moment its initialize is let in (a reservation) until it is forgotten,
// so that initializations in flight count as much as filed sessions do.

import { ClientCounts } from './client-counts.ts'

/**
 * What a session costs beyond what its client sent: the server, the transport and their
 * handlers, measured at about 25 KiB of heap per idle session (test/mcp-budgets.test.ts), rounded up.
 */
export const SESSION_BASE_BYTES = 32 * 1024

/**
 * A session's charge: the fixed part plus twice the JSON size of what the client declared
 * (`clientInfo`, `capabilities`), which the SDK keeps parsed for the session's life; parsed
 * objects and strings take about twice their JSON text.
 */
export function sessionCharge(declaredBytes: number): number {
  return SESSION_BASE_BYTES + 2 * declaredBytes
}

export interface BudgetLimits {
  maxSessions: number
  maxBytes: number
  maxPerClient: number
}

/** One session's claim on the budget; released once, however the session ends. */
export interface Reservation {
  readonly client: string
  readonly bytes: number
  released: boolean
}

export class SessionBudget {
  readonly #limits: BudgetLimits
  readonly #perClient: ClientCounts
  readonly #onRelease: ((client: string) => void) | undefined
  #count = 0
  #bytes = 0

  /** `onRelease` hears of every reservation given back (a machine-wide tally counts them too). */
  constructor(limits: BudgetLimits, onRelease?: (client: string) => void) {
    this.#limits = limits
    this.#perClient = new ClientCounts(limits.maxPerClient)
    this.#onRelease = onRelease
  }

  get bytes(): number {
    return this.#bytes
  }

  /** Whether one more session of `bytes` would pass the whole table's count or bytes. */
  fits(bytes: number): boolean {
    return this.#count < this.#limits.maxSessions && this.#bytes + bytes <= this.#limits.maxBytes
  }

  /** Whether no emptying of the table could ever make room for a session this large. */
  tooLarge(bytes: number): boolean {
    return bytes > this.#limits.maxBytes
  }

  clientAtCap(client: string): boolean {
    return this.#perClient.atLimit(client)
  }

  reserve(client: string, bytes: number): Reservation {
    this.#count++
    this.#bytes += bytes
    this.#perClient.add(client)
    return { client, bytes, released: false }
  }

  release(reservation: Reservation): void {
    if (reservation.released) return
    reservation.released = true
    this.#count--
    this.#bytes -= reservation.bytes
    this.#perClient.release(reservation.client)
    this.#onRelease?.(reservation.client)
  }
}
