// How long the primary lets a worker take to stop before it kills it: the worker's own worst
// case (serve()'s shutdown budget, with the delay the primary asked for), plus a margin for
// the process to exit. Past that, the worker is stuck and the machine must not wait for it.

import { budgetOf } from '../serve/budget.ts'
import type { ServeConfig } from '../serve/options.ts'

/** Time for a process whose shutdown finished to flush its output and exit. */
export const EXIT_MARGIN_MS = 1_000

/** `delayMs`: the worker's shutdownDelayMs for a shutdown, reloadGraceMs for a retirement. */
export function workerStopBudgetMs(config: ServeConfig, delayMs: number): number {
  return budgetOf({ ...config, shutdownDelayMs: delayMs }) + EXIT_MARGIN_MS
}

/** For a worker asked to stop while it starts: it stops once its startup finished. */
export function workerStartBudgetMs(config: ServeConfig): number {
  // The app, each lifespan setup, each onStartup hook and the listen, each bounded alone.
  const steps = config.onStartup.length + config.lifespan.length + 2
  return config.startupTimeoutMs * steps
}
