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

export function onSignals(
  signals: readonly NodeJS.Signals[],
  first: (signal: NodeJS.Signals) => void,
  second: (signal: NodeJS.Signals) => void,
): SignalHandlers {
  const onSecond = (signal: NodeJS.Signals): void => second(signal)
  const onFirst = (signal: NodeJS.Signals): void => {
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
