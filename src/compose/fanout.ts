// The lifespan of a composed app: its own `lifespan` first, then its children one at a time in
// order; shutdown the exact mirror. A failure at startup rolls back what started, in reverse,
// and exactly one final message goes upward each way. Nested routers make this depth-first
// because each child router runs this same code inside its own startup.

import { NO_DEADLINE } from '../lifespan/deadline.ts'
import { LifespanManager } from '../lifespan/manager.ts'
import { functionName, setUpLifespanFn, type RunningLifespanFn } from '../lifespan/lifespan-fn.ts'
import { frameOf, type TimingFrame } from '../lifespan/timings.ts'
import { silentLogger } from '../logging.ts'
import { describeError, originalErrors } from '../protocol/errors.ts'
import { LifespanConversation } from '../protocol/lifespan.ts'
import type { App, LifespanFn, LifespanScope, LifespanSendMessage, Receive, Send } from '../protocol/types.ts'

export interface Child {
  /** The mount path (or route path) that names this child in errors and logs. */
  name: string
  app: App
}

export interface FanoutOptions {
  lifespan?: LifespanFn | undefined
  startupTimeoutMs?: number | undefined
  shutdownTimeoutMs?: number | undefined
}

/** A failure as it travels upward: text for anyone, the original values for in-process callers. */
interface Failure {
  text: string
  error: unknown
  errors: unknown[]
}

/** The text names the child; the values are the originals, so a cause survives any depth of nesting. */
function toFailure(error: unknown): Failure {
  const { cause, errors } = originalErrors(error)
  return { text: describeError(error), error: cause, errors }
}

function failedMessage(type: 'lifespan.startup.failed' | 'lifespan.shutdown.failed', failures: Failure[]): LifespanSendMessage {
  const errors = failures.flatMap((f) => f.errors)
  return {
    type,
    message: failures.map((f) => f.text).join('; '),
    error: failures.find((f) => f.error !== undefined)?.error,
    errors,
  }
}

export function lifespanFanout(children: Child[], options: FanoutOptions = {}) {
  const startupTimeoutMs = options.startupTimeoutMs ?? NO_DEADLINE
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? NO_DEADLINE
  const ownLifespan = options.lifespan

  return async function runLifespan(scope: LifespanScope, receive: Receive, send: Send): Promise<void> {
    const upstream = new LifespanConversation()
    const answer = (message: LifespanSendMessage): Promise<void> => {
      upstream.advance(message)
      return send(message)
    }
    const logger = scope.logger ?? silentLogger
    // Set when a host times this lifespan: the children and the own lifespan become its nodes.
    const frame = frameOf(scope)
    upstream.advance(await receive())

    let own: { name: string; running: RunningLifespanFn } | null = null
    const started: LifespanManager[] = []
    let failure: Failure | null = null
    if (ownLifespan !== undefined) {
      const name = `lifespan ${functionName(ownLifespan)}`
      const setUp = () => setUpLifespanFn(ownLifespan, { name, state: scope.state, logger, startupTimeoutMs })
      try {
        own = { name, running: await (frame === undefined ? setUp() : frame.time(name, setUp)) }
      } catch (error) {
        failure = toFailure(error)
      }
    }
    for (const child of failure === null ? children : []) {
      const manager = new LifespanManager(child.app, {
        name: child.name,
        state: scope.state,
        logger,
        draining: scope.draining,
        startupTimeoutMs,
        shutdownTimeoutMs,
        timing: frame,
      })
      try {
        await manager.startup()
        started.push(manager)
      } catch (error) {
        failure = toFailure(error)
        break
      }
    }

    if (failure !== null) {
      // Rollback errors are attached to the startup failure, never put in its place.
      const rollback = await stopAll(started, own, shutdownTimeoutMs, frame)
      await answer(failedMessage('lifespan.startup.failed', [failure, ...rollback]))
      return
    }
    await answer({ type: 'lifespan.startup.complete' })

    upstream.advance(await receive())
    const failures = await stopAll(started, own, shutdownTimeoutMs, frame)
    await answer(failures.length === 0 ? { type: 'lifespan.shutdown.complete' } : failedMessage('lifespan.shutdown.failed', failures))
  }
}

/** Children in reverse, then the own teardown; every step is attempted, every failure kept. */
async function stopAll(
  started: LifespanManager[],
  own: { name: string; running: RunningLifespanFn } | null,
  timeoutMs: number,
  frame: TimingFrame | undefined,
): Promise<Failure[]> {
  const failures: Failure[] = []
  for (let i = started.length - 1; i >= 0; i--) {
    try {
      await started[i]!.shutdown()
    } catch (error) {
      failures.push(toFailure(error))
    }
  }
  if (own !== null) {
    try {
      const tearDown = () => own.running.teardown(timeoutMs)
      await (frame === undefined ? tearDown() : frame.time(own.name, tearDown))
    } catch (error) {
      failures.push(toFailure(error))
    }
  }
  return failures
}
