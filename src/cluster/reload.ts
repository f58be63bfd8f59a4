// The rolling reload: one slot at a time, fork the replacement, wait until it is ready (its
// admission retires the old worker), then the next slot. N to N + 1 workers listen throughout:
// the old one stops taking connections only once its replacement does. A replacement that
// fails its startup stops the reload; the old workers that are left keep serving.

import { ServerClosedError } from '../protocol/errors.ts'
import type { Exit, Member } from './member.ts'

/** What the reload needs from the pool. */
export interface ReloadSlots {
  readonly count: number
  /** False once the server began shutting down: the reload stops between slots. */
  stillReloading(): boolean
  current(slot: number): Member | null
  /** Forks a replacement for `slot`; once ready it takes the slot and the old worker retires. */
  replace(slot: number): Member
  publish(slot: number | null, step: 'start' | 'replaced' | 'done' | 'aborted'): void
}

export async function rollingReload(slots: ReloadSlots): Promise<void> {
  slots.publish(null, 'start')
  const retired: Array<Promise<Exit>> = []
  try {
    for (let slot = 0; slot < slots.count; slot++) {
      if (!slots.stillReloading()) throw new ServerClosedError('the server began shutting down; the reload stopped')
      const old = slots.current(slot)
      await slots.replace(slot).ready
      if (old !== null) retired.push(old.exited)
      slots.publish(slot, 'replaced')
    }
  } catch (error) {
    slots.publish(null, 'aborted')
    throw error
  } finally {
    // reload() resolves once the retired workers are gone, so "every worker is new" holds then.
    await Promise.all(retired)
  }
  slots.publish(null, 'done')
}
