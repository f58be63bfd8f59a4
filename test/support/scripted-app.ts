// Apps with a scripted lifespan behaviour, recording what happens to them. Real apps speaking
// the real protocol: the driver under test cannot tell them from hand-written ones.

import type { App } from '../../src/index.ts'

export type StartupBehaviour = 'complete' | 'fail' | 'throw' | 'unsupported' | 'return' | 'hang'
export type ShutdownBehaviour = 'complete' | 'fail' | 'throw' | 'hang'

export interface Script {
  startup?: StartupBehaviour
  shutdown?: ShutdownBehaviour
  /** Written into state during startup, so later children and requests can see it. */
  sets?: Record<string, unknown>
}

/** Records `<name>:startup`, `<name>:started`, `<name>:shutdown`, `<name>:stopped` as they happen. */
export function scriptedApp(name: string, trace: string[], script: Script = {}): App {
  const startup = script.startup ?? 'complete'
  const shutdown = script.shutdown ?? 'complete'
  return async function scripted(scope, receive, send) {
    if (scope.type !== 'lifespan') throw new Error(`${name} only speaks lifespan`)
    if (startup === 'unsupported') throw new Error(`${name} does not do lifespan`)
    if (startup === 'return') return
    await receive()
    trace.push(`${name}:startup`)
    if (startup === 'hang') return new Promise(() => {})
    if (startup === 'throw') throw new Error(`${name} crashed at startup`)
    if (startup === 'fail') {
      await send({ type: 'lifespan.startup.failed', message: `${name} could not start`, error: new Error(`${name} cause`) })
      return
    }
    if (script.sets) Object.assign(scope.state, script.sets)
    await send({ type: 'lifespan.startup.complete' })
    trace.push(`${name}:started`)
    await receive()
    trace.push(`${name}:shutdown`)
    if (shutdown === 'hang') return new Promise(() => {})
    if (shutdown === 'throw') throw new Error(`${name} crashed at shutdown`)
    if (shutdown === 'fail') {
      await send({ type: 'lifespan.shutdown.failed', message: `${name} could not stop`, error: new Error(`${name} stop cause`) })
      return
    }
    await send({ type: 'lifespan.shutdown.complete' })
    trace.push(`${name}:stopped`)
  }
}

/** Catches what an app sends on an HTTP scope, for router tests that need no socket. */
export function captureResponse() {
  const sent: Array<{ type: string; status?: number; headers?: Array<[string, string]>; body?: Uint8Array | string }> = []
  return {
    sent,
    send: async (message: (typeof sent)[number]) => {
      sent.push(message)
    },
    get status() {
      return sent.find((m) => m.type === 'http.response.start')?.status
    },
    header(name: string) {
      return sent.find((m) => m.type === 'http.response.start')?.headers?.find(([n]) => n === name)?.[1]
    },
  }
}
