// Process signals for serve(): the first starts the graceful shutdown, the second forces exit.
// The second is handled by swapping listeners (as close-with-grace does), not by a flag read
// everywhere.

import { constants } from 'node:os'

export interface SignalHandlers {
  /** Removes every listener this installed; safe to call twice. */
  uninstall(): void
}

/** The exit code of a process ended by `signal`: 128 + its number, as shells report it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0)
}

/**
 * Within this long after the first signal, the same signal again is the same keypress, not a
 * second one. A terminal's Ctrl-C reaches every process of the group, and a launcher in it
 * relays the signal once more: tsx sends it on to its child unless the child reported it
 * within 30 ms, which a busy event loop misses; npm forwards it too. A person's second Ctrl-C,
 * pressed because the first seemed slow, comes later than this.
 */
export const SAME_KEYPRESS_MS = 250

export function onSignals(
  signals: readonly NodeJS.Signals[],
  first: (signal: NodeJS.Signals) => void,
  second: (signal: NodeJS.Signals) => void,
): SignalHandlers {
  let firstSignal: NodeJS.Signals | null = null
  let firstAt = 0
  const onSecond = (signal: NodeJS.Signals): void => {
    if (signal === firstSignal && performance.now() - firstAt < SAME_KEYPRESS_MS) return
    second(signal)
  }
  const onFirst = (signal: NodeJS.Signals): void => {
    firstSignal = signal
    firstAt = performance.now()
    for (const s of signals) {
      process.off(s, onFirst)
      process.on(s, onSecond)
    }
    first(signal)
  }
  for (const s of signals) process.on(s, onFirst)
  return {
    uninstall() {
      for (const s of signals) {
        process.off(s, onFirst)
        process.off(s, onSecond)
      }
    },
  }
}
