// serve()'s composed lifecycle as data: phase × event → next phase and the sequence to run.
// serve.ts performs the sequences; this file decides what may happen when, and publishes every
// transition and step outcome on diagnostics_channel so tests, the conformance suite and
// telemetry read one trace.

import diagnostics from 'node:diagnostics_channel'

import { ProtocolError } from '../protocol/errors.ts'

export type Phase = 'starting' | 'running' | 'delaying' | 'draining' | 'stopping' | 'stopped' | 'failed'

export type LifecycleEvent =
  /** Every startup step completed and the server listens. */
  | 'started'
  /** A startup step failed (or the port could not be bound): undo what started. */
  | 'startup-failed'
  /** close() or a signal while starting: the running step finishes, the rest is skipped. */
  | 'interrupted'
  /** close() or the first signal while running, with no shutdown delay. */
  | 'close'
  /** close() or the first signal while running, with a shutdown delay: readiness goes first. */
  | 'close-delayed'
  /** The shutdown delay passed: load balancers have stopped routing here. */
  | 'delayed'
  /** The drain finished (or its time ran out). */
  | 'drained'
  /** The shutdown sequence finished, whatever its outcome. */
  | 'shutdown-done'
  /** The cleanup after a failed startup finished. */
  | 'rollback-done'

/** What serve() runs on entering a phase. */
export type Sequence = 'delay' | 'drain' | 'shutdown' | 'none'

export interface Transition {
  to: Phase
  run: Sequence
}

/**
 * A pair missing from the table cannot happen; asking for it is a bug in serve(), reported as
 * a ProtocolError. `close` during delaying, draining or stopping is not a transition: later
 * callers join the shutdown already running. `delaying` is entered only when the shutdown has a
 * delay (shutdownDelayMs > 0), so a Ctrl-C without one goes straight to the drain.
 */
export const lifecycleTransitions: Readonly<Record<Phase, Readonly<Partial<Record<LifecycleEvent, Transition>>>>> = {
  starting: {
    started: { to: 'running', run: 'none' },
    'startup-failed': { to: 'stopping', run: 'shutdown' },
    interrupted: { to: 'stopping', run: 'shutdown' },
  },
  running: { close: { to: 'draining', run: 'drain' }, 'close-delayed': { to: 'delaying', run: 'delay' } },
  delaying: { delayed: { to: 'draining', run: 'drain' } },
  draining: { drained: { to: 'stopping', run: 'shutdown' } },
  stopping: { 'shutdown-done': { to: 'stopped', run: 'none' }, 'rollback-done': { to: 'failed', run: 'none' } },
  stopped: {},
  failed: {},
}

export type StepKind = 'app' | 'lifespan' | 'onStartup' | 'listen' | 'delay' | 'drain' | 'onShutdown' | 'teardown' | 'app-shutdown'
export type Outcome = 'enter' | 'start' | 'ok' | 'error' | 'timeout' | 'skipped'

/** One event of the trace: all five keys, always. */
export interface LifecycleTrace {
  phase: Phase
  step: 'phase' | StepKind
  name: string
  outcome: Outcome
  ms: number
}

export const lifecycleChannel = diagnostics.channel('tsgi:lifecycle')

export class Lifecycle {
  #phase: Phase = 'starting'
  readonly #since: number

  constructor(since = performance.now()) {
    this.#since = since
    this.#publish('phase', 'starting', 'enter')
  }

  get phase(): Phase {
    return this.#phase
  }

  /** Moves to the next phase by the table and says which sequence to run. */
  apply(event: LifecycleEvent): Transition {
    const transition = lifecycleTransitions[this.#phase][event]
    if (transition === undefined) {
      throw new ProtocolError(`lifecycle: event '${event}' is not allowed in phase '${this.#phase}'`, this.#phase, event)
    }
    this.#phase = transition.to
    this.#publish('phase', transition.to, 'enter')
    return transition
  }

  /** Publishes one step's outcome, under the phase in force. */
  step(step: StepKind, name: string, outcome: Exclude<Outcome, 'enter'>): void {
    this.#publish(step, name, outcome)
  }

  #publish(step: LifecycleTrace['step'], name: string, outcome: Outcome): void {
    if (!lifecycleChannel.hasSubscribers) return
    const event: LifecycleTrace = { phase: this.#phase, step, name, outcome, ms: performance.now() - this.#since }
    lifecycleChannel.publish(event)
  }
}
