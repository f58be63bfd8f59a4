// What a driver is: it starts a server around a scenario app and lets the runner boot it,
// stop it, send it traffic and signals, and read what happened. The runner speaks only this
// interface; every driver says what it cannot do, and the runner skips with that reason.

import type { TraceEvent } from '../apps/trace.ts'
import type { Transport } from '../runner/transport.ts'
import type { Scenario } from '../scenarios/types.ts'

/**
 * What a scenario may require of a driver. The runner derives a scenario's requirements from
 * its data (requirements.ts); each driver maps the ones it lacks to a reason.
 */
export const capabilityMeaning = {
  http: 'send HTTP requests to the app',
  sockets: 'open raw TCP connections (idle keep-alive, a connect after shutdown began)',
  compose: 'compose child apps with a router (mount / route)',
  'lifespan-protocol':
    'speak the lifespan protocol message by message (inspect the scope, send before startup, answer twice, return without answering)',
  'router-timeouts': 'bound each child of a router with its own time limit',
  hooks: 'run server-level onStartup / onShutdown hooks',
  'lifespan-fns': 'run server-level lifespan functions',
  'server-timeouts': "bound the server's startup / shutdown / drain steps",
  'body-limit': 'limit request bodies',
  'log-details': 'choose whether hook errors are printed in full',
  bind: 'be started on a port that is already taken',
  signals: 'send signals to the server process',
  'exit-code': "observe the server process's exit code",
  'error-objects': 'inspect error objects (class, code, cause, errors)',
  'close-api': "call the server's close() directly",
  lifecycle: "read serve()'s lifecycle phase and its tsgi:lifecycle channel",
  manager: 'drive the app with a LifespanManager and read its `supported` and `state`',
  websocket: 'serve websocket scopes to a websocket client',
} as const

export type Capability = keyof typeof capabilityMeaning

/** A boot or a stop, as observed. `error` is the thrown value (in process only). */
export type Outcome = { ok: true } | { ok: false; message: string; error?: unknown }

export interface HttpRequestSpec {
  method: string
  path: string
  body?: string[]
  headers?: Record<string, string | string[]>
  abortAfterMs?: number
  readDelayMs?: number
}

export type HttpResult =
  | { ok: true; status: number; headers: Array<[string, string]>; body: string }
  /** `timeout`: no response head, or no next body chunk, within the runner's limit. */
  | { ok: false; failure: 'reset' | 'refused' | 'aborted' | 'timeout'; message: string }

export interface Exit {
  code: number | null
  signal: string | null
}

export interface Observations {
  /** Everything the scenario apps (and, in process, the lifecycle channel) recorded. */
  trace: TraceEvent[]
  log: string
  phase?: string
  manager?: { supported: boolean; state: Record<string, unknown> }
}

/** One scenario's server. Methods a driver cannot perform are absent (and the runner never calls them). */
export interface Session {
  boot(withinMs: number): Promise<Outcome>
  stop(): Promise<Outcome>
  stopTwice?(): Promise<Outcome>
  request(spec: HttpRequestSpec, note: (event: string) => void): Promise<HttpResult>
  signal?(signal: 'SIGTERM' | 'SIGINT'): void
  /** Resolves with the exit, or null when the process still runs after `withinMs`. */
  waitExit?(withinMs: number): Promise<Exit | null>
  idleConnection?(note: (event: string) => void): Promise<void>
  connect?(): Promise<'refused' | 'accepted'>
  /** The server's origin (http://host:port), for a websocket client; absent where the app cannot take websockets. */
  origin?(): string
  /** The trace so far (for `wait-for`). */
  trace(): TraceEvent[]
  /** Stops whatever still runs and returns what was observed. Never throws. */
  finish(): Promise<Observations>
}

export interface Driver {
  /** Shown in reports: `tsgi`, `uvicorn`, `command`. */
  name: string
  /** The reason this driver cannot run a scenario with these requirements, or null. */
  unsupported(scenario: Scenario, requirements: Capability[]): string | null
  open(scenario: Scenario, requirements: Capability[]): Promise<Session>
  /** How many scenarios may run at once (processes: a few; in process: one, the channel is global). */
  concurrency: number
  /** The protocol its sessions' clients speak; HTTP/1.1 when absent. */
  transport?: Transport
}
