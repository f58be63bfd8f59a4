// The behaviour of one lifespan step of a leaf app, and of hooks and lifespan functions, as
// described by a StepSpec / HookSpec. Shared by every TypeScript scenario app.

import type { HookSpec, StepSpec } from '../scenarios/types.ts'
import type { Recorder } from './trace.ts'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Blocks the event loop on purpose: a CPU-bound startup must not look like a hung one. */
export function busyWait(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // spin
  }
}

export function never(): Promise<never> {
  return new Promise(() => {})
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

function shown(value: unknown): string {
  if (value === undefined) return 'missing'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Records `<prefix>.read.<key>=<value|missing>` for each key the spec asks about. */
export function recordReads(
  prefix: string,
  keys: string[] | undefined,
  state: Record<string, unknown> | undefined,
  record: Recorder,
): void {
  for (const key of keys ?? []) record(`${prefix}.read.${key}=${shown(state?.[key])}`)
}

/**
 * Runs the common front of a step: reads, a blocking wait, an async wait, state writes.
 * Returns how the step should end.
 */
export async function stepFront(
  prefix: string,
  spec: StepSpec | undefined,
  state: Record<string, unknown> | undefined,
  record: Recorder,
): Promise<void> {
  recordReads(prefix, spec?.reads, state, record)
  if (spec?.blockMs !== undefined) busyWait(spec.blockMs)
  if (spec?.delayMs !== undefined) await sleep(spec.delayMs)
  if (spec?.state !== undefined && state !== undefined) Object.assign(state, spec.state)
}

/**
 * A hook, a router's own setup or teardown, or a lifespan function's part. `event` is what
 * it records when it runs (`hook.onStartup.0`); it records `<event>.throw` before raising and
 * `<event>.aborted` when its signal aborts while it hangs.
 */
export async function runHook(
  event: string,
  spec: HookSpec | undefined,
  ctx: { state?: Record<string, unknown>; signal?: AbortSignal; logger?: unknown },
  record: Recorder,
): Promise<void> {
  record(event)
  if (spec?.inspectContext === true) {
    const keys = [
      ctx.state !== null && typeof ctx.state === 'object' ? 'state' : null,
      ctx.signal instanceof AbortSignal ? 'signal' : null,
      ctx.logger !== null && typeof ctx.logger === 'object' && typeof (ctx.logger as { info?: unknown }).info === 'function'
        ? 'logger'
        : null,
    ].filter((k) => k !== null)
    record(`${event}.ctx=${keys.join(',')}`)
  }
  recordReads(event, spec?.reads, ctx.state, record)
  if (spec?.delayMs !== undefined) await sleep(spec.delayMs)
  if (spec?.state !== undefined && ctx.state !== undefined) Object.assign(ctx.state, spec.state)
  const then = spec?.then ?? 'ok'
  if (then === 'throw') {
    record(`${event}.throw`)
    throw new Error(spec?.message ?? `${event} failed`)
  }
  if (then === 'hang') {
    const signal = ctx.signal
    await new Promise<void>((resolve) => {
      if (signal === undefined) return
      if (signal.aborted) return resolve()
      signal.addEventListener('abort', () => resolve(), { once: true })
    })
    record(`${event}.aborted`)
  }
}

/** Gives a function the name a scenario asks for, so step names and logs show it. */
export function named<T extends (...args: never[]) => unknown>(fn: T, name: string | undefined): T {
  if (name !== undefined) Object.defineProperty(fn, 'name', { value: name })
  return fn
}
