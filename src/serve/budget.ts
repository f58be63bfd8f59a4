// The worst case of a shutdown, from the signal to the exit, and the warning when it does not
// fit the grace period the orchestrator allows (Kubernetes: terminationGracePeriodSeconds, 30
// by default, then SIGKILL). Each part is bounded by its own option, so the sum is a bound.

import type { RunnerConfig } from '../lifecycle/host.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import { readServeOptions, type ServeOptions } from './options.ts'

/** Headroom under the grace period for the exit itself and the kubelet's own delays. */
const GRACE_MARGIN_MS = 2_000

/**
 * The longest a shutdown of `serve(app, options)` can take, in milliseconds:
 * `shutdownDelayMs + drainTimeoutMs + shutdownTimeoutMs × steps`, where the steps are the
 * onShutdown hooks, the lifespan teardowns and the app's own shutdown. Env variables count as
 * serve() reads them (TSGI_SHUTDOWN_DELAY_MS). Throws InvalidArgumentError for bad options.
 * @example
 * // 5 000 (delay) + 10 000 (drain) + 5 000 × 2 (one hook, the app) = 25 000: fits a 30 s grace period
 * shutdownBudgetMs({ shutdownDelayMs: 5_000, onShutdown: [async () => flushMetrics()] })
 */
export function shutdownBudgetMs(options: ServeOptions = {}, env: NodeJS.ProcessEnv = process.env): number {
  return budgetOf(readServeOptions(options, env))
}

export function budgetOf(config: RunnerConfig): number {
  return config.shutdownDelayMs + config.drainTimeoutMs + config.shutdownTimeoutMs * shutdownSteps(config)
}

function shutdownSteps(config: RunnerConfig): number {
  return config.onShutdown.length + config.lifespan.length + 1
}

/** One warning, naming the numbers, when env TSGI_GRACE_PERIOD_S is set and the budget passes it. */
export function warnPastGracePeriod(config: RunnerConfig, env: NodeJS.ProcessEnv = process.env): void {
  const raw = env.TSGI_GRACE_PERIOD_S
  if (raw === undefined || raw === '') return
  const seconds = Number(raw)
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(`serve(): env TSGI_GRACE_PERIOD_S must be a positive number of seconds, got '${raw}'`)
  }
  const budget = budgetOf(config)
  const limit = seconds * 1_000 - GRACE_MARGIN_MS
  if (budget <= limit) return
  const steps = shutdownSteps(config)
  config.logger.warn(
    `tsgi: the shutdown can take ${budget} ms (shutdownDelayMs ${config.shutdownDelayMs} + drainTimeoutMs ${config.drainTimeoutMs}` +
      ` + shutdownTimeoutMs ${config.shutdownTimeoutMs} × ${steps} steps), more than TSGI_GRACE_PERIOD_S ${seconds} s minus 2 s` +
      ` (${limit} ms); past the grace period the process is killed mid-shutdown: lower the timeouts or raise the grace period`,
  )
}
