// A leaf scenario app: speaks lifespan as its LeafSpec says and HTTP as the shared endpoint
// vocabulary says (endpoints.ts). Every event it records is prefixed with its name.

import type { App, LifespanScope, Receive, Send, SendMessage } from '../../src/index.ts'
import type { LeafSpec, StepSpec } from '../scenarios/types.ts'
import { handleHttp } from './endpoints.ts'
import { handleWebSocket } from './websocket-endpoints.ts'
import { busyWait, describe, never, sleep, stepFront } from './steps.ts'
import type { Recorder } from './trace.ts'

const beforeMessages = {
  'shutdown-complete': { type: 'lifespan.shutdown.complete' },
  'unknown-type': { type: 'lifespan.bogus' },
  'http-response-start': { type: 'http.response.start', status: 200, headers: [] },
} as const

/** Sends and records whether send accepted it; a scenario app never lets a refused send escape. */
async function trySend(name: string, send: Send, message: unknown, record: Recorder): Promise<void> {
  try {
    await send(message as SendMessage)
    record(`${name}.send.ok`)
  } catch (error) {
    record(`${name}.send.error`, describe(error))
  }
}

type StepEnd = 'answered' | 'ended'

/** One lifespan step from the app's side, after it received the step's message. */
async function answer(
  name: string,
  phase: 'startup' | 'shutdown',
  spec: StepSpec | undefined,
  scope: LifespanScope,
  send: Send,
  record: Recorder,
): Promise<StepEnd> {
  await stepFront(`${name}.${phase}`, phase === 'startup' ? spec : { ...spec, state: undefined }, scope.state, record)
  const then = spec?.then ?? 'complete'
  const prefix = `lifespan.${phase}` as const
  switch (then) {
    case 'complete':
    case 'complete-twice':
      record(`${name}.${phase}.complete`)
      await send({ type: `${prefix}.complete` })
      if (then === 'complete-twice') await trySend(name, send, { type: `${prefix}.complete` }, record)
      return 'answered'
    case 'fail':
      record(`${name}.${phase}.failed`)
      await send({ type: `${prefix}.failed`, message: spec?.message ?? `${name} ${phase} failed` })
      return 'ended'
    case 'fail-then-throw':
      record(`${name}.${phase}.failed`)
      await send({ type: `${prefix}.failed`, message: spec?.message ?? `${name} ${phase} failed` })
      record(`${name}.${phase}.throw`)
      throw new Error(`${name} raised after ${phase}.failed`)
    case 'fail-no-message':
      record(`${name}.${phase}.failed`)
      await send({ type: `${prefix}.failed` })
      return 'ended'
    case 'throw':
      record(`${name}.${phase}.throw`)
      throw new Error(spec?.message ?? `${name} ${phase} threw`)
    case 'return':
      record(`${name}.${phase}.return`)
      return 'ended'
    case 'hang':
      record(`${name}.${phase}.hang`)
      return never()
  }
}

export function leafApp(spec: LeafSpec, record: Recorder): App {
  const name = spec.name
  // tsgi's lifespan scope carries the server's draining signal; long-lived responses end on it.
  let draining: AbortSignal | undefined
  return async function leaf(scope, receive: Receive, send: Send): Promise<void> {
    if (scope.type === 'http') return handleHttp(name, scope, receive, send, record, draining)
    if (scope.type === 'websocket') return handleWebSocket(name, scope, receive, send, record)
    draining = scope.draining
    if (spec.inspectScope === true) {
      record(`${name}.scope.type=${scope.type}`)
      record(`${name}.scope.state=${scope.state !== null && typeof scope.state === 'object' ? 'object' : 'missing'}`)
      record(`${name}.scope.version`, scope.tsgi?.version ?? 'missing')
    }
    if (spec.blockFirstMs !== undefined) busyWait(spec.blockFirstMs)
    const mode = spec.lifespan ?? 'on'
    if (mode === 'unsupported') {
      record(`${name}.unsupported`)
      throw new Error(`${name} only speaks HTTP`)
    }
    if (mode === 'silent') {
      record(`${name}.silent`)
      return
    }
    for (const kind of spec.before ?? []) await trySend(name, send, beforeMessages[kind], record)

    await receive()
    record(`${name}.startup`)
    if ((await answer(name, 'startup', spec.startup, scope, send, record)) === 'ended') return
    // A forgotten interval: it must not keep a stopped server's process alive.
    if (spec.leakTimer === true) setInterval(() => {}, 60_000)

    if (spec.afterStartup !== undefined) {
      await sleep(spec.afterStartup.delayMs)
      record(`${name}.after-startup.${spec.afterStartup.then}`)
      if (spec.afterStartup.then === 'throw') throw new Error(spec.afterStartup.message ?? `${name} crashed while running`)
      return
    }
    await receive()
    record(`${name}.shutdown`)
    await answer(name, 'shutdown', spec.shutdown, scope, send, record)
  }
}
