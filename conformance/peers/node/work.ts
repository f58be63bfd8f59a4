// A scenario app's startup and shutdown work as the plain async functions a framework's hooks
// (or a user's own start-up code) call: a function that resolves has completed, one that
// throws has failed. There is no message to answer, so the steps that only the lifespan
// protocol can express (a second answer, returning without one) are never asked of a Node
// peer: the runner skips them (`lifespan-protocol`).

import { busyWait, never, runHook, sleep, stepFront } from '../../apps/steps.ts'
import type { Recorder } from '../../apps/trace.ts'
import type { HookSpec, LeafSpec, RouterSpec, StepSpec } from '../../scenarios/types.ts'

export type State = Record<string, unknown>
export type Work = () => Promise<void>

async function finish(name: string, phase: 'startup' | 'shutdown', spec: StepSpec | undefined, record: Recorder): Promise<void> {
  const then = spec?.then ?? 'complete'
  switch (then) {
    case 'complete':
      record(`${name}.${phase}.complete`)
      return
    case 'fail':
      record(`${name}.${phase}.failed`)
      throw new Error(spec?.message ?? `${name} ${phase} failed`)
    case 'fail-no-message':
      record(`${name}.${phase}.failed`)
      throw new Error()
    case 'throw':
      record(`${name}.${phase}.throw`)
      throw new Error(spec?.message ?? `${name} ${phase} threw`)
    case 'hang':
      record(`${name}.${phase}.hang`)
      return never()
    default:
      throw new Error(`'${then}' needs the lifespan protocol; the runner skips it for Node peers`)
  }
}

/** True when the leaf has startup and shutdown work at all (an HTTP-only app has none). */
export function hasLifecycle(leaf: LeafSpec): boolean {
  return (leaf.lifespan ?? 'on') === 'on'
}

/**
 * What an app without lifecycle work does when the framework loads it: records that it is
 * HTTP-only (`unsupported`) or has nothing to do (`silent`).
 */
export function loadWithoutLifecycle(leaf: LeafSpec, record: Recorder): void {
  if (leaf.blockFirstMs !== undefined) busyWait(leaf.blockFirstMs)
  record(`${leaf.name}.${leaf.lifespan === 'unsupported' ? 'unsupported' : 'silent'}`)
}

/** The leaf's startup work; a crash after startup (afterStartup) runs in the background, unhandled, as a real one would. */
export function startupOf(leaf: LeafSpec, state: State, record: Recorder): Work {
  return async () => {
    if (leaf.blockFirstMs !== undefined) busyWait(leaf.blockFirstMs)
    record(`${leaf.name}.startup`)
    await stepFront(`${leaf.name}.startup`, leaf.startup, state, record)
    await finish(leaf.name, 'startup', leaf.startup, record)
    // A forgotten interval: it must not keep a stopped server's process alive.
    if (leaf.leakTimer === true) setInterval(() => {}, 60_000)
    const after = leaf.afterStartup
    if (after !== undefined) {
      // A background worker started at startup that later ends or crashes: nobody awaits it.
      void sleep(after.delayMs).then(() => {
        record(`${leaf.name}.after-startup.${after.then}`)
        if (after.then === 'throw') throw new Error(after.message ?? `${leaf.name} crashed while running`)
      })
    }
  }
}

export function shutdownOf(leaf: LeafSpec, state: State, record: Recorder): Work {
  return async () => {
    record(`${leaf.name}.shutdown`)
    await stepFront(`${leaf.name}.shutdown`, { ...leaf.shutdown, state: undefined }, state, record)
    await finish(leaf.name, 'shutdown', leaf.shutdown, record)
  }
}

/** A router's own setup and teardown (its `lifespan`): what it yields is merged into state. */
export function routerSetupOf(router: RouterSpec, state: State, record: Recorder): Work {
  const spec = router.lifespan ?? {}
  return async () => {
    await runHook(`${router.name}.setup`, spec.setup, { state }, record)
    if (spec.yields !== undefined) Object.assign(state, spec.yields)
  }
}

export function routerTeardownOf(router: RouterSpec, state: State, record: Recorder): Work {
  return () => runHook(`${router.name}.teardown`, router.lifespan?.teardown, { state }, record)
}

/** A server-level hook (`hook.onStartup.<i>`) or a lifespan function's part (`lifespan.<i>.setup`). */
export function hookOf(event: string, spec: HookSpec | undefined, state: State, record: Recorder, signal?: AbortSignal): Work {
  return () => runHook(event, spec, signal === undefined ? { state } : { state, signal }, record)
}
