// Runs a LifespanFn (an async generator: setup, one yield, teardown) as two bounded steps.
// Routers use it for their own `lifespan`, serve() for each of its `lifespan` functions.

import { withDeadline } from './deadline.ts'
import { InvalidArgumentError, LifespanTimeoutError, ProtocolError } from '../protocol/errors.ts'
import type { AppState, LifespanContext, LifespanFn, Logger } from '../protocol/types.ts'

export interface LifespanFnStep {
  /** Names the step in errors and logs, e.g. `lifespan[0] openPool`. */
  name: string
  state: AppState
  logger: Logger
  startupTimeoutMs: number
}

export interface RunningLifespanFn {
  /** Resumes the generator after its yield; bounded, its signal aborted when the time passes. */
  teardown(timeoutMs: number): Promise<void>
}

/** The name a function shows in step names: its own, or `anonymous`. */
export function functionName(fn: (...args: never[]) => unknown): string {
  return fn.name !== '' ? fn.name : 'anonymous'
}

export async function setUpLifespanFn(fn: LifespanFn, step: LifespanFnStep): Promise<RunningLifespanFn> {
  // One signal for both steps: code that destructured `{ signal }` at the top must see a
  // teardown that overran too.
  const controller = new AbortController()
  const ctx: LifespanContext = { state: step.state, logger: step.logger, signal: controller.signal }
  const iterator = fn(ctx)
  if (iterator === null || typeof iterator !== 'object' || typeof iterator.next !== 'function') {
    throw new InvalidArgumentError(
      `${step.name} must be an async generator function (async function* ...), but it returned ${typeof iterator}`,
    )
  }
  const first = await withDeadline(
    Promise.resolve(iterator.next()),
    step.startupTimeoutMs,
    () => new LifespanTimeoutError('startup', step.name, step.startupTimeoutMs),
    () => controller.abort(),
  )
  // Python's asynccontextmanager says "generator didn't yield": a body that never yields ran its
  // teardown as part of the setup, which is never what was meant.
  if (first.done === true) {
    throw new ProtocolError(
      `${step.name} returned without yielding; a lifespan function sets up, yields once (an object to merge into state, or nothing), then tears down`,
      'setup',
      'return',
    )
  }
  if (first.value !== undefined && (first.value === null || typeof first.value !== 'object')) {
    throw new InvalidArgumentError(`${step.name} yielded ${describeYield(first.value)}; yield an object to merge into state, or nothing`)
  }
  if (first.value !== undefined) Object.assign(step.state, first.value)

  return {
    async teardown(timeoutMs: number): Promise<void> {
      const second = await withDeadline(
        Promise.resolve(iterator.next()),
        timeoutMs,
        () => new LifespanTimeoutError('shutdown', step.name, timeoutMs),
        () => controller.abort(),
      )
      if (second.done !== true) {
        void Promise.resolve(iterator.return?.(undefined)).catch(() => undefined)
        throw new ProtocolError(`${step.name} yielded more than once; a lifespan function yields exactly once`, 'teardown', 'yield')
      }
    },
  }
}

function describeYield(value: unknown): string {
  return value === null ? 'null' : typeof value
}
