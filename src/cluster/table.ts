// The primary's decisions as data: what a worker event means in each mode of the primary,
// and how the mode moves. pool.ts performs the actions; this file decides which one applies,
// the way src/lifecycle/table.ts does for one process.

import { ProtocolError } from '../protocol/errors.ts'

/**
 * booting: the first workers are starting; serving: all of them were ready once; reloading:
 * a rolling reload replaces them one at a time; stopping: every worker was asked to stop.
 */
export type PrimaryMode = 'booting' | 'serving' | 'reloading' | 'stopping' | 'stopped'

export type ModeEvent =
  /** Every first worker reported ready. */
  | 'all-ready'
  /** A first worker failed its startup or died before it was ready. */
  | 'boot-failed'
  | 'reload'
  /** The reload replaced every worker, or was aborted: the old ones that were left keep serving. */
  | 'reload-done'
  /** close(), the first signal, or too many crashes. */
  | 'close'
  | 'all-exited'

export const modeTransitions: Readonly<Record<PrimaryMode, Readonly<Partial<Record<ModeEvent, PrimaryMode>>>>> = {
  booting: { 'all-ready': 'serving', 'boot-failed': 'stopping', close: 'stopping' },
  serving: { reload: 'reloading', close: 'stopping' },
  reloading: { 'reload-done': 'serving', close: 'stopping' },
  stopping: { 'all-exited': 'stopped' },
  stopped: {},
}

export type WorkerEvent =
  /** It finished its startup and listens. */
  | 'ready'
  /** It says its startup failed; its exit follows. */
  | 'startup-failed'
  /** It exited after the primary asked it to (shutdown or retirement). */
  | 'exit-asked'
  /** It exited unasked: a crash, a kill, or the exit after a failed startup. */
  | 'crash'
  /** A reload's replacement exited before it was ready: the reload aborts. */
  | 'replacement-crash'

export type WorkerAction =
  /** One more of the first workers is ready; the boot completes with the last one. */
  | 'count-ready'
  /** The first start failed: stop every worker, then serve() rejects. */
  | 'fail-boot'
  /** Take it into service (a restart or a reload's replacement). */
  | 'admit'
  /** Keep the startup error for the exit that follows. */
  | 'note-failure'
  /** Fork a new one for its slot after the backoff, or give up past maxCrashes. */
  | 'restart'
  /** Reject the reload step waiting for this replacement; the old worker keeps its slot. */
  | 'abort-replacement'
  /** It became ready while the server stops: ask it to stop too. */
  | 'stop-it'
  | 'forget'

export const workerActions: Readonly<Record<PrimaryMode, Readonly<Record<WorkerEvent, WorkerAction>>>> = {
  booting: {
    ready: 'count-ready',
    'startup-failed': 'fail-boot',
    'exit-asked': 'forget',
    crash: 'fail-boot',
    'replacement-crash': 'fail-boot',
  },
  serving: {
    ready: 'admit',
    'startup-failed': 'note-failure',
    'exit-asked': 'forget',
    crash: 'restart',
    'replacement-crash': 'abort-replacement',
  },
  reloading: {
    ready: 'admit',
    'startup-failed': 'note-failure',
    'exit-asked': 'forget',
    crash: 'restart',
    'replacement-crash': 'abort-replacement',
  },
  stopping: {
    ready: 'stop-it',
    'startup-failed': 'note-failure',
    'exit-asked': 'forget',
    crash: 'forget',
    'replacement-crash': 'abort-replacement',
  },
  stopped: {
    ready: 'stop-it',
    'startup-failed': 'forget',
    'exit-asked': 'forget',
    crash: 'forget',
    'replacement-crash': 'forget',
  },
}

export class PrimaryModeMachine {
  #mode: PrimaryMode = 'booting'

  get mode(): PrimaryMode {
    return this.#mode
  }

  apply(event: ModeEvent): PrimaryMode {
    const next = modeTransitions[this.#mode][event]
    if (next === undefined) {
      throw new ProtocolError(`cluster: event '${event}' is not allowed in mode '${this.#mode}'`, this.#mode, event)
    }
    this.#mode = next
    return next
  }

  /** What `event` from a worker calls for in the current mode. */
  action(event: WorkerEvent): WorkerAction {
    return workerActions[this.#mode][event]
  }
}
