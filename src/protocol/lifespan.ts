// The lifespan conversation of one scope, as data. Every piece that sends or receives lifespan
// messages (a router toward its parent, a router toward each child, LifespanManager) walks
// this one table, so a message the spec does not allow fails the same way everywhere.

import { ProtocolError } from './errors.ts'
import type { LifespanReceiveMessage, LifespanSendMessage } from './types.ts'

export type LifespanState = 'awaiting-startup' | 'starting' | 'started' | 'stopping' | 'done'
export type LifespanMessageType = LifespanReceiveMessage['type'] | LifespanSendMessage['type']

/**
 * state × message type → next state. A pair missing from the table is a protocol error.
 * `lifespan.startup` and `lifespan.shutdown` travel server → app; the rest app → server.
 */
export const lifespanTransitions: Readonly<Record<LifespanState, Readonly<Partial<Record<LifespanMessageType, LifespanState>>>>> = {
  'awaiting-startup': { 'lifespan.startup': 'starting' },
  starting: { 'lifespan.startup.complete': 'started', 'lifespan.startup.failed': 'done' },
  started: { 'lifespan.shutdown': 'stopping' },
  stopping: { 'lifespan.shutdown.complete': 'done', 'lifespan.shutdown.failed': 'done' },
  done: {},
}

const knownTypes = new Set<string>(Object.values(lifespanTransitions).flatMap((row) => Object.keys(row)))

/** The next state, or a ProtocolError that names the state and the message type. */
export function nextLifespanState(state: LifespanState, type: unknown): LifespanState {
  const next = typeof type === 'string' ? lifespanTransitions[state][type as LifespanMessageType] : undefined
  if (next !== undefined) return next
  const shown = typeof type === 'string' ? `'${type}'` : `a message without a string type (${typeof type})`
  const reason = typeof type === 'string' && knownTypes.has(type) ? 'is not allowed' : 'is not a lifespan message'
  throw new ProtocolError(`lifespan: ${shown} ${reason} in state '${state}'`, state, String(type))
}

/** One conversation's position in the table; `advance` checks a message and moves on. */
export class LifespanConversation {
  #state: LifespanState = 'awaiting-startup'

  get state(): LifespanState {
    return this.#state
  }

  advance(message: { type?: unknown } | null | undefined): LifespanState {
    const type = message !== null && typeof message === 'object' ? message.type : undefined
    this.#state = nextLifespanState(this.#state, type)
    return this.#state
  }
}
