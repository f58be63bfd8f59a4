// How long the primary lets a worker take to stop before it kills it: the worker's own worst
// case (its delay, the drain, every shutdown step at its limit), plus a margin for the process
// to exit. Past that, the worker is stuck and the machine's shutdown must not wait for it.

import type { ServeConfig } from '../serve/options.ts'

/** Time for a process whose shutdown finished to flush its output and exit. */
export const EXIT_MARGIN_MS = 1_000

export function workerStopBudgetMs(config: ServeConfig, delayMs: number): number {
  // Each onShutdown hook and lifespan teardown is bounded alone; the app's shutdown is one step.
  const steps = config.onShutdown.length + config.lifespan.length + 1
  return delayMs + config.drainTimeoutMs + config.shutdownTimeoutMs * steps + EXIT_MARGIN_MS
}

/** For a worker asked to stop while it starts: it stops once its startup finished. */
export function workerStartBudgetMs(config: ServeConfig): number {
  // The app, each lifespan setup, each onStartup hook and the listen, each bounded alone.
  const steps = config.onStartup.length + config.lifespan.length + 2
  return config.startupTimeoutMs * steps
}
