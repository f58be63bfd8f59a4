// What the lifecycle runner needs from its host and its options, and how a shutdown begins.

import type { TimingFrame } from '../lifespan/timings.ts'
import type { AppState, LifespanFn, LifespanHook, Logger } from '../protocol/types.ts'

/** Where the app meets the world: a port, or a pair of pipes. */
export interface Host {
  /** Names the opening step in traces and errors: 'listen', 'stdio'. */
  readonly listenName: string
  readonly listening: boolean
  /**
   * Opens the door; `state` is the lifespan state, for hosts that build servers from it;
   * `timing` the step's frame, for hosts whose opening has parts worth timing (a cluster's workers).
   */
  listen(state: AppState, timing: TimingFrame): Promise<void>
  /** Stops taking work and lets in-flight work finish within `timeoutMs`; 'timeout' when it was cut. */
  drain(timeoutMs: number, timing: TimingFrame): Promise<'ok' | 'timeout'>
  /** Takes no new connections but keeps serving the open ones (a retiring cluster worker). */
  stopAccepting?(): void
}

/** How one shutdown begins: close() and the first signal use `shutdownDelayMs` and keep listening. */
export interface ClosePlan {
  /** How long to keep serving (readiness failing, `Connection: close` on every answer) before the drain. */
  delayMs: number
  /** Close the listener when the delay begins instead of when the drain does. */
  stopAccepting: boolean
}

export interface RunnerConfig {
  onStartup: LifespanHook[]
  onShutdown: LifespanHook[]
  lifespan: LifespanFn[]
  startupTimeoutMs: number
  shutdownTimeoutMs: number
  drainTimeoutMs: number
  /** Time between close() (or the first signal) and the drain; 0 skips the `delaying` phase. */
  shutdownDelayMs: number
  signals: NodeJS.Signals[]
  logger: Logger
  logDetails: boolean
  /** Draw the startup tree in the log once started, and the shutdown tree once stopped. */
  logTimings: boolean
}
