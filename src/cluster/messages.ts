// The vocabulary between the primary and its workers, over node:cluster's IPC channel. Every
// message carries `tsgi: 'cluster'` so that an app's own worker.send() traffic is left alone.

import type { TimingNode } from '../lifespan/timings.ts'

/** A worker tells the primary how its startup went. */
export type WorkerMessage =
  /** Its whole startup completed and it listens on `port`. */
  | { tsgi: 'cluster'; type: 'ready'; port: number; timings?: TimingNode }
  /** Its startup failed; `message` is the LifespanStartupError's (step names, never hook errors' text). */
  | { tsgi: 'cluster'; type: 'startup-failed'; message: string }

/** The primary tells a worker how to stop. */
export type PrimaryMessage =
  /** The server shuts down: the worker runs its full graceful shutdown, then exits. */
  | { tsgi: 'cluster'; type: 'shutdown' }
  /** A reload replaced it: stop accepting, answer `Connection: close` for `graceMs`, then drain and exit. */
  | { tsgi: 'cluster'; type: 'retire'; graceMs: number }

function isTagged(value: unknown): value is { tsgi: 'cluster'; type: unknown } {
  return typeof value === 'object' && value !== null && (value as { tsgi?: unknown }).tsgi === 'cluster'
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (!isTagged(value)) return false
  const message = value as Partial<WorkerMessage>
  if (message.type === 'ready') return Number.isInteger((message as { port?: unknown }).port)
  return message.type === 'startup-failed' && typeof (message as { message?: unknown }).message === 'string'
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  if (!isTagged(value)) return false
  const message = value as Partial<PrimaryMessage>
  if (message.type === 'retire') return typeof (message as { graceMs?: unknown }).graceMs === 'number'
  return message.type === 'shutdown'
}
