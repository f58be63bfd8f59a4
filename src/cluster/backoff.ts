// Crash accounting for the restart policy: each slot's delay doubles from initialDelayMs to
// maxDelayMs and goes back to the start once a worker in it stayed up windowMs; more than
// maxCrashes crashes (of any slot) within windowMs mean restarting will not help.

import type { RestartPolicy } from './options.ts'

export class CrashBackoff {
  readonly #policy: RestartPolicy
  readonly #delays = new Map<number, number>()
  /** Crash times, oldest first; never longer than maxCrashes + 1, and older than windowMs dropped. */
  #recent: number[] = []

  constructor(policy: RestartPolicy) {
    this.#policy = policy
  }

  /** Records a crash of `slot` at `now`: the delay before its restart, or null to give up. */
  crashed(slot: number, now: number): number | null {
    const { initialDelayMs, maxDelayMs, maxCrashes, windowMs } = this.#policy
    this.#recent = this.#recent.filter((t) => now - t < windowMs)
    this.#recent.push(now)
    if (this.#recent.length > maxCrashes) return null
    const delay = this.#delays.get(slot) ?? initialDelayMs
    this.#delays.set(slot, Math.min(maxDelayMs, Math.max(1, delay) * 2))
    return delay
  }

  /** A worker in `slot` stayed up windowMs: its next crash waits initialDelayMs again. */
  stayedUp(slot: number): void {
    this.#delays.delete(slot)
  }

  get crashesInWindow(): number {
    return this.#recent.length
  }
}
