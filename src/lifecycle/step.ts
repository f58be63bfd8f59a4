// One step of serve()'s lifecycle: bounded, traced on the lifecycle channel, and logged by name.
// Logs name the step but not the error's message or stack unless logDetails asks: hook
// closures hold DSNs and tokens, and their errors often quote them.

import { withDeadline } from '../lifespan/deadline.ts'
import type { Lifecycle, StepKind } from './table.ts'
import { LifespanTimeoutError, describeError, type LifespanPhaseName } from '../protocol/errors.ts'
import { functionName } from '../lifespan/lifespan-fn.ts'
import type { AppState, LifespanHook, Logger } from '../protocol/types.ts'
import type { TimingFrame } from '../lifespan/timings.ts'

export interface Step {
  kind: StepKind
  /** `app`, `lifespan[0] openPool`, `onShutdown[1] flush`, …: what traces, logs and errors show. */
  name: string
  phase: LifespanPhaseName
  /** Bounds the step and aborts its signal when passed; `Infinity` for steps that bound themselves. */
  timeoutMs: number
  /** `timing` is the step's own frame: a host can hang what it timed (a cluster's workers) under the step. */
  run(signal: AbortSignal, timing: TimingFrame): Promise<void> | void
  /** The step times itself (a LifespanManager does, so its children nest under it); default false. */
  timesItself?: boolean
}

/** An onStartup or onShutdown hook as a step: named by index and function, given state, signal and logger. */
export function hookStep(
  kind: 'onStartup' | 'onShutdown',
  index: number,
  hook: LifespanHook,
  timeoutMs: number,
  state: AppState,
  logger: Logger,
): Step {
  return {
    kind,
    name: `${kind}[${index}] ${functionName(hook)}`,
    phase: kind === 'onStartup' ? 'startup' : 'shutdown',
    timeoutMs,
    run: (signal) => hook({ state, signal, logger }),
  }
}

export class StepRunner {
  readonly #lifecycle: Lifecycle
  readonly #logger: Logger
  readonly #logDetails: boolean
  readonly #timing: TimingFrame

  constructor(lifecycle: Lifecycle, logger: Logger, logDetails: boolean, timing: TimingFrame) {
    this.#lifecycle = lifecycle
    this.#logger = logger
    this.#logDetails = logDetails
    this.#timing = timing
  }

  /** Runs the step; resolves with its error (or undefined), never rejects. */
  async run(step: Step): Promise<unknown> {
    this.#lifecycle.step(step.kind, step.name, 'start')
    const controller = new AbortController()
    try {
      // The node ends when the step does for the runner: a step past its time is timed to its deadline.
      const bounded = (timing: TimingFrame) =>
        withDeadline(
          Promise.resolve().then(() => step.run(controller.signal, timing)),
          step.timeoutMs,
          () => new LifespanTimeoutError(step.phase, step.name, step.timeoutMs),
          () => controller.abort(),
        )
      await (step.timesItself === true ? bounded(this.#timing) : this.#timing.child(step.name, bounded))
      this.#lifecycle.step(step.kind, step.name, 'ok')
      return undefined
    } catch (error) {
      const timedOut = error instanceof LifespanTimeoutError && error.step === step.name
      this.#lifecycle.step(step.kind, step.name, timedOut ? 'timeout' : 'error')
      this.#report(step, error, timedOut)
      return error ?? new Error(`${step.name} failed with ${String(error)}`)
    }
  }

  skip(kind: StepKind, name: string): void {
    this.#lifecycle.step(kind, name, 'skipped')
  }

  #report(step: Step, error: unknown, timedOut: boolean): void {
    if (timedOut) {
      const fate = step.phase === 'shutdown' ? 'abandoned; shutdown goes on' : 'startup fails'
      this.#logger.error(`tsgi: ${step.phase} step ${step.name} did not finish within ${step.timeoutMs} ms; ${fate}`)
      return
    }
    const kind = error instanceof Error ? error.name : typeof error
    if (this.#logDetails) {
      this.#logger.error(`tsgi: ${step.phase} step ${step.name} failed: ${describeError(error)}`, error)
    } else {
      this.#logger.error(`tsgi: ${step.phase} step ${step.name} failed (${kind}; pass logDetails: true to print its message)`)
    }
  }
}
